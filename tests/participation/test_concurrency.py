"""Capacity under real concurrency, on PostgreSQL: threads with their own connections."""

from datetime import timedelta

import pytest
from django.utils import timezone

from participation import services
from participation.models import SignUp
from tests.concurrency import run_at_once
from tests.factories import UserFactory

from .factories import OpportunityFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def full_house():
    """20 people signed up for 5 places, all at the same moment."""
    opportunity = OpportunityFactory(capacity=5)
    people = [UserFactory() for _ in range(20)]

    results, errors = run_at_once(
        [lambda p=p: services.sign_up(opportunity, resident=p) for p in people]
    )

    assert errors == []
    return opportunity, people


def test_twenty_people_at_once_for_five_places_book_exactly_five(full_house):
    opportunity, people = full_house

    signups = SignUp.objects.filter(opportunity=opportunity)
    assert signups.count() == 20
    assert signups.filter(status=SignUp.Status.BOOKED).count() == 5
    waiting = list(signups.filter(status=SignUp.Status.WAITING).with_waiting_position())
    assert len(waiting) == 15
    assert sorted(s.position for s in waiting) == list(range(1, 16))
    # Everyone heard once: a confirmation or a waiting-list message.
    from notifications.models import Message

    assert Message.objects.filter(kind="signup_confirmed").count() == 5
    assert Message.objects.filter(kind="waiting_list_joined").count() == 15


def test_cancellations_offer_places_in_waiting_list_order_and_expired_offers_pass_on(
    full_house,
):
    opportunity, _ = full_house
    queue = list(SignUp.objects.filter(opportunity=opportunity).waiting_in_order())
    booked = list(SignUp.objects.filter(opportunity=opportunity, status=SignUp.Status.BOOKED))

    # Two people cancel at the same moment: the first two waiting get offers, in order.
    _, errors = run_at_once(
        [lambda s=s: services.cancel_sign_up(s, by=s.resident) for s in booked[:2]]
    )
    assert errors == []
    offered = SignUp.objects.filter(opportunity=opportunity, status=SignUp.Status.OFFERED)
    assert set(offered.values_list("pk", flat=True)) == {queue[0].pk, queue[1].pk}
    assert opportunity.signups.holding_place().count() == 5

    # Nobody answers: the sweep (run twice at once, as two workers might) passes both offers on.
    later = timezone.now() + timedelta(hours=49)
    counts, errors = run_at_once([lambda: services.expire_offers(now=later)] * 2)
    assert errors == []
    assert sum(counts) == 2
    offered = SignUp.objects.filter(opportunity=opportunity, status=SignUp.Status.OFFERED)
    assert set(offered.values_list("pk", flat=True)) == {queue[2].pk, queue[3].pk}
    assert SignUp.objects.get(pk=queue[0].pk).status == SignUp.Status.CANCELLED
    assert opportunity.signups.holding_place().count() == 5


def test_two_people_accepting_the_same_freed_place_at_once_end_with_one_booking(full_house):
    opportunity, _ = full_house
    queue = list(SignUp.objects.filter(opportunity=opportunity).waiting_in_order())
    leaver = SignUp.objects.filter(opportunity=opportunity, status=SignUp.Status.BOOKED).first()
    services.cancel_sign_up(leaver, by=leaver.resident)
    first, second = SignUp.objects.get(pk=queue[0].pk), SignUp.objects.get(pk=queue[1].pk)
    assert first.status == SignUp.Status.OFFERED

    # The first person's offer has just run out; at the same moment the sweep passes it to
    # the second person, and both of them click "Accept".
    later = timezone.now() + timedelta(hours=49)
    _, errors = run_at_once(
        [
            lambda: services.accept_offer(first, by=first.resident, now=later),
            lambda: services.expire_offers(now=later),
        ]
    )
    assert all(isinstance(e, services.ParticipationError) for e in errors)
    second.refresh_from_db()
    assert second.status == SignUp.Status.OFFERED
    results, errors = run_at_once(
        [
            lambda: services.accept_offer(first, by=first.resident, now=later),
            lambda: services.accept_offer(second, by=second.resident, now=later),
            # Staff, after a phone call, accept for the second person at the same moment.
            lambda: services.accept_offer(second, by=opportunity.created_by, now=later),
        ]
    )

    assert len(errors) == 1 and isinstance(errors[0], services.ParticipationError)
    assert SignUp.objects.get(pk=first.pk).status == SignUp.Status.CANCELLED
    assert SignUp.objects.get(pk=second.pk).status == SignUp.Status.BOOKED
    assert opportunity.signups.filter(status=SignUp.Status.BOOKED).count() == 5
    assert opportunity.signups.holding_place().count() == 5
    from notifications.models import Message

    # One confirmation for the one booking, however many clicks.
    assert Message.objects.filter(kind="signup_confirmed", recipient=second.resident).count() == 1


def test_the_same_person_signing_up_twice_at_once_gets_one_place():
    opportunity = OpportunityFactory(capacity=5)
    person = UserFactory()

    results, errors = run_at_once([lambda: services.sign_up(opportunity, resident=person)] * 4)

    assert errors == []
    assert len({signup.pk for signup in results}) == 1
    assert SignUp.objects.filter(opportunity=opportunity).count() == 1
