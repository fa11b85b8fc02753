"""The public "How we decide the step" page: its rules fit a 320px phone as one card per rule,
read from top to bottom with nothing off the side, and show as a table on a wider screen.
axe at both widths. Screenshots are left in SCREENSHOT_DIR for people to look at."""

import os
import tempfile
from pathlib import Path

import pytest
from django.urls import reverse

from projects.ladder import STEP_RULES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", tempfile.gettempdir()))

# Where each visible rule card, and each line in it, ends on the right: none may run past the
# screen's edge, or part of a rule could be read only by scrolling sideways.
RIGHT_EDGES = """() => [...document.querySelectorAll('.govuk-summary-card')]
    .filter(card => card.checkVisibility())
    .flatMap(card => [card, ...card.querySelectorAll('dt, dd')])
    .map(element => element.getBoundingClientRect().right)"""


def test_the_rules_read_as_cards_on_a_phone_and_as_a_table_on_a_wide_screen(page, axe):
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(reverse("projects:how_we_decide"))

    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    cards = page.locator(".govuk-summary-card")
    assert cards.count() == len(STEP_RULES)
    first = cards.first
    assert first.get_by_role("heading", name="Rule 1").is_visible()
    assert first.get_by_text(STEP_RULES[0].when).is_visible()
    assert first.get_by_text(f"{STEP_RULES[0].step.value}. {STEP_RULES[0].step.label}").is_visible()
    assert max(page.evaluate(RIGHT_EDGES)) <= 320
    # The table is not there for anyone, screen readers included: the rules are met once.
    assert page.get_by_role("table").count() == 0
    assert page.get_by_role("region", name="The rules, checked in this order").count() == 0
    axe(page)
    page.screenshot(path=SCREENSHOTS / "how-we-decide-320.png", full_page=True)

    page.set_viewport_size({"width": 1280, "height": 800})

    table = page.get_by_role("table", name="The rules, checked in this order")
    assert table.is_visible()
    assert table.get_by_role("row").count() == len(STEP_RULES) + 1
    assert not cards.first.is_visible()
    region = page.get_by_role("region", name="The rules, checked in this order")
    assert region.evaluate("box => box.scrollWidth <= box.clientWidth")  # nothing to scroll to
    axe(page)
    page.screenshot(path=SCREENSHOTS / "how-we-decide-1280.png", full_page=True)
