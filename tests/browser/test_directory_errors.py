"""A mistyped date in the directory's filters, on a phone: the error summary is the first
thing on the screen, with focus on it, and each message names its box. The filter form sends
people to #results-heading, which used to leave the summary thousands of pixels above the
screen, with nothing announced; with no problem, the results still open at the results."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.participation.factories import OpportunityFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_mistyped_date_shows_the_problem_first_on_a_phone(page, axe):
    for n in range(6):
        OpportunityFactory(
            title=f"Carers panel {n}", starts_at=timezone.now() + timedelta(days=7 + n)
        )
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto("/opportunities/")
    page.locator("summary", has_text="More filters").click()
    page.get_by_label("From date").fill("31/2/2026")
    page.get_by_label("To date").fill("next week")
    with page.expect_navigation():
        page.get_by_role("button", name="Show results").click()

    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    page.wait_for_function(
        "document.activeElement?.classList.contains('govuk-error-summary')", timeout=3000
    )
    box = summary.bounding_box()
    assert box is not None and 0 <= box["y"] < 640  # on the screen, not far above it
    links = summary.get_by_role("link").all_inner_texts()
    assert links == [
        "From date must be a real date, for example 27/3/2026",
        "To date must be a real date, for example 27/3/2026",
    ]
    axe(page)

    # The note under the results leads back up to the problems.
    page.get_by_role("link", name="the filters with a problem").click()
    page.wait_for_url("**#filter-problems")
    box = summary.bounding_box()
    assert box is not None and 0 <= box["y"] < 640


def test_without_a_problem_the_results_open_at_the_results_on_a_phone(page):
    OpportunityFactory(title="Carers panel", starts_at=timezone.now() + timedelta(days=7))
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto("/opportunities/")
    page.get_by_label("Search").fill("carers")
    with page.expect_navigation():
        page.get_by_role("button", name="Show results").click()

    heading = page.get_by_role("heading", name="1 opportunity matching “carers”")
    heading.wait_for()
    page.wait_for_load_state("load")
    box = heading.bounding_box()
    assert box is not None and 0 <= box["y"] < 640
