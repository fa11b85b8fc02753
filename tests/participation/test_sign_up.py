from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from notifications.models import Message
from notifications.tasks import deliver_messages
from participation import services
from participation.models import Opportunity, SignUp

from .factories import OpportunityFactory

pytestmark = pytest.mark.django_db


def kinds_for(person):
    return list(Message.objects.filter(recipient=person).values_list("kind", flat=True))


def test_a_resident_books_a_place_and_is_sent_a_confirmation_with_a_calendar_file(
    opportunity, resident
):
    signup = services.sign_up(opportunity, resident=resident, access_needs_note="A break")

    assert signup.status == SignUp.Status.BOOKED
    assert signup.access_needs_note == "A break"
    message = Message.objects.get(recipient=resident)
    assert message.kind == "signup_confirmed"
    assert "Carers' lunch and chat" in message.subject
    deliver_messages([message.pk])
    (email,) = mail.outbox
    assert email.to == [resident.email] and "Carers' lunch and chat" in email.subject
    # A reply reaches the team, and the message says how else to reach them.
    assert email.reply_to == [settings.SUPPORT_EMAIL]
    assert f"call us on {settings.SUPPORT_PHONE}" in email.body
    ((filename, text, mimetype),) = email.attachments
    assert filename == f"opportunity-{opportunity.pk}.ics" and mimetype == "text/calendar"
    assert "BEGIN:VEVENT" in text and "SUMMARY:Carers' lunch and chat" in text
    assert "STATUS:CONFIRMED" in text


def test_signing_up_twice_is_a_no_op(opportunity, resident):
    first = services.sign_up(opportunity, resident=resident)
    second = services.sign_up(opportunity, resident=resident)

    assert first.pk == second.pk
    assert SignUp.objects.filter(resident=resident).count() == 1
    assert opportunity.places_left == opportunity.capacity - 1
    assert kinds_for(resident) == ["signup_confirmed"]


def test_when_full_people_join_the_waiting_list_in_order(make_residents, staff):
    opportunity = OpportunityFactory(capacity=2, created_by=staff)
    people = make_residents(4)

    signups = [services.sign_up(opportunity, resident=p) for p in people]

    assert [s.status for s in signups] == ["booked", "booked", "waiting", "waiting"]
    assert [s.waiting_position for s in signups[2:]] == [1, 2]
    assert kinds_for(people[3]) == ["waiting_list_joined"]
    assert "number 2" in Message.objects.get(recipient=people[3]).body_text


def test_a_cancelled_place_is_offered_to_the_first_person_waiting(make_residents, staff):
    opportunity = OpportunityFactory(capacity=1, created_by=staff)
    first, second, third = make_residents(3)
    booked = services.sign_up(opportunity, resident=first)
    services.sign_up(opportunity, resident=second)
    services.sign_up(opportunity, resident=third)

    services.cancel_sign_up(booked, by=first)

    offered = SignUp.objects.get(resident=second)
    assert offered.status == SignUp.Status.OFFERED
    assert offered.offer_expires_at == pytest.approx(
        timezone.now() + timedelta(hours=48), abs=timedelta(minutes=1)
    )
    assert SignUp.objects.get(resident=third).status == SignUp.Status.WAITING
    assert SignUp.objects.get(resident=third).waiting_position == 1
    assert "place_offered" in kinds_for(second)
    assert "signup_cancelled" in kinds_for(first)


def test_accepting_an_offer_books_the_place(make_residents, staff):
    opportunity = OpportunityFactory(capacity=1, created_by=staff)
    first, second = make_residents(2)
    booked = services.sign_up(opportunity, resident=first)
    services.sign_up(opportunity, resident=second)
    services.cancel_sign_up(booked, by=first)

    signup = services.accept_offer(SignUp.objects.get(resident=second), by=second)

    assert signup.status == SignUp.Status.BOOKED
    assert kinds_for(second).count("signup_confirmed") == 1


@pytest.mark.parametrize(
    ("starts_in", "window", "held_for"),
    [
        (timedelta(days=10), 48, timedelta(hours=48)),  # the usual window
        (timedelta(days=10), 24, timedelta(hours=24)),  # set per opportunity
        (timedelta(hours=20), 48, timedelta(hours=17)),  # ends 3 hours before the start
        (timedelta(hours=2), 48, timedelta(hours=1)),  # but always at least an hour
        (timedelta(minutes=30), 48, timedelta(minutes=30)),  # and never after the start
    ],
)
def test_the_offer_window_shrinks_as_the_session_gets_close(starts_in, window, held_for):
    now = timezone.now()
    opportunity = Opportunity(
        starts_at=now + starts_in, ends_at=now + starts_in, offer_window_hours=window
    )

    assert opportunity.offer_expiry(now) == now + held_for


def test_an_expired_offer_passes_to_the_next_person(make_residents, staff):
    opportunity = OpportunityFactory(capacity=1, created_by=staff)
    first, second, third = make_residents(3)
    booked = services.sign_up(opportunity, resident=first)
    services.sign_up(opportunity, resident=second)
    services.sign_up(opportunity, resident=third)
    services.cancel_sign_up(booked, by=first)

    later = timezone.now() + timedelta(hours=49)
    assert services.expire_offers(now=later) == 1

    assert SignUp.objects.get(resident=second).status == SignUp.Status.CANCELLED
    assert SignUp.objects.get(resident=third).status == SignUp.Status.OFFERED
    assert "offer_expired" in kinds_for(second)
    assert services.expire_offers(now=later) == 0


