"""Keyboard-only and zoom checks on the main journeys, from an audit in Chromium.

After the skip link (or any jump within a page) the address ends in a #fragment, which a form
carries on to the page it leads to, through any redirect. The browser's jump to that fragment
used to take focus from the error summary or the success banner, so nothing was read out.
Problems with what was just done take focus as successes do; "Save choices only" in
moderation opens at the banner; titles in narrow tables keep whole words; the service name
grows with the browser's text size."""

from datetime import timedelta

import pytest
from django.utils import timezone

from coprod_hub.users.roles import Role
from participation.models import Opportunity
from tests.factories import UserFactory
from tests.learning.factories import submit
from tests.participation.factories import SignUpFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def tab_to(page, locator, *, limit=80):
    """Press Tab until `locator` has focus: it can be reached by keyboard, in the tab order."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if locator.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {locator}")


def press_and_wait(page, key="Enter"):
    with page.expect_navigation():
        page.keyboard.press(key)
    page.wait_for_load_state("load")


def wait_for_focus_on(page, selector):
    """Focus settles once the browser has made its jump to the address's fragment, after load."""
    page.wait_for_function(
        "selector => document.activeElement?.matches(selector)", arg=selector, timeout=3000
    )


def in_view(page, selector) -> bool:
    box = page.locator(selector).bounding_box()
    return box is not None and 0 <= box["y"] < page.viewport_size["height"]


def use_skip_link(page):
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.url.endswith("#main-content")


def test_after_the_skip_link_a_forms_problem_and_then_its_success_take_focus(
    page, sign_in, resident
):
    sign_in(resident)
    page.goto("/my/profile/access-needs/")
    use_skip_link(page)
    tab_to(page, page.get_by_label("What support do you need to take part?"))
    page.keyboard.type("A hearing loop, please.")
    tab_to(page, page.get_by_role("button", name="Save access needs"))
    press_and_wait(page)  # without ticking the box to agree we keep them

    wait_for_focus_on(page, ".govuk-error-summary")
    assert in_view(page, ".govuk-error-summary")
    assert "#" not in page.url  # so the next form sent from here carries no fragment on
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # the summary's one link goes to the box to tick
    assert page.evaluate("document.activeElement.id") == "id_consent"
    assert page.get_by_label("What support do you need to take part?").input_value() == (
        "A hearing loop, please."
    )

    # From the top again by the skip link: the success banner on the next page takes focus.
    page.goto("/my/profile/access-needs/")
    use_skip_link(page)
    tab_to(page, page.get_by_label("What support do you need to take part?"))
    page.keyboard.type("A hearing loop, please.")
    tab_to(page, page.locator("#id_consent"))
    page.keyboard.press("Space")
    tab_to(page, page.get_by_role("button", name="Save access needs"))
    press_and_wait(page)

    wait_for_focus_on(page, ".govuk-notification-banner--success")
    assert page.url.endswith("/my/profile/")
    assert in_view(page, ".govuk-notification-banner--success")


def test_a_place_that_can_no_longer_be_cancelled_says_so_and_takes_focus(page, sign_in, resident):
    signup = SignUpFactory(resident=resident, opportunity__title="Carers' cuppa and chat")
    sign_in(resident)
    page.goto(f"/sign-ups/{signup.pk}/")
    tab_to(page, page.get_by_role("button", name="Cancel your place"))
    # While the page is open, the session starts.
    Opportunity.objects.filter(pk=signup.opportunity_id).update(
        starts_at=timezone.now() - timedelta(minutes=5)
    )
    press_and_wait(page)

    problem = page.get_by_role("alert").filter(has_text="There is a problem")
    wait_for_focus_on(page, ".govuk-notification-banner[role=alert]")
    assert "already started, so it cannot be cancelled" in problem.inner_text()


def test_saving_moderation_choices_opens_the_page_at_the_saved_banner(page, sign_in):
    entry = submit(title="Transport to the Thursday group", text="Jean Watson rang 07700 900461.")
    sign_in(UserFactory(display_name="Mina Moderator", roles=[Role.MODERATOR]))

    # At 400% zoom (320 by 256 CSS pixels) the queue's title keeps whole words: the table
    # scrolls sideways rather than squeezing it to a few letters a line.
    page.set_viewport_size({"width": 320, "height": 256})
    page.goto("/guide/moderation/")
    title = page.get_by_role("link", name="Transport to the Thursday group")
    assert title.evaluate(
        """link => {
          const probe = document.createElement("span");
          probe.style.whiteSpace = "nowrap";
          probe.textContent = "Thursday";
          link.after(probe);
          const word = probe.getBoundingClientRect().width;
          probe.remove();
          return link.getBoundingClientRect().width >= word;
        }"""
    )
    page.set_viewport_size({"width": 1280, "height": 800})

    page.goto(entry.get_moderation_url())
    for finding in entry.findings.all():
        tab_to(page, page.locator(f"#id_finding_{finding.pk}_1"))  # "Keep it hidden"
        page.keyboard.press("Space")
    tab_to(page, page.get_by_role("button", name="Save choices only"))
    press_and_wait(page)

    wait_for_focus_on(page, ".govuk-notification-banner--success")
    assert page.url.endswith(entry.get_moderation_url())  # not sent down to #decision
    assert in_view(page, ".govuk-notification-banner--success")
    assert "Your decisions are saved" in page.get_by_role("alert").inner_text()


def test_the_service_name_grows_with_the_browsers_text_size(page):
    page.goto("/")
    name = page.locator(".govuk-generic-header__homepage-link")
    usual = name.evaluate("element => parseFloat(getComputedStyle(element).fontSize)")
    # What "Font size: very large" in Chromium's settings does: text-only zoom, here 200%.
    session = page.context.new_cdp_session(page)
    session.send("Page.setFontSizes", {"fontSizes": {"standard": 32, "fixed": 26}})
    page.reload()
    assert name.evaluate("element => parseFloat(getComputedStyle(element).fontSize)") == 2 * usual
    assert page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
