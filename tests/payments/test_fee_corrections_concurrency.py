"""A session's fee corrected while commissioners approve, pay and decide, on real PostgreSQL: a
top-up is approved and paid once, whoever clicks twice or whatever happens at the same
moment."""

import pytest
from django.utils import timezone

from notifications.models import Message
from participation.models import Opportunity
from payments import services
from payments.models import Claim, FeeAdjustment, LedgerEntry, PaymentRun, PaymentRunItem
from payments.services import PaymentError
from tests.concurrency import exactly_one_refused, run_at_once
from tests.factories import UserFactory

from .test_fee_corrections import (
    BUS,
    FULL_DAY,
    HALF_DAY,
    approve_top_ups,
    claim_for,
    correct,
    correct_and_approve,
    half_day_session,
    owed,
    paid_out,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def session(policy, staff):
    return half_day_session(staff)


@pytest.fixture
def second_commissioner(db):
    return UserFactory(display_name="Cleo Second", roles=["commissioner"])


def _pay_every_run(by):
    for run in PaymentRun.objects.filter(status=PaymentRun.Status.EXPORTED):
        services.confirm_payment_run(run, by=by, paid_on=timezone.localdate())


def test_two_runs_made_at_once_pay_a_top_up_once(session, staff, commissioner, second_commissioner):
    paid = claim_for(session, Claim.Status.PAID, reviewer=commissioner)
    approved = claim_for(session, Claim.Status.APPROVED, reviewer=commissioner)
    correct_and_approve(session, by=staff, commissioner=commissioner)

    _, errors = run_at_once(
        [
            lambda: services.create_payment_run(by=commissioner),
            lambda: services.create_payment_run(by=second_commissioner),
        ]
    )

    assert exactly_one_refused(errors, PaymentError), errors
    assert PaymentRunItem.objects.filter(claim=paid, run__status="exported").count() == 1
    assert PaymentRunItem.objects.filter(claim=approved).count() == 1
    _pay_every_run(commissioner)
    for claim in (paid, approved):
        assert (paid_out(claim), owed(claim)) == (FULL_DAY + BUS, 0)
    with pytest.raises(PaymentError):
        services.create_payment_run(by=commissioner)


def test_a_double_click_on_making_a_run_with_only_a_top_up_makes_one_run(
    session, staff, commissioner
):
    paid = claim_for(session, Claim.Status.PAID, reviewer=commissioner)
    correct_and_approve(session, by=staff, commissioner=commissioner)
    runs_before = PaymentRun.objects.count()

    _, errors = run_at_once([lambda: services.create_payment_run(by=commissioner)] * 2)

    assert exactly_one_refused(errors, PaymentError), errors
    assert PaymentRun.objects.count() == runs_before + 1
    _pay_every_run(commissioner)
    assert (paid_out(paid), owed(paid)) == (FULL_DAY + BUS, 0)
    assert FeeAdjustment.objects.get(claim=paid).paid_on == timezone.localdate()


def test_correcting_the_fee_while_a_run_is_made_never_pays_the_difference_twice(
    session, staff, commissioner
):
    claims = [
        claim_for(session, status, reviewer=commissioner)
        for status in (Claim.Status.PAID, Claim.Status.APPROVED)
    ]

    _, errors = run_at_once(
        [
            lambda: correct(session, by=staff),
            lambda: services.create_payment_run(by=commissioner),
        ]
    )

    assert errors == []
    approve_top_ups(by=commissioner)
    # Whichever came first, every run that can be made is made and paid: each person ends up
    # paid the corrected fee and their expenses, once.
    for _ in range(3):
        _pay_every_run(commissioner)
        try:
            services.create_payment_run(by=commissioner)
        except PaymentError:
            break
    for claim in claims:
        assert (paid_out(claim), owed(claim)) == (FULL_DAY + BUS, 0)


def test_correcting_the_fee_while_a_commissioner_approves_gives_the_corrected_amount(
    session, staff, commissioner
):
    claim = claim_for(session, Claim.Status.SUBMITTED, reviewer=commissioner)

    _, errors = run_at_once(
        [
            lambda: correct(session, by=staff),
            lambda: services.approve_claim(Claim.objects.get(pk=claim.pk), by=commissioner),
        ]
    )

    assert errors == []
    # Approved at the old fee then a top-up to approve, or corrected first and approved at the
    # new one.
    approve_top_ups(by=commissioner)
    claim = Claim.objects.get(pk=claim.pk)
    assert claim.status == Claim.Status.APPROVED
    assert claim.approved_fee_pence == FULL_DAY
    assert owed(claim) == FULL_DAY + BUS


def test_saving_the_same_correction_twice_at_once_corrects_the_claims_once(
    session, staff, commissioner
):
    claim = claim_for(session, Claim.Status.PAID, reviewer=commissioner)
    draft = claim_for(session, Claim.Status.DRAFT, reviewer=commissioner)

    _, errors = run_at_once([lambda: correct(session, by=staff)] * 2)

    assert errors == []
    assert Opportunity.objects.get(pk=session.pk).fee_basis == "full_day"
    assert FeeAdjustment.objects.to_approve().get(claim=claim).amount_pence == FULL_DAY - HALF_DAY
    assert owed(claim) == 0  # until a commissioner approves it
    assert Message.objects.filter(kind="claim_fee_changed", recipient=draft.claimant).count() == 1
    approve_top_ups(by=commissioner)
    assert owed(claim) == FULL_DAY - HALF_DAY
    assert Message.objects.filter(kind="claim_top_up", recipient=claim.claimant).count() == 1
    assert LedgerEntry.objects.filter(claim=claim, kind="correction").count() == 2  # fee, bus


def test_two_commissioners_deciding_an_overpayment_at_once_record_one_decision(
    session, staff, commissioner, second_commissioner
):
    claim = claim_for(session, Claim.Status.PAID, reviewer=commissioner)
    correct(session, by=staff, fee_basis=Opportunity.FeeBasis.PER_ACTIVITY)
    overpayment = FeeAdjustment.objects.get(claim=claim)

    _, errors = run_at_once(
        [
            lambda: services.decide_overpayment(
                FeeAdjustment.objects.get(pk=overpayment.pk),
                by=commissioner,
                outcome="left",
                reason="Small",
            ),
            lambda: services.decide_overpayment(
                FeeAdjustment.objects.get(pk=overpayment.pk),
                by=second_commissioner,
                outcome="recover",
                reason="Ask",
            ),
        ]
    )

    assert exactly_one_refused(errors, PaymentError), errors
    overpayment.refresh_from_db()
    assert overpayment.outcome in ("left", "recover")


def _again(top_up):
    return FeeAdjustment.objects.get(pk=top_up.pk)


def test_two_commissioners_approving_a_top_up_at_once_correct_the_ledger_once(
    session, staff, commissioner, second_commissioner
):
    claim = claim_for(session, Claim.Status.PAID, reviewer=commissioner)
    correct(session, by=staff)
    top_up = FeeAdjustment.objects.get(claim=claim)

    _, errors = run_at_once(
        [
            lambda: services.approve_top_up(_again(top_up), by=commissioner),
            lambda: services.approve_top_up(_again(top_up), by=second_commissioner),
        ]
    )

    assert exactly_one_refused(errors, PaymentError), errors
    assert LedgerEntry.objects.filter(claim=claim, kind="correction").count() == 2  # fee, bus
    assert LedgerEntry.objects.filter(claim=claim, kind="reversal").count() == 2
    assert owed(claim) == FULL_DAY - HALF_DAY
    assert Message.objects.filter(kind="claim_top_up", recipient=claim.claimant).count() == 1
    run = services.create_payment_run(by=commissioner)
    assert run.items.get().total_pence == FULL_DAY - HALF_DAY


def test_a_double_click_on_approving_a_top_up_approves_it_once(session, staff, commissioner):
    claim = claim_for(session, Claim.Status.APPROVED, reviewer=commissioner)
    correct(session, by=staff)
    top_up = FeeAdjustment.objects.get(claim=claim)

    _, errors = run_at_once([lambda: services.approve_top_up(_again(top_up), by=commissioner)] * 2)

    assert exactly_one_refused(errors, PaymentError), errors
    assert Claim.objects.get(pk=claim.pk).approved_fee_pence == FULL_DAY
    assert owed(claim) == FULL_DAY + BUS
    assert LedgerEntry.objects.filter(claim=claim, kind="correction").count() == 2


def test_approving_and_refusing_a_top_up_at_once_records_one_decision(
    session, staff, commissioner, second_commissioner
):
    claim = claim_for(session, Claim.Status.PAID, reviewer=commissioner)
    correct(session, by=staff)
    top_up = FeeAdjustment.objects.get(claim=claim)

    _, errors = run_at_once(
        [
            lambda: services.approve_top_up(_again(top_up), by=commissioner),
            lambda: services.refuse_top_up(
                _again(top_up), by=second_commissioner, reason="Half day"
            ),
        ]
    )

    assert exactly_one_refused(errors, PaymentError), errors
    top_up.refresh_from_db()
    if top_up.outcome == FeeAdjustment.Outcome.REFUSED:
        assert owed(claim) == 0
        assert not LedgerEntry.objects.filter(claim=claim, kind="correction").exists()
    else:
        assert top_up.approved_at is not None
        assert owed(claim) == FULL_DAY - HALF_DAY


def test_correcting_again_while_a_commissioner_approves_owes_only_the_latest_fee(
    session, staff, commissioner
):
    claim = claim_for(session, Claim.Status.APPROVED, reviewer=commissioner)
    correct(session, by=staff)  # full day: £40 more, to approve
    top_up = FeeAdjustment.objects.get(claim=claim)

    _, errors = run_at_once(
        [
            lambda: correct(session, by=staff, fee_basis=Opportunity.FeeBasis.HALF_DAY),
            lambda: services.approve_top_up(_again(top_up), by=commissioner),
        ]
    )

    # Approved first then cancelled by the correction back to a half day, or replaced first
    # and the approval refused: either way nothing more is owed, and nothing waits.
    assert len(errors) <= 1
    assert all(isinstance(error, PaymentError) for error in errors), errors
    claim = Claim.objects.get(pk=claim.pk)
    assert (claim.approved_fee_pence, owed(claim)) == (HALF_DAY, HALF_DAY + BUS)
    assert not FeeAdjustment.objects.filter(outcome="").exists()
