"""Practice guide entries in the browser: a how-to guide's headings and lists are real ones a
screen reader can move between (WCAG 1.3.1); a long web address never makes the moderation
page or the entry page scroll sideways at 320px (WCAG 1.4.10); and a moderator keeps every
undecided finding hidden with one button, by keyboard."""

import pytest

from coprod_hub.users.roles import Role
from learning import services, starter_guides
from learning.models import Entry, Finding
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A 170-character link with no spaces or hyphens to break at, with an email address in it
# for the scanner to find, so the "Found: …" hint quotes the unbroken words around it.
LONG_LINK = (
    "https://www.example.org/unsubscribe?email=jean.watson@example.org&token=" + "a1B2c3D4e5" * 10
)


def tab_to(page, locator, *, limit=120):
    for _ in range(limit):
        page.keyboard.press("Tab")
        if locator.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"Could not reach {locator} with the Tab key")


def assert_no_sideways_scrolling_at_320px(page):
    page.set_viewport_size({"width": 320, "height": 800})
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, f"{page.url} is {width}px wide at 320px"
    page.set_viewport_size({"width": 1280, "height": 800})


def test_a_how_to_guide_has_headings_and_lists_a_screen_reader_can_use(page, axe, fits_320):
    starter_guides.add_missing()
    guide = starter_guides.published_guide(starter_guides.MEETINGS)
    page.goto(guide.get_absolute_url())

    text = page.locator(".hub-entry-text")
    sections = text.get_by_role("heading", level=2)
    assert sections.all_inner_texts() == ["Before the meeting", "On the day", "After the meeting"]
    lists = text.get_by_role("list")
    assert lists.count() == 3
    assert lists.first.get_by_role("listitem").count() == 4
    assert lists.first.get_by_role("listitem").first.inner_text().startswith("Ask each person")
    assert "- " not in text.inner_text()
    # The bullets show: GOV.UK's list style, not a bare list.
    assert lists.first.evaluate("list => getComputedStyle(list).listStyleType") == "disc"
    axe(page)
    fits_320()

    numbered = starter_guides.published_guide(starter_guides.WORKING_TOGETHER)
    page.goto(numbered.get_absolute_url())
    stages = page.locator(".hub-entry-text ol")
    assert stages.get_by_role("listitem").count() == 8
    assert stages.evaluate("list => getComputedStyle(list).listStyleType") == "decimal"
    axe(page)


def test_a_long_link_wraps_and_one_button_keeps_every_undecided_finding_hidden(page, axe, sign_in):
    moderator = UserFactory(display_name="Mina Moderator", roles=[Role.MODERATOR])
    entry = services.submit_entry(
        kind="how_to",
        title="Getting people to the group",
        text=(
            "Transport\n"
            f"- Send the link {LONG_LINK} with the invitation.\n"
            "- Ask Jean Watson on 07700 900461 about lifts.\n"
            "- Meet at LS2 7EX."
        ),
        outcome="not_applicable",
    )
    assert entry.findings.count() >= 4
    sign_in(moderator)
    page.goto(entry.get_moderation_url())
    page.get_by_role("heading", name="Check possible personal data").wait_for()

    # The preview is laid out as it will be published: the list under its heading.
    preview = page.locator(".hub-preview")
    assert preview.get_by_role("heading", level=3, name="Transport").is_visible()
    assert preview.get_by_role("listitem").count() == 3
    hint = page.locator(".govuk-hint", has_text="Found:").first
    assert "a1B2c3D4e5" in hint.inner_text()
    assert_no_sideways_scrolling_at_320px(page)
    axe(page)

    # One button, by keyboard, instead of a choice for each finding.
    tab_to(page, page.get_by_role("button", name="Keep all undecided hidden"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    banner = page.locator(".govuk-notification-banner--success")
    banner.wait_for()
    assert "everything that was still undecided is kept hidden" in banner.inner_text()
    for box in page.get_by_label("Keep it hidden").all():
        assert box.is_checked()
    assert set(entry.findings.values_list("resolution", flat=True)) == {Finding.Resolution.REDACT}
    axe(page)

    page.get_by_label("Publish it").check()
    page.get_by_role("button", name="Confirm").click()
    page.get_by_text("Entry published").wait_for()
    entry.refresh_from_db()
    assert entry.status == Entry.Status.PUBLISHED

    page.goto(entry.get_absolute_url())
    assert page.locator(".hub-entry-text").get_by_role("listitem").count() == 3
    assert "a1B2c3D4e5" in page.locator(".hub-entry-text").inner_text()
    assert_no_sideways_scrolling_at_320px(page)
    axe(page)
