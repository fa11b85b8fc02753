"""Money asked back, recorded at the same moment on real PostgreSQL: a payment clicked twice,
or recorded by two commissioners at once, is recorded once, and never more than is owed back."""

import pytest
from django.utils import timezone

from notifications.models import Message
from participation.models import Opportunity
from payments import services
from payments.models import Claim, FeeAdjustment, LedgerEntry
from payments.services import PaymentError
from tests.concurrency import exactly_one_refused, run_at_once
from tests.factories import UserFactory

from .test_fee_corrections import claim_for, correct, half_day_session

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

OVERPAID = 2500


@pytest.fixture
def asked_back(policy, staff, commissioner):
    session = half_day_session(staff)
    claim = claim_for(session, Claim.Status.PAID, reviewer=commissioner)
    correct(session, by=staff, fee_basis=Opportunity.FeeBasis.PER_ACTIVITY)
    adjustment = FeeAdjustment.objects.get(claim=claim)
    services.decide_overpayment(adjustment, by=commissioner, outcome="recover", reason="Asked")
    return adjustment


@pytest.fixture
def second_commissioner(db):
    return UserFactory(display_name="Cleo Second", roles=["commissioner"])


def _record(adjustment, by, pence, **kwargs):
    return lambda: services.record_money_back(
        FeeAdjustment.objects.get(pk=adjustment.pk),
        by=by,
        amount_pence=pence,
        received_on=timezone.localdate(),
        **kwargs,
    )


def _repayments(adjustment):
    return LedgerEntry.objects.filter(claim=adjustment.claim, kind=LedgerEntry.Kind.REPAYMENT)


def test_a_double_click_records_the_payment_once(asked_back, commissioner):
    # Both requests come from the same page, which said £25 was still to come back.
    record = _record(asked_back, commissioner, 1000, still_asked_back_pence=OVERPAID)

    _, errors = run_at_once([record, record])

    assert exactly_one_refused(errors, PaymentError), errors
    assert [entry.amount_pence for entry in _repayments(asked_back)] == [-1000]
    assert FeeAdjustment.objects.get(pk=asked_back.pk).recovered_pence == 1000
    received = Message.objects.filter(
        kind="claim_money_back_received", recipient=asked_back.claim.claimant
    )
    assert received.count() == 1


def test_two_commissioners_recording_the_same_payment_record_it_once(
    asked_back, commissioner, second_commissioner
):
    _, errors = run_at_once(
        [
            _record(asked_back, commissioner, OVERPAID, still_asked_back_pence=OVERPAID),
            _record(asked_back, second_commissioner, OVERPAID, still_asked_back_pence=OVERPAID),
        ]
    )

    assert exactly_one_refused(errors, PaymentError), errors
    assert _repayments(asked_back).count() == 1
    adjustment = FeeAdjustment.objects.get(pk=asked_back.pk)
    assert adjustment.is_repaid and adjustment.recovered_pence == OVERPAID


def test_two_payments_at_once_never_take_back_more_than_is_owed(
    asked_back, commissioner, second_commissioner
):
    # Without the page's figure (another caller of the service): the amount still owed back is
    # the only limit, checked under the row lock.
    _, errors = run_at_once(
        [
            _record(asked_back, commissioner, 2000),
            _record(asked_back, second_commissioner, 2000),
        ]
    )

    assert exactly_one_refused(errors, PaymentError), errors
    assert "cannot be more than the £5 still to pay back" in str(errors[0])
    total = sum(entry.amount_pence for entry in _repayments(asked_back))
    assert total == -2000
    assert FeeAdjustment.objects.get(pk=asked_back.pk).recovered_pence == 2000


def test_recording_money_while_another_stops_asking_leaves_one_consistent_answer(
    asked_back, commissioner, second_commissioner
):
    _, errors = run_at_once(
        [
            _record(asked_back, commissioner, OVERPAID),
            lambda: services.stop_asking_for_money_back(
                FeeAdjustment.objects.get(pk=asked_back.pk),
                by=second_commissioner,
                reason="Hardship",
            ),
        ]
    )

    assert exactly_one_refused(errors, PaymentError), errors
    adjustment = FeeAdjustment.objects.get(pk=asked_back.pk)
    repaid = sum(-entry.amount_pence for entry in _repayments(asked_back))
    assert repaid == adjustment.recovered_pence
    assert adjustment.is_repaid != (adjustment.stopped_asking_at is not None)


def test_the_bank_returning_the_payment_while_money_back_is_recorded_has_one_outcome(
    asked_back, commissioner, second_commissioner
):
    """The bank's return and a commissioner recording £10 received back, at the same moment.
    Either the money was recorded first, and the return owes it back to the person, or the
    return was first, and there is nothing left to record it against. Never money paid back
    counted against a payment that came back."""
    claim = Claim.objects.get(pk=asked_back.claim_id)

    _, errors = run_at_once(
        [
            _record(asked_back, second_commissioner, 1000),
            lambda: services.record_payment_returned(
                claim.payment_run, claim, by=commissioner, reason="The account was closed"
            ),
        ]
    )

    adjustment = FeeAdjustment.objects.get(pk=asked_back.pk)
    assert adjustment.payment_came_back and not adjustment.can_take_money_back
    assert not FeeAdjustment.objects.asked_back().exists()
    amounts = sorted(entry.amount_pence for entry in _repayments(asked_back))
    if errors:  # the return went first
        assert exactly_one_refused(errors, PaymentError), errors
        assert "Nothing is still asked back" in str(errors[0])
        assert amounts == [] and adjustment.recovered_pence == 0
    else:  # the money went first: what came back is owed to them again
        assert amounts == [-1000, 1000] and adjustment.recovered_pence == 1000
    claim = Claim.objects.get(pk=claim.pk)
    assert claim.status == Claim.Status.APPROVED
    ledger = LedgerEntry.objects.filter(claim=claim)
    assert ledger.balance() == claim.approved_total_pence  # owed and paid add up, once
    assert Message.objects.filter(kind="claim_not_paid", recipient=claim.claimant).count() == 1
