"""Claims left with no commissioner who may decide them by two things at the same moment, on real
PostgreSQL: a claim sent while the only other commissioner declares a conflict of interest with
the person, and the only two commissioners declaring one at once. Neither transaction sees the
other's change, so neither could tell by itself; checked after commit, the administrators hear,
and hear once. Nor do two of the hourly checks at once tell them twice.

Each test holds both transactions open until both have made their change (so each reads the
other's as not made), then lets both commit, and starts both checks together."""

import threading

import pytest

from coprod_hub.users.roles import Role
from notifications.models import Message
from payments import services
from payments.models import Claim, ConflictOfInterest
from payments.services import claims as claim_services
from payments.services import conflicts as conflict_services
from payments.services import deciders
from tests.concurrency import run_at_once
from tests.factories import UserFactory
from tests.hub.test_handing_over_concurrency import InTurn

from .factories import SignUpFactory, claim_in_state, make_policy

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _both_at_once(monkeypatch):
    """From now on, hold each transaction open until the other has made its change too, then
    start both checks for the administrators together."""
    changed, checking = threading.Barrier(2), threading.Barrier(2)

    def held(register):
        def made_the_change_then_wait(row):
            register(row)
            changed.wait(timeout=20)

        return made_the_change_then_wait

    check = deciders.tell_administrators

    def together(claims):
        checking.wait(timeout=20)
        return check(claims)

    monkeypatch.setattr(
        claim_services, "tell_after_sending", held(claim_services.tell_after_sending)
    )
    monkeypatch.setattr(
        conflict_services, "tell_after_conflict", held(conflict_services.tell_after_conflict)
    )
    monkeypatch.setattr(deciders, "tell_administrators", together)


def _told():
    return Message.objects.filter(kind=deciders.KIND)


def test_a_claim_sent_as_the_only_other_commissioner_declares_a_conflict(
    monkeypatch, commissioner, resident, admin_user
):
    make_policy()
    other = UserFactory(display_name="Cleo Second", roles=[Role.COMMISSIONER])
    claim = services.start_claim(
        SignUpFactory(resident=resident), by=commissioner, on_behalf_note="They phoned me"
    )
    services.update_claim_details(
        claim,
        by=commissioner,
        payment_method=Claim.PaymentMethod.BANK_TRANSFER,
        employed_by_partner=False,
        not_part_of_paid_job=False,
    )
    # Before either commits, each would see `other` as able to decide it.
    assert not Claim.objects.no_commissioner_may_decide().exists()
    _both_at_once(monkeypatch)

    results, errors = run_at_once(
        [
            lambda: services.submit_claim(
                Claim.objects.get(pk=claim.pk), by=commissioner, benefits_acknowledged=True
            ),
            lambda: services.declare_conflict(
                commissioner=other, person=resident, reason="My neighbour"
            ),
        ]
    )

    assert errors == []
    assert Claim.objects.get(pk=claim.pk).status == Claim.Status.SUBMITTED
    assert ConflictOfInterest.objects.active().filter(commissioner=other).exists()
    message = _told().get()
    assert message.recipient == admin_user
    assert claim.reference in message.body_text


def test_the_only_two_commissioners_declaring_a_conflict_at_once(
    monkeypatch, commissioner, resident, admin_user
):
    make_policy()
    other = UserFactory(display_name="Cleo Second", roles=[Role.COMMISSIONER])
    claim = claim_in_state(resident)
    _both_at_once(monkeypatch)

    results, errors = run_at_once(
        [
            lambda deciding=deciding: services.declare_conflict(
                commissioner=deciding, person=resident, reason="We are related"
            )
            for deciding in (commissioner, other)
        ]
    )

    assert errors == []
    assert ConflictOfInterest.objects.active().count() == 2
    message = _told().get()
    assert message.subject == f"No commissioner may decide claim {claim.reference}"


def test_two_hourly_checks_at_once_tell_the_administrators_once(
    monkeypatch, commissioner, resident, admin_user
):
    """Two workers running the hourly check at the same moment (beat sent it twice, say), for
    claims whose checks after commit were lost: the first pauses once it has read what to tell,
    until the second has finished or waits for its lock."""
    make_policy()
    other_admin = UserFactory(roles=[], is_superuser=True, is_staff=True)
    ConflictOfInterest.objects.create(commissioner=commissioner, person=resident, reason="Friend")
    # The process stops after each is sent, before its check after commit runs.
    with monkeypatch.context() as crash:
        crash.setattr(claim_services, "tell_after_sending", lambda claim: None)
        first, second = claim_in_state(resident), claim_in_state(resident)
    assert not _told().exists()
    turns = InTurn()
    monkeypatch.setattr(deciders, "what_left_it", turns.paused(deciders.what_left_it))

    results, errors = run_at_once(
        [
            deciders.tell_of_every_claim_nobody_may_decide,
            turns.second(deciders.tell_of_every_claim_nobody_may_decide),
        ]
    )

    assert errors == []
    assert results == [2, 0]  # the second waited, then found them told
    assert sorted(_told().values_list("recipient_id", flat=True)) == sorted(
        [admin_user.pk, other_admin.pk]
    )
    message = _told().filter(recipient=admin_user).get()
    assert first.reference in message.body_text and second.reference in message.body_text
