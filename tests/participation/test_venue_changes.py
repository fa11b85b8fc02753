"""Staff changing a venue: everyone with a place at a session still to come there hears
what changed, once, and their calendars take the new address."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from notifications.models import Message
from participation import services
from participation.models import Opportunity, SignUp

from .factories import OpportunityFactory, SignUpFactory, VenueFactory

pytestmark = pytest.mark.django_db


def venue_data(venue, **changes):
    """The venue form as it is, with `changes`; ticked boxes post "on", unticked nothing."""
    data = {
        "name": venue.name,
        "address": venue.address,
        "postcode": venue.postcode,
        "area": venue.area,
        "access_notes": venue.access_notes,
    }
    for name, _ in venue.ACCESS_FACTS:
        if getattr(venue, name):
            data[name] = "on"
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def save(client, venue, **changes):
    response = client.post(
        reverse("participation:venue_edit", args=[venue.pk]), venue_data(venue, **changes)
    )
    assert response.status_code == 302
    return response


@pytest.fixture
def hall(db):
    return VenueFactory(
        name="Mill Lane Hall", address="1 Mill Lane\nAnytown", postcode="AT1 1AA", step_free=True
    )


@pytest.fixture
def session(hall):
    return OpportunityFactory(in_person=True, venue=hall, title="Carers' lunch", capacity=1)


def told(person):
    return list(Message.objects.filter(kind="opportunity_changed", recipient=person))


def test_a_new_address_reaches_everyone_at_sessions_still_to_come_there_once(
    client, staff, hall, session, make_residents
):
    booked, waiting, left, came_before = make_residents(4)
    services.sign_up(session, resident=booked)
    services.sign_up(session, resident=waiting)
    services.cancel_sign_up(services.sign_up(session, resident=left), by=left)
    past = OpportunityFactory(
        in_person=True, venue=hall, starts_at=timezone.now() - timedelta(days=3)
    )
    SignUpFactory(opportunity=past, resident=came_before)
    client.force_login(staff)

    save(client, hall, address="2 Station Road\nAnytown", postcode="AT1 2BB")
    save(client, hall, address="2 Station Road\nAnytown", postcode="AT1 2BB")  # saved again

    (to_booked,) = told(booked)
    (to_waiting,) = told(waiting)
    assert told(left) == [] and told(came_before) == []
    assert "We have changed the address for Carers' lunch." in to_booked.body_text
    assert "The address is now 2 Station Road, Anytown, AT1 2BB." in to_booked.body_text
    assert "Where: Mill Lane Hall, 2 Station Road, Anytown, AT1 2BB" in to_booked.body_text
    assert "please update it" in to_booked.body_text  # their calendar
    assert "You do not have a place yet" in to_waiting.body_text


def test_losing_step_free_access_is_said_in_plain_words(client, staff, hall, session, resident):
    services.sign_up(session, resident=resident)
    client.force_login(staff)

    save(client, hall, step_free=None, hearing_loop="on")

    (message,) = told(resident)
    assert "We have changed access at the place for Carers' lunch." in message.body_text
    assert "\nStep-free access: no longer.\nHearing loop: yes, now.\n" in message.body_text
    assert "please update it" not in message.body_text  # the calendar says nothing of access


def test_the_sessions_calendar_file_takes_the_new_address(client, staff, hall, session):
    def event():
        response = client.get(reverse("participation:calendar", args=[session.pk]))
        return Calendar.from_ical(response.content).walk("VEVENT")[0]

    an_hour_ago = timezone.now() - timedelta(hours=1)  # SEQUENCE counts seconds since then
    Opportunity.objects.filter(pk=session.pk).update(created_at=an_hour_ago, updated_at=an_hour_ago)
    before = event()
    client.force_login(staff)

    save(client, hall, name="Mill Lane Community Hall")

    after = event()
    assert str(after["LOCATION"]).startswith("Mill Lane Community Hall, 1 Mill Lane")
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])
    assert after["LAST-MODIFIED"].dt > before["LAST-MODIFIED"].dt


def test_words_about_the_venue_or_its_area_tell_nobody(client, staff, hall, session, resident):
    services.sign_up(session, resident=resident)
    client.force_login(staff)

    save(client, hall, area="Southfield", access_notes="Ring the bell at the side door.")
    save(client, hall, address="1  Mill Lane \r\nAnytown")  # only spaces and line endings

    assert told(resident) == []


def test_sessions_not_going_ahead_or_already_started_tell_nobody(
    client, staff, hall, make_residents
):
    now = timezone.now()
    cancelled = OpportunityFactory(in_person=True, venue=hall, status=Opportunity.Status.CANCELLED)
    started = OpportunityFactory(in_person=True, venue=hall, starts_at=now - timedelta(minutes=30))
    people = make_residents(2)
    for opportunity, person in zip([cancelled, started], people, strict=True):
        SignUpFactory(opportunity=opportunity, resident=person)
    client.force_login(staff)

    save(client, hall, step_free=None)

    assert not Message.objects.filter(kind="opportunity_changed").exists()


def test_closed_accounts_are_not_told(client, staff, hall, session, make_residents):
    session.capacity = 5
    session.save()
    gone, here = make_residents(2)
    for person in (gone, here):
        services.sign_up(session, resident=person)
    gone.is_active = False
    gone.save()
    client.force_login(staff)

    save(client, hall, postcode="AT1 9ZZ")

    assert told(gone) == [] and len(told(here)) == 1


def test_the_venue_form_says_who_a_change_will_reach_before_it_is_saved(
    client, staff, hall, session, make_residents
):
    later = OpportunityFactory(in_person=True, venue=hall, capacity=5)
    first, second = make_residents(2)
    services.sign_up(session, resident=first)
    services.sign_up(session, resident=second)  # waiting: the one place is taken
    services.sign_up(later, resident=first)
    assert SignUp.objects.filter(status=SignUp.Status.WAITING).count() == 1
    client.force_login(staff)

    page = client.get(reverse("participation:venue_edit", args=[hall.pk])).text

    assert (
        "2 sessions still to come are at this venue, with 2 people booked, offered a place or "
        "waiting. If you change its name, address or access facts, we will send them a message "
        "saying what changed."
    ) in page
    other = VenueFactory()
    assert (
        "still to come" not in client.get(reverse("participation:venue_edit", args=[other.pk])).text
    )
    assert "still to come" not in client.get(reverse("participation:venue_create")).text