def test_the_offer_window_is_shortened_when_the_session_is_close(make_residents, staff):
    starts = timezone.now() + timedelta(hours=20)
    opportunity = OpportunityFactory(
        capacity=1, created_by=staff, starts_at=starts, ends_at=starts + timedelta(hours=1)
    )
    first, second = make_residents(2)
    booked = services.sign_up(opportunity, resident=first)
    services.sign_up(opportunity, resident=second)
    services.cancel_sign_up(booked, by=first)

    offer = SignUp.objects.get(resident=second)
    assert offer.offer_expires_at == starts - timedelta(hours=3)


def _one_offer_and_one_waiting(make_residents, staff, **fields):
    opportunity = OpportunityFactory(capacity=1, created_by=staff, **fields)
    first, second, third = make_residents(3)
    booked = services.sign_up(opportunity, resident=first)
    services.sign_up(opportunity, resident=second)
    services.sign_up(opportunity, resident=third)
    services.cancel_sign_up(booked, by=first)
    return opportunity, SignUp.objects.get(resident=second), SignUp.objects.get(resident=third)


def test_calling_a_session_off_ends_its_offers_and_waiting_list(make_residents, staff):
    opportunity, offer, waiting = _one_offer_and_one_waiting(make_residents, staff)
    services.sign_up(opportunity, resident=make_residents(1)[0])  # waits behind them

    services.cancel_opportunity(opportunity, by=staff, reason="The room flooded.")

    offer.refresh_from_db()
    waiting.refresh_from_db()
    assert offer.status == waiting.status == SignUp.Status.CANCELLED
    assert offer.offer_expires_at is None
    assert opportunity.signups.filter(status=SignUp.Status.WAITING).count() == 0
    # Everyone was told, before their places ended.
    assert "opportunity_cancelled" in kinds_for(offer.resident)
    assert "opportunity_cancelled" in kinds_for(waiting.resident)


def test_moving_a_session_earlier_shortens_offers_made_for_the_old_time(make_residents, staff):
    opportunity, offer, _ = _one_offer_and_one_waiting(make_residents, staff)
    assert offer.offer_expires_at > timezone.now() + timedelta(hours=47)
    new_start = timezone.now() + timedelta(hours=10)

    services.update_opportunity(
        opportunity, by=staff, starts_at=new_start, ends_at=new_start + timedelta(hours=2)
    )

    offer.refresh_from_db()
    assert offer.offer_expires_at == new_start - timedelta(hours=3)


def test_an_offer_cannot_be_accepted_once_the_session_has_started(make_residents, staff):
    opportunity, offer, _ = _one_offer_and_one_waiting(make_residents, staff)
    # Staff moved the start into the past minutes ago; the offer's clock still runs.
    Opportunity.objects.filter(pk=opportunity.pk).update(
        starts_at=timezone.now() - timedelta(minutes=5)
    )

    with pytest.raises(services.ParticipationError, match="already started"):
        services.accept_offer(offer, by=offer.resident)

    offer.refresh_from_db()
    assert offer.status == SignUp.Status.OFFERED


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"status": Opportunity.Status.CANCELLED}, "cancelled"),
        ({"status": Opportunity.Status.CLOSED}, "closed"),
        ({"signup_deadline": timezone.now() - timedelta(hours=1)}, "deadline"),
        (
            {
                "starts_at": timezone.now() - timedelta(days=1),
                "ends_at": timezone.now() - timedelta(hours=22),
            },
            "already taken place",
        ),
    ],
)
def test_sign_up_is_refused_with_a_clear_reason(resident, staff, changes, message):
    opportunity = OpportunityFactory(created_by=staff, **changes)

    with pytest.raises(services.ParticipationError, match=message):
        services.sign_up(opportunity, resident=resident)
    assert not SignUp.objects.exists()


def test_people_without_the_resident_role_cannot_sign_up(opportunity, other_staff):
    with pytest.raises(services.ParticipationError, match="Only residents"):
        services.sign_up(opportunity, resident=other_staff)


def test_signing_up_again_after_cancelling_goes_to_the_back_of_the_queue(make_residents):
    opportunity = OpportunityFactory(capacity=1)
    first, second, third = make_residents(3)
    services.sign_up(opportunity, resident=first)
    waiting = services.sign_up(opportunity, resident=second)
    services.sign_up(opportunity, resident=third)
    services.cancel_sign_up(waiting, by=second)

    again = services.sign_up(opportunity, resident=second)

    assert again.pk == waiting.pk
    assert again.status == SignUp.Status.WAITING and again.waiting_position == 2
    assert kinds_for(second).count("waiting_list_joined") == 2  # a new event, a new message


def test_staff_may_add_someone_after_the_deadline_but_not_to_a_cancelled_session(resident, staff):
    late = OpportunityFactory(created_by=staff, signup_deadline=timezone.now() - timedelta(hours=1))
    cancelled = OpportunityFactory(created_by=staff, status=Opportunity.Status.CANCELLED)

    signup = services.sign_up(late, resident=resident, by=staff)

    assert signup.status == SignUp.Status.BOOKED and signup.signed_up_by == staff
    with pytest.raises(services.ParticipationError, match="cancelled"):
        services.sign_up(cancelled, resident=resident, by=staff)
