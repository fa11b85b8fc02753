"""A visitor finds an opportunity, creates an account, signs up with their access needs,
gets the calendar file and cancels, using the keyboard alone."""

import os
import re
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone
from icalendar import Calendar

from participation.models import Opportunity, Profile, SignUp
from tests.factories import UserFactory
from tests.participation.factories import OpportunityFactory, VenueFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def screenshot(page, name):
    """Full-page screenshots for a person to look at: set SCREENSHOT_DIR to keep them."""
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def press(page, locator, key="Enter"):
    """Operate a control the way a keyboard user does: focus it, then press a key."""
    locator.focus()
    assert locator.evaluate("element => element === document.activeElement")
    page.keyboard.press(key)


def type_into(page, locator, text):
    locator.focus()
    page.keyboard.type(text)


@pytest.fixture
def opportunities(db):
    staff = UserFactory(roles=["staff"])
    starts = (timezone.now() + timedelta(days=12)).replace(minute=0, second=0, microsecond=0)
    wanted = OpportunityFactory(
        title="Carers' voice online panel",
        description="Unpaid carers tell us what would make short breaks easier to book.",
        format=Opportunity.Format.ONLINE,
        fee_basis=Opportunity.FeeBasis.PER_HOUR,
        online_details="https://meet.example/carers",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        capacity=6,
        created_by=staff,
        contact_name="Grace Adeyemi",
    )
    OpportunityFactory(
        title="Carers' cuppa and chat",
        description="Drop in over a brew and tell us what carers need.",
        format=Opportunity.Format.IN_PERSON,
        venue=VenueFactory(),
        fee_basis=Opportunity.FeeBasis.NONE,
        created_by=staff,
    )
    OpportunityFactory(
        title="Carers' survey",
        description="A short survey for carers.",
        format=Opportunity.Format.ONLINE,
        fee_basis=Opportunity.FeeBasis.NONE,
        created_by=staff,
    )
    OpportunityFactory(title="Day centres review", description="Day services.", created_by=staff)
    return wanted


def link_in_last_email():
    return re.search(r"http://\S+", mail.outbox[-1].body).group(0)


