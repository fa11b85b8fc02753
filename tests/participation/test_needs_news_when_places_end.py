"""Staff told that someone with a place needs something to take part (an interpreter, say)
hear when that place ends before the session, so support is not kept for nobody."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from notifications.models import Message
from participation import services
from participation.models import Profile
from tests.factories import UserFactory

from .factories import OpportunityFactory, ProjectFactory

pytestmark = pytest.mark.django_db

ENDED = "access_needs_place_ended"


def _soon(**fields):
    return OpportunityFactory(starts_at=timezone.now() + timedelta(days=3), **fields)


def _told(kind=ENDED):
    return list(Message.objects.filter(kind=kind).select_related("recipient").order_by("pk"))


def test_staff_told_of_someone_s_needs_hear_when_they_cancel(client, resident, staff):
    opportunity = _soon(created_by=staff)
    place = services.sign_up(opportunity, resident=resident, access_needs_note="BSL interpreter")
    assert [m.recipient for m in _told("access_needs_changed")] == [staff]

    services.cancel_sign_up(place, by=resident)
    services.cancel_sign_up(place, by=resident)  # twice: told once

    (message,) = _told()
    assert message.recipient == staff
    assert message.subject == f"Support may no longer be needed at {opportunity.title}"
    assert "They no longer have a place." in message.body_text
    assert place.get_absolute_url() in message.body_text
    # Neither what they need nor who they are is in an email.
    assert "BSL" not in message.body_text + message.subject
    assert resident.display_name not in message.body_text + message.subject
    # The link opens the place, which staff running the session may see.
    client.force_login(staff)
    assert client.get(place.get_absolute_url()).status_code == 200


def test_they_hear_when_staff_cancel_the_place_too(resident, staff):
    place = services.sign_up(_soon(created_by=staff), resident=resident, access_needs_note="Quiet")

    services.cancel_sign_up(place, by=staff, reason="You told us you cannot come.")

    assert [m.recipient for m in _told()] == [staff]


def test_nobody_hears_about_a_place_whose_needs_they_were_never_told(
    resident, other_resident, staff
):
    # Weeks ahead: staff read the page before the day, so were not sent news of the needs.
    later = OpportunityFactory(created_by=staff, starts_at=timezone.now() + timedelta(days=30))
    weeks_ahead = services.sign_up(later, resident=resident, access_needs_note="Hearing loop")
    nothing_needed = services.sign_up(_soon(created_by=staff), resident=other_resident)

    services.cancel_sign_up(weeks_ahead, by=resident)
    services.cancel_sign_up(nothing_needed, by=other_resident)

    assert _told() == []


def test_an_offer_that_runs_out_is_told_like_a_cancellation(resident, other_resident, staff):
    opportunity = _soon(created_by=staff, capacity=1)
    booked = services.sign_up(opportunity, resident=other_resident)
    Profile.objects.create(
        user=resident, access_needs="I use a wheelchair", access_needs_consent_at=timezone.now()
    )
    offered = services.sign_up(opportunity, resident=resident)
    services.cancel_sign_up(booked, by=other_resident)  # a place is offered: staff are told
    offered.refresh_from_db()

    services.expire_offers(now=offered.offer_expires_at + timedelta(minutes=1))

    assert [m.recipient for m in _told()] == [staff]


def test_only_the_staff_who_were_told_hear(resident, staff, other_staff):
    project = ProjectFactory(owner=staff)
    place = services.sign_up(_soon(project=project), resident=resident, access_needs_note="Quiet")
    project.team.add(other_staff)  # joined after the news: has nothing to undo

    services.cancel_sign_up(place, by=resident)

    assert [m.recipient for m in _told()] == [staff]


def test_booking_again_without_news_of_needs_brings_no_second_message(resident, staff):
    opportunity = _soon(created_by=staff)
    place = services.sign_up(opportunity, resident=resident, access_needs_note="Quiet")
    services.cancel_sign_up(place, by=resident)
    again = services.sign_up(opportunity, resident=resident)  # nothing needed this time
    services.cancel_sign_up(again, by=resident)
    assert len(_told()) == 1

    # The next day, booked once more with needs: staff are told of them (news of needs comes
    # once a place a day), and so of this place ending too.
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        third = services.sign_up(opportunity, resident=resident, access_needs_note="Quiet seat")
        services.cancel_sign_up(third, by=resident)

    assert len(_told()) == 2


def test_a_place_freed_by_erasing_the_account_points_to_the_session(resident, staff):
    opportunity = _soon(created_by=staff)
    services.sign_up(opportunity, resident=resident, access_needs_note="BSL interpreter")

    services.withdraw_for_erasure(resident)

    (message,) = _told()
    manage = reverse("participation:manage", args=[opportunity.pk])
    assert "See who has a place now: http" in message.body_text
    assert message.body_text.rstrip().endswith(manage)


def test_staff_hear_by_text_message_too(settings, resident):
    settings.NOTIFY_API_KEY = "test-key"
    staff = UserFactory(display_name="Tex Staff", roles=["staff"])
    Profile.objects.create(user=staff, contact_by=Profile.ContactBy.TEXT, phone="07700 900 982")
    place = services.sign_up(_soon(created_by=staff), resident=resident, access_needs_note="Quiet")

    services.cancel_sign_up(place, by=resident)

    (message,) = _told()
    assert message.channel == Message.Channel.SMS
    assert "no longer has a place. Cancel any support you arranged for them" in message.body_text
