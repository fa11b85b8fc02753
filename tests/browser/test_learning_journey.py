"""The practice guide end to end, by keyboard alone: a visitor shares a lesson with personal
details in it; a moderator sees them hidden and highlighted, checks each one and publishes;
a visitor finds the entry by searching and sees none of the personal details."""

import os
from pathlib import Path

import pytest

from coprod_hub.users.roles import Role
from learning.models import Entry
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PERSONAL_DETAILS = ["Jean Watson", "07700 900461", "LS2 7EX"]


def screenshot(page, name):
    """Set SCREENSHOT_DIR to keep full-page pictures of each main page for a person to look at."""
    if folder := os.environ.get("SCREENSHOT_DIR"):
        page.screenshot(path=Path(folder) / f"learning-{name}.png", full_page=True)


def tab_to(page, locator, *, limit=120):
    """Press Tab until `locator` has the focus, proving it can be reached by keyboard."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if locator.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"Could not reach {locator} with the Tab key")


def focused_outline_is_visible(page) -> bool:
    style = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, s.boxShadow, s.backgroundColor]; })()"
    )
    outline, shadow, background = style
    return outline != "none" or shadow != "none" or background == "rgb(255, 221, 0)"


def test_share_moderate_publish_and_find_by_keyboard(page, axe, fits_320, sign_in):
    moderator = UserFactory(display_name="Mina Moderator", roles=[Role.MODERATOR])

    # A visitor, not signed in, opens the guide and goes to share a lesson.
    page.goto("/guide/")
    axe(page)
    fits_320()
    tab_to(page, page.get_by_role("link", name="Share what you have learned"))
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Share what you have learned").wait_for()
    axe(page)
    fits_320()
    screenshot(page, "share")

    # Sending it empty explains what is missing, in the GOV.UK error summary.
    tab_to(page, page.get_by_role("button", name="Send to a moderator"))
    page.keyboard.press("Enter")
    page.locator(".govuk-error-summary").wait_for()
    assert page.title().startswith("Error: ")
    axe(page)

    tab_to(page, page.get_by_label("Lesson learned"))
    page.keyboard.press("Space")
    tab_to(page, page.get_by_label("Title"))
    page.keyboard.type("Getting a lift to the Thursday group")
    tab_to(page, page.get_by_label("What do you want to share?"))
    page.keyboard.type("Jean Watson drove three of us every week after the bus stopped.")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    page.keyboard.type("If you need a lift, call 07700 900461. The hall is at LS2 7EX.")
    # A radio group is one Tab stop; the arrow keys choose within it.
    tab_to(page, page.get_by_label("It went well"))
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert page.get_by_label("Some things went well, some did not").is_checked()
    tab_to(page, page.get_by_role("button", name="Send to a moderator"))
    assert focused_outline_is_visible(page)
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Thank you for sharing").wait_for()
    assert page.get_by_role("heading", name="What happens next").is_visible()
    axe(page)
    fits_320()
    entry = Entry.objects.get()
    assert entry.status == Entry.Status.SUBMITTED

    # Not public yet.
    page.goto("/guide/?q=Thursday")
    assert page.get_by_role("heading", name="0 entries found for “Thursday”").is_visible()

    # A moderator opens the queue and the entry.
    sign_in(moderator)
    page.goto("/guide/moderation/")
    axe(page)
    fits_320()
    tab_to(page, page.get_by_role("link", name="Getting a lift to the Thursday group"))
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Check possible personal data").wait_for()
    axe(page)
    fits_320()

    # Every personal detail is hidden and highlighted in the preview.
    preview = page.locator(".hub-preview")
    marks = preview.locator("mark.hub-highlight")
    assert marks.all_inner_texts() == ["[name]", "[phone number]", "[postcode]"]
    for detail in PERSONAL_DETAILS:
        assert detail not in preview.inner_text()
    screenshot(page, "moderate")

    # Publishing before checking is refused.
    tab_to(page, page.get_by_label("Publish it"))
    page.keyboard.press("Space")
    tab_to(page, page.get_by_role("button", name="Confirm"))
    page.keyboard.press("Enter")
    page.locator(".govuk-error-summary").wait_for()
    assert "3 still need a decision" in page.locator(".govuk-error-summary").inner_text()
    axe(page)
    # Each finding says it needs a choice, and the summary's link leads to the first one.
    for number in (1, 2, 3):
        group = page.get_by_role("group", name=f"{number}.")
        assert "Choose whether to keep it hidden or show it" in group.inner_text()
    link = page.locator(".govuk-error-summary").get_by_role("link")
    tab_to(page, link)
    page.keyboard.press("Enter")
    first_choice = page.get_by_role("group", name="1.").get_by_label("Keep it hidden")
    page.wait_for_function(
        "id => document.activeElement && document.activeElement.id === id",
        arg=first_choice.get_attribute("id"),
        timeout=3000,
    )

    # Keep each one hidden, by keyboard.
    for number in (1, 2, 3):
        group = page.get_by_role("group", name=f"{number}.")
        tab_to(page, group.get_by_label("Keep it hidden"))
        page.keyboard.press("Space")
    # ...and publish in the same step: the choices are saved with the decision.
    tab_to(page, page.get_by_label("Publish it"))
    page.keyboard.press("Space")
    tab_to(page, page.get_by_role("button", name="Confirm"))
    page.keyboard.press("Enter")
    page.get_by_text("Entry published").wait_for()
    axe(page)
    entry.refresh_from_db()
    assert entry.status == Entry.Status.PUBLISHED
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("link", name="Sign in").wait_for()

    # A visitor finds it by searching, and sees no personal data.
    page.goto("/guide/")
    tab_to(page, page.get_by_label("Search the guide"))
    page.keyboard.type("lift Thursday")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="1 entry found for “lift Thursday”").wait_for()
    axe(page)
    fits_320()
    screenshot(page, "list")
    tab_to(page, page.get_by_role("link", name="Getting a lift to the Thursday group"))
    page.keyboard.press("Enter")
    page.get_by_role("heading", level=1, name="Getting a lift to the Thursday group").wait_for()
    axe(page)
    fits_320()
    screenshot(page, "entry")
    content = page.locator("main").inner_text()
    for detail in PERSONAL_DETAILS:
        assert detail not in content
    assert "[name] drove three of us" in content
    assert "call [phone number]. The hall is at [postcode]." in content
    assert "Mina Moderator" not in content


def test_the_other_moderation_pages_are_accessible(page, axe, fits_320, sign_in):
    from learning import services

    moderator = UserFactory(display_name="Mina Moderator", roles=[Role.MODERATOR])
    long_word = "Co-production" * 8
    services.submit_entry(
        kind="lesson",
        title=f"A very long title {long_word}",
        text=f"{long_word} and an address: email someone@example.org",
        outcome="mixed",
        contact_email="sharer@example.org",
    )
    published = services.publish_entry(
        services.submit_entry(
            kind="how_to", title="Published guide", text="Some advice.", outcome="not_applicable"
        ),
        by=moderator,
    )
    public_address = published.get_absolute_url()
    sign_in(moderator)
    page.goto("/guide/moderation/")
    axe(page)
    fits_320()
    page.get_by_role("link", name="A very long title").click()
    page.get_by_label("Return it with a note").wait_for()
    axe(page)
    fits_320()
    # The reason for the person who shared it shows only once "Reject it" is chosen.
    reason = page.get_by_label("Why are you rejecting it? (optional)")
    assert reason.is_hidden()
    page.get_by_label("Reject it").check()
    assert reason.is_visible()
    axe(page)
    page.get_by_label("Publish it").check()
    assert reason.is_hidden()

    page.get_by_role("link", name="Change the title, text or tags").click()
    page.get_by_role("heading", name="Change the entry").wait_for()
    axe(page)
    fits_320()
    page.get_by_label("Text", exact=True).fill("")
    page.get_by_role("button", name="Save changes").click()
    page.locator(".govuk-error-summary").wait_for()
    axe(page)

    page.goto("/guide/moderation/?status=published")
    axe(page)
    fits_320()
    page.get_by_role("link", name="Published guide").click()
    page.get_by_role("button", name="Withdraw entry").click()
    page.locator(".govuk-error-summary").wait_for()
    axe(page)
    page.get_by_label("Why are you withdrawing it?").fill("Out of date")
    page.get_by_role("button", name="Withdraw entry").click()
    page.get_by_text("Entry withdrawn").wait_for()
    axe(page)
    published.refresh_from_db()
    assert published.status == Entry.Status.WITHDRAWN
    assert page.request.get(public_address).status == 404


def test_on_a_phone_the_results_are_one_link_away(page, axe):
    from tests.learning.factories import PublishedEntryFactory

    PublishedEntryFactory(title="Quiet rooms at meetings")
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto("/guide/")
    skip = page.get_by_role("link", name="Skip to the results")
    tab_to(page, skip)
    page.keyboard.press("Enter")
    page.wait_for_url("**/guide/#results-heading")
    first = page.get_by_role("link", name="Quiet rooms at meetings")
    box = first.bounding_box()
    assert box is not None and 0 <= box["y"] < 640  # on screen, not 1,400px down
    axe(page)
    # On a wide screen the filters sit beside the results, so there is no link.
    page.set_viewport_size({"width": 1280, "height": 800})
    assert not skip.is_visible()


def test_an_author_sees_what_they_shared_and_a_moderator_can_correct_it(
    page, axe, fits_320, sign_in
):
    from learning import services

    author = UserFactory(display_name="Rita Resident", roles=[Role.RESIDENT])
    moderator = UserFactory(display_name="Mina Moderator", roles=[Role.MODERATOR])
    entry = services.publish_entry(
        services.submit_entry(
            kind="lesson",
            title="Paying on the day",
            text="People were paid before they left.",
            outcome="went_well",
            submitted_by=author,
        ),
        by=moderator,
    )
    sign_in(author)
    page.goto("/guide/yours/")
    page.get_by_role("heading", name="Things you shared").wait_for()
    assert page.get_by_role("link", name="Paying on the day").is_visible()
    axe(page)
    fits_320()
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("link", name="Sign in").wait_for()

    sign_in(moderator)
    page.goto(entry.get_moderation_url())
    page.get_by_role("link", name="Correct the title, text or tags").click()
    page.get_by_role("heading", name="Change the entry").wait_for()
    axe(page)
    fits_320()
    page.get_by_label("Text", exact=True).fill(
        "People were paid before they left. Ask Jean Watson."
    )
    page.get_by_role("button", name="Save changes").click()
    page.get_by_text("off the guide until you publish it again").wait_for()
    page.get_by_role("group", name="1.").get_by_label("Keep it hidden").check()
    page.get_by_label("Publish it").check()
    page.get_by_role("button", name="Confirm").click()
    page.get_by_text("Entry published").wait_for()
    entry.refresh_from_db()
    assert entry.status == Entry.Status.PUBLISHED
    assert entry.text.endswith("Ask [name].")