def test_a_visitor_finds_signs_up_with_access_needs_and_cancels_by_keyboard(
    page, axe, fits_320, opportunities
):
    wanted = opportunities

    # Find: search for "carers", then filter to online and paid a fee.
    page.goto("/")
    press(page, page.get_by_role("link", name="Get involved"))
    page.get_by_role("heading", name="Find ways to get involved").wait_for()
    axe(page)
    fits_320()
    type_into(page, page.get_by_label("Search"), "carers")
    press(page, page.get_by_role("checkbox", name="Online", exact=True), "Space")
    press(page, page.get_by_role("radio", name="Paid a fee", exact=True), "Space")
    # On a phone the filters come first; the results page opens at the results.
    page.set_viewport_size({"width": 320, "height": 800})
    press(page, page.get_by_role("button", name="Show results"))
    results = page.get_by_role("heading", name="1 opportunity matching “carers”")
    results.wait_for()
    assert 0 <= results.bounding_box()["y"] < 800
    page.set_viewport_size({"width": 1280, "height": 800})
    assert "format=online" in page.url and "paid=paid" in page.url and "q=carers" in page.url
    assert page.get_by_label("Search").input_value() == "carers"
    assert page.get_by_role("checkbox", name="Online", exact=True).is_checked()
    axe(page)
    fits_320()

    # Open it: the honest step, what is offered and places left are all there.
    press(page, page.get_by_role("link", name=wanted.title))
    page.get_by_role("heading", name=wanted.title, level=1).wait_for()
    assert page.get_by_text("6 places left of 6").is_visible()
    assert page.get_by_text("A fee for your time (per hour)").is_visible()
    assert page.get_by_role("heading", name="How much say you will have").is_visible()
    axe(page)
    fits_320()

    # Sent to create an account and confirm the email address, then back to sign up.
    press(page, page.get_by_role("link", name="Create an account").last)
    page.get_by_role("heading", name="Create an account").wait_for()
    axe(page)
    type_into(page, page.get_by_label("Your name"), "Nadia Patel")
    type_into(page, page.get_by_label("Email address"), "nadia@example.org")
    type_into(page, page.get_by_label("Create a password"), "a-long-memorable-phrase")
    type_into(page, page.get_by_label("Type the password again"), "a-long-memorable-phrase")
    press(page, page.get_by_role("button", name="Create account"))
    page.get_by_role("heading", name="Check your email").wait_for()
    page.goto(link_in_last_email())
    with page.expect_navigation():
        press(page, page.get_by_role("button", name="Confirm email address"))
    # Confirmed in the browser she signed up in, she is signed in and back where she was.
    page.get_by_role("heading", name="Check and sign up").wait_for()
    assert page.url.endswith(f"/opportunities/{wanted.pk}/sign-up/")
    assert page.get_by_text("Engagement (step 5 of 7)").is_visible()
    axe(page)
    fits_320()

    # Tell us once: access needs with explicit consent, then back to the same sign-up page,
    # with the note already typed for this session still there.
    # Nothing kept yet, so nothing "else" to ask about.
    type_into(page, page.get_by_label(re.compile("anything you need for this")), "Breaks please")
    press(page, page.get_by_role("button", name="Tell us about your access needs"))
    page.get_by_role("heading", name="Your access needs").wait_for()
    axe(page)
    screenshot(page, "participation-access-needs")
    type_into(page, page.get_by_label("What support do you need"), "Captions on video calls")
    press(page, page.get_by_role("button", name="Save access needs"))
    page.locator(".govuk-error-summary").wait_for()  # consent was not given
    assert page.get_by_label("What support do you need").input_value() == (
        "Captions on video calls"
    )
    axe(page)
    press(page, page.get_by_role("checkbox", name=re.compile("I agree")), "Space")
    press(page, page.get_by_role("button", name="Save access needs"))
    page.get_by_role("heading", name="Check and sign up").wait_for()
    assert page.get_by_text("Captions on video calls").is_visible()
    note = page.get_by_label(re.compile("anything else you need"))
    assert note.input_value() == "Breaks please"
    axe(page)
    screenshot(page, "participation-sign-up")
    press(page, page.get_by_role("button", name="Confirm and sign up"))
    page.get_by_role("heading", name="You have a place").wait_for()
    axe(page)
    fits_320()
    signup = SignUp.objects.get(resident__email="nadia@example.org")
    assert signup.status == SignUp.Status.BOOKED
    assert signup.access_needs_note == "Breaks please"
    assert Profile.objects.get(user=signup.resident).has_access_needs
    assert page.get_by_text("https://meet.example/carers").is_visible()

    # "/my/" lists it.
    press(page, page.get_by_role("link", name="Your involvement").first)
    page.get_by_role("heading", name="Your involvement", level=1).wait_for()
    assert page.get_by_role("link", name=wanted.title).is_visible()
    # Its own cancel button, named for the session so a screen reader can tell them apart.
    assert page.get_by_role("button", name=f"Cancel your place at {wanted.title}").is_visible()
    axe(page)
    fits_320()

    # The calendar file, parsed back.
    press(page, page.get_by_role("link", name=wanted.title))
    with page.expect_download() as download:
        press(page, page.get_by_role("link", name=re.compile("Download a calendar file")))
    with open(download.value.path(), "rb") as ics:
        (event,) = Calendar.from_ical(ics.read()).walk("VEVENT")
    assert str(event["SUMMARY"]) == wanted.title
    assert event["DTSTART"].params["TZID"] == "Europe/London"
    assert event["DTSTART"].dt == wanted.starts_at.astimezone(ZoneInfo("Europe/London"))

    # Cancel: one click, no question first. The page says so and offers signing up again.
    press(page, page.get_by_role("button", name="Cancel your place"))
    page.get_by_role("heading", name="Cancelled", level=1).wait_for()
    assert page.get_by_text("You have cancelled your place").is_visible()
    assert page.get_by_text("There are places left now, so you would get one").is_visible()
    assert page.get_by_role("button", name="Sign up again").is_visible()
    axe(page)
    fits_320()
    signup.refresh_from_db()
    assert signup.status == SignUp.Status.CANCELLED
    press(page, page.get_by_role("link", name="Your involvement").first)
    page.get_by_role("heading", name="Your involvement", level=1).wait_for()
    assert page.get_by_text("You do not have a place at anything coming up").is_visible()
    axe(page)
    fits_320()

    # Easy read and large print together, chosen by keyboard.
    page.goto("/my/profile/contact/")
    press(page, page.get_by_role("radio", name="Easy read"), "Space")
    press(page, page.get_by_role("checkbox", name="Send me information in large print"), "Space")
    axe(page)
    fits_320()
    press(page, page.get_by_role("button", name="Save"))
    page.get_by_role("heading", name="Your profile").wait_for()
    profile = Profile.objects.get(user=signup.resident)
    assert (profile.format, profile.large_print) == ("easy_read", True)
    rows = page.locator(".govuk-summary-list__row")
    assert rows.filter(has_text="Information written in").locator("dd").first.inner_text() == (
        "Easy read"
    )
    assert rows.filter(has_text="Large print").locator("dd").first.inner_text() == "Yes"
