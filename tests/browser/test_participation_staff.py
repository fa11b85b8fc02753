"""Staff run an opportunity: create, publish, sign someone up, manage, take attendance."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from coprod_hub.users.roles import Role
from coprod_hub.users.services import revoke_role
from notifications.models import Message
from participation import services
from participation.models import GroupMessage, Opportunity, Profile, SignUp
from projects.models import ServiceArea
from tests.factories import UserFactory
from tests.participation.factories import OpportunityFactory, VenueFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def screenshot(page, name):
    """Full-page screenshots for a person to look at: set SCREENSHOT_DIR to keep them."""
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def press(page, locator, key="Enter"):
    locator.focus()
    page.keyboard.press(key)


def test_staff_create_publish_and_run_an_opportunity(page, axe, fits_320, sign_in):
    staff = UserFactory(roles=["staff"], display_name="Grace Adeyemi")
    resident = UserFactory(display_name="Priya Shah")
    Profile.objects.create(
        user=resident, access_needs="Step-free access", access_needs_consent_at=timezone.now()
    )
    VenueFactory(name="Northfield Library")
    ServiceArea.objects.create(name="Carers", slug="carers")
    sign_in(staff)

    page.goto("/opportunities/staff/")
    axe(page)
    press(page, page.get_by_role("button", name="Add an opportunity"))
    page.get_by_role("heading", name="Add an opportunity").wait_for()
    # Whoever adds a session standing alone runs it, unless they choose a colleague.
    runner = page.get_by_label("Who runs this session (only if there is no project)")
    assert runner.input_value() == str(staff.pk)
    axe(page)
    fits_320()
    # Bad input first: the error summary, and nothing typed is lost.
    page.get_by_label("Title").fill("Carers' panel")
    page.get_by_role("button", name="Save").click()
    page.locator(".govuk-error-summary").wait_for()
    screenshot(page, "participation-opportunity-form")
    assert page.get_by_label("Title").input_value() == "Carers' panel"
    assert page.title().startswith("Error: ")
    axe(page)

    day = timezone.localdate() + timedelta(days=10)
    page.get_by_label("Description").fill("Help us plan respite care.")
    page.get_by_label("Kind").select_option("panel")
    page.get_by_label("Topic (needed if there is no project)").select_option(label="Carers")
    page.get_by_label("Level (only if there is no project)").select_option("service")
    page.get_by_label("Step of participation").select_option("5")
    page.get_by_label("Why this is not co-production").fill(
        "The council decides the new respite service; we want carers' views first."
    )
    page.get_by_label("Format").select_option("in_person")
    page.get_by_label("Venue").select_option(label="Northfield Library")
    date = page.get_by_role("group", name="Date")
    date.get_by_label("Day").fill(str(day.day))
    date.get_by_label("Month").fill(str(day.month))
    date.get_by_label("Year").fill(str(day.year))
    page.get_by_label("Start time").fill("10am")
    page.get_by_label("End time").fill("12pm")
    page.get_by_label("Number of places").fill("1")
    page.get_by_label("Fee").select_option("half_day")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("heading", name="Carers' panel").wait_for()
    axe(page)
    fits_320()
    page.get_by_role("button", name="Publish").click()
    page.get_by_text("Published.").wait_for()
    opportunity = Opportunity.objects.get(title="Carers' panel")
    assert opportunity.status == Opportunity.Status.PUBLISHED

    # Sign someone up after a phone call; a second person joins the waiting list.
    page.get_by_role("link", name="Sign someone up").click()
    axe(page)
    page.get_by_label("Their email address, name or phone number").fill(resident.email)
    page.get_by_role("button", name="Find them").click()
    page.get_by_role("button", name=f"Sign up {resident}").click()
    page.get_by_text(f"{resident} has a place.").wait_for()
    page.get_by_role("link", name="add someone without an account").click()
    axe(page)
    page.get_by_label("Their name").fill("Edna Offline")
    page.get_by_role("button", name="Add and sign them up").click()
    # Without email, staff need a way to phone or write to her: the form asks, keeping her name.
    page.get_by_role("link", name="Enter their phone number or postal address").click()
    axe(page)
    page.get_by_label("Postal address (optional)").fill("4 Mill Lane\nMillbrook\nMB1 2CD")
    page.get_by_role("button", name="Add and sign them up").click()
    page.get_by_text("Edna Offline is on the waiting list at number 1").wait_for()
    assert page.get_by_text("It is full.").is_visible()
    # A place staff booked shows the profile's needs only once the person shares them.
    assert page.get_by_text("Profile not shared: staff booked this place").first.is_visible()
    assert not page.get_by_text("Step-free access").is_visible()
    services.share_profile_needs(SignUp.objects.get(resident=resident), by=resident)
    page.reload()
    assert page.get_by_text("Step-free access").is_visible()
    screenshot(page, "participation-manage")
    axe(page)
    fits_320()

    # After the session: attendance.
    Opportunity.objects.filter(pk=opportunity.pk).update(
        starts_at=timezone.now() - timedelta(hours=3), ends_at=timezone.now() - timedelta(hours=1)
    )
    page.reload()
    page.get_by_role("group", name=str(resident)).get_by_label("Attended").check()
    page.get_by_role("button", name="Save attendance").click()
    page.get_by_text("Attendance saved (1 changed).").wait_for()
    axe(page)
    assert SignUp.objects.get(resident=resident).attendance == SignUp.Attendance.ATTENDED


def test_staff_find_someone_without_email_again_and_cancel_a_place(page, axe, fits_320, sign_in):
    staff = UserFactory(roles=["staff"], display_name="Grace Adeyemi")
    first = OpportunityFactory(title="Carers' lunch", created_by=staff)
    second = OpportunityFactory(title="Short breaks workshop", created_by=staff)
    jo = services.add_person_and_sign_up(
        first,
        by=staff,
        display_name="Jo Test",
        phone="01632 960 001",
        postal_address="4 Mill Lane, Anytown AT1 2BB",
        contact_by=Profile.ContactBy.POST_OR_PHONE,
    )
    for phone in ("01632 960 701", "01632 960 702"):
        services.add_person_and_sign_up(
            first,
            by=staff,
            display_name="Pat Twin",
            phone=phone,
            contact_by=Profile.ContactBy.POST_OR_PHONE,
        )
    sign_in(staff)

    # Found by name: one person, with what tells them apart.
    page.goto(f"/opportunities/{second.pk}/manage/sign-up/")
    axe(page)
    finder = page.get_by_label("Their email address, name or phone number")
    finder.fill("j")
    page.get_by_role("button", name="Find them").click()
    page.locator(".govuk-error-summary").wait_for()
    assert page.title().startswith("Error: ")
    axe(page)
    finder.fill("Pat Twin")
    page.get_by_role("button", name="Find them").click()
    page.get_by_role("group", name="Who do you want to sign up?").wait_for()
    screenshot(page, "participation-find-person-several")
    axe(page)
    fits_320()
    page.get_by_role("button", name="Sign them up").click()
    page.get_by_text("Choose who you want to sign up").first.wait_for()
    axe(page)
    finder.fill("960 001")
    page.get_by_role("button", name="Find them").click()
    page.get_by_text("Phone number ending 001").wait_for()
    axe(page)
    fits_320()
    page.get_by_role("button", name="Sign up Jo Test").click()
    page.get_by_text("Jo Test has a place.").wait_for()
    assert SignUp.objects.filter(resident=jo.resident).count() == 2

    # Adding Jo again as a new person: warned first, and offered Jo instead.
    third = OpportunityFactory(title="Respite panel", created_by=staff)
    page.goto(f"/opportunities/{third.pk}/manage/add-person/")
    page.get_by_label("Their name").fill("Jo Test")
    page.get_by_label("Phone number (optional)").fill("01632960001")
    page.get_by_role("button", name="Add and sign them up").click()
    page.get_by_text("Someone you work with already has this name and phone number").wait_for()
    screenshot(page, "participation-add-person-same")
    axe(page)
    fits_320()
    page.get_by_role("button", name="Sign up Jo Test instead").click()
    page.get_by_text("Jo Test has a place.").wait_for()

    # "Claim for someone who asked you" finds people the same way.
    page.goto("/claims/on-behalf/?q=Pat+Twin")
    page.get_by_role("heading", name="People who match").wait_for()
    axe(page)
    fits_320()
    page.get_by_role("link", name="Pat Twin").first.click()
    page.get_by_role("heading", name="Sessions Pat Twin can claim for").wait_for()
    axe(page)

    # Cancelling Jo's place: a page that says what happens and asks why.
    page.goto(jo.get_absolute_url())
    page.get_by_role("button", name="Cancel this place").click()
    page.get_by_role("heading", name="Are you sure you want to cancel Jo Test's place?").wait_for()
    axe(page)
    fits_320()
    page.get_by_role("button", name="Yes, cancel the place").click()
    page.locator(".govuk-error-summary").wait_for()
    axe(page)
    page.get_by_label("Why are you cancelling it?").fill("You told us you cannot come.")
    page.get_by_role("button", name="Yes, cancel the place").click()
    page.get_by_text("Cancelled Jo Test's place.").wait_for()
    page.goto(jo.get_absolute_url())
    page.get_by_text("Cancelled by Grace Adeyemi on").wait_for()
    axe(page)
    assert (
        "You told us you cannot come."
        in Message.objects.get(kind="signup_cancelled", recipient=jo.resident).body_text
    )


def test_resident_pages_have_no_accessibility_problems(page, axe, fits_320, sign_in):
    resident = UserFactory(display_name="Priya Shah")
    staff = UserFactory(roles=["staff"])
    full = OpportunityFactory(title="Popular panel", capacity=1, created_by=staff)
    first = UserFactory()
    booked = services.sign_up(full, resident=first)
    services.sign_up(full, resident=resident)
    services.cancel_sign_up(booked, by=first)  # the resident is offered the place
    other = OpportunityFactory(title="Reading group", capacity=1, created_by=staff)
    services.sign_up(other, resident=UserFactory())
    services.sign_up(other, resident=resident)
    for n in range(25):
        OpportunityFactory(title=f"Session {n}", created_by=staff)
    sign_in(resident)

    for path in [
        "/my/",
        "/my/profile/",
        "/my/profile/interests/",
        "/my/profile/access-needs/",
        "/my/profile/contact/",
        "/my/calendar/",
        "/opportunities/?kind=nonsense&from_date=31/2/2026",
        "/opportunities/?q=zebra",
        "/opportunities/?page=2",
        full.get_absolute_url(),
    ]:
        page.goto(path)
        axe(page)
        fits_320()
    page.goto("/my/")
    screenshot(page, "participation-my")
    page.get_by_role("button", name="Accept the place").click()
    page.get_by_role("heading", name="You have a place").wait_for()
    page.goto("/opportunities/?q=session&format=online")
    screenshot(page, "participation-directory")
    page.goto(full.get_absolute_url())
    screenshot(page, "participation-detail")

    # A place staff booked by phone: the person chooses whether to share their needs.
    Profile.objects.update_or_create(
        user=resident,
        defaults={"access_needs": "Quiet room", "access_needs_consent_at": timezone.now()},
    )
    phoned = services.sign_up(
        OpportunityFactory(title="Phone panel", created_by=staff), resident=resident, by=staff
    )
    page.goto(phoned.get_absolute_url())
    axe(page)
    fits_320()
    screenshot(page, "participation-share-needs")
    press(page, page.get_by_role("button", name="Share my access needs with them"))
    page.get_by_text("The staff running this session can now see your access needs.").wait_for()
    phoned.refresh_from_db()
    assert phoned.profile_needs_shared


def test_staff_message_the_people_taking_part(page, axe, fits_320, sign_in):
    staff = UserFactory(roles=["staff"], display_name="Grace Adeyemi")
    opportunity = OpportunityFactory(title="Carers' panel", capacity=2, created_by=staff)
    services.sign_up(opportunity, resident=UserFactory(display_name="Priya Shah"))
    offline = UserFactory(display_name="Edna Offline")
    Profile.objects.create(user=offline, contact_by=Profile.ContactBy.POST_OR_PHONE)
    services.sign_up(opportunity, resident=offline)
    services.sign_up(opportunity, resident=UserFactory(display_name="Wren Waiting"))
    sign_in(staff)

    page.goto(f"/opportunities/{opportunity.pk}/manage/")
    press(page, page.get_by_role("link", name="Message the people taking part").first)
    page.get_by_role("heading", name="Message the people taking part").wait_for()
    assert page.get_by_text(
        "2 people: 1 by email, 1 by phone or post (on the staff call list)"
    ).is_visible()
    page.get_by_text("See each person and how they will get it").click()
    assert page.get_by_role("cell", name="Edna Offline").is_visible()
    axe(page)
    fits_320()

    # Bad input first: the error summary, and nothing typed is lost.
    page.get_by_label("Message", exact=True).fill("The car park is closed.\nPlease use Mill Lane.")
    page.get_by_role("button", name="Check your message").click()
    page.locator(".govuk-error-summary").wait_for()
    assert page.title().startswith("Error: ")
    assert page.get_by_label("Message", exact=True).input_value() == (
        "The car park is closed.\nPlease use Mill Lane."
    )
    screenshot(page, "participation-message-group")
    axe(page)
    fits_320()

    page.get_by_label("Subject").fill("Parking at the library")
    page.get_by_label("People with a place, or offered one, and the waiting list (3)").check()
    page.get_by_role("button", name="Check your message").click()
    # The message as people will get it, before anything is sent.
    page.get_by_role("heading", name="Check your message before sending").wait_for()
    assert page.get_by_text("3 people with a place or on the waiting list").is_visible()
    assert not Message.objects.filter(kind="group_message").exists()
    axe(page)
    fits_320()
    page.get_by_role("button", name="Send message").click()
    page.get_by_text("Your message is being sent to 3 people.").wait_for()
    assert page.get_by_text("Parking at the library").is_visible()
    axe(page)
    fits_320()
    assert Message.objects.filter(kind="group_message").count() == 3
    # The words came through the check page as typed, line break and all.
    assert GroupMessage.objects.get().text == "The car park is closed.\nPlease use Mill Lane."


def test_the_manage_page_with_every_list_fits_a_narrow_screen(page, axe, fits_320, sign_in):
    staff = UserFactory(roles=["staff"])
    opportunity = OpportunityFactory(title="Short breaks panel", capacity=1, created_by=staff)
    first = services.sign_up(opportunity, resident=UserFactory(display_name="Priya Shah"))
    services.sign_up(opportunity, resident=UserFactory(display_name="Wren Waiting"))
    services.sign_up(opportunity, resident=UserFactory(display_name="Sam Second"))
    services.cancel_sign_up(first, by=first.resident)  # Wren is offered the place
    sign_in(staff)

    page.goto(f"/opportunities/{opportunity.pk}/manage/")

    page.get_by_role("region", name="Places offered").wait_for()
    page.get_by_role("region", name="Waiting list").wait_for()
    axe(page)
    fits_320()


def test_a_commissioner_hands_over_a_session_whose_runner_has_left(page, axe, fits_320, sign_in):
    left = UserFactory(roles=["staff"], display_name="Daniel Okafor")
    colleague = UserFactory(roles=["staff"], display_name="Grace Adeyemi")
    commissioner = UserFactory(roles=["commissioner"], display_name="Connor Commissioner")
    # At 10am: the edit form takes one day, so a session starting late in the evening would
    # end "before" it started, and saving it would be refused whatever time the test runs.
    morning = timezone.localtime(timezone.now() + timedelta(days=10)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    opportunity = OpportunityFactory(title="Day centre drop-in", created_by=left, starts_at=morning)
    services.sign_up(opportunity, resident=UserFactory(display_name="Priya Shah"))
    revoke_role(left, Role.STAFF)
    sign_in(commissioner)

    page.goto("/opportunities/staff/")
    page.get_by_role("link", name="Hand it to a colleague").click()
    page.get_by_text("Nobody runs it", exact=True).first.wait_for()
    axe(page)
    fits_320()
    page.get_by_role("link", name="Choose who runs it").click()
    runner = page.get_by_label("Who runs this session (only if there is no project)")
    assert runner.input_value() == ""
    assert page.get_by_text("Daniel Okafor can no longer run sessions.").is_visible()
    axe(page)
    fits_320()
    page.get_by_role("button", name="Save").click()
    page.locator(".govuk-error-summary").wait_for()
    assert page.get_by_role("link", name="Choose who runs this session now").is_visible()
    axe(page)
    fits_320()
    runner.select_option(str(colleague.pk))
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Your changes have been saved.").wait_for()
    opportunity.refresh_from_db()
    assert opportunity.created_by == colleague


def test_someone_running_a_booked_session_is_sent_to_hand_it_over_before_leaving(
    page, axe, fits_320, sign_in
):
    staff = UserFactory(roles=["staff"], display_name="Daniel Okafor")
    opportunity = OpportunityFactory(title="Day centre drop-in", created_by=staff)
    services.sign_up(opportunity, resident=UserFactory(display_name="Priya Shah"))
    sign_in(staff)

    page.goto("/my/data/delete/")
    page.get_by_role("heading", name="You cannot delete your account yet").wait_for()
    axe(page)
    fits_320()
    page.get_by_role("link", name="Choose who runs “Day centre drop-in”").click()
    page.get_by_role("heading", name="Change the opportunity").wait_for()
    assert page.get_by_label("Who runs this session (only if there is no project)").is_visible()
