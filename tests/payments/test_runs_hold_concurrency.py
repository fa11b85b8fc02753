"""Payment runs hold claims with an overpayment to decide, whatever happens at the same moment,
on real PostgreSQL: a session's fee corrected down while a run is made, and a commissioner
deciding about the overpayment while a run is made, in either order.

Each test makes the two overlap in the order that races: the first has done its writes and
holds its locks, then the second starts and waits for a lock the first holds, then the first
commits (tests.hub.test_handing_over_concurrency.InTurn)."""

import pytest
from django.utils import timezone

from participation.models import Opportunity
from payments import services
from payments.models import Claim, FeeAdjustment, PaymentRunItem
from payments.services import fee_corrections, runs
from tests.concurrency import run_at_once
from tests.factories import UserFactory
from tests.hub.test_handing_over_concurrency import InTurn

from .test_fee_corrections import (
    BUS,
    HALF_DAY,
    claim_for,
    correct,
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


@pytest.fixture
def approved(session, commissioner):
    """An approved half day (£50 and a £4.60 bus fare), not yet paid."""
    return claim_for(session, Claim.Status.APPROVED, reviewer=commissioner)


@pytest.fixture
def elsewhere(policy, staff, commissioner):
    """An approved claim for another session, so that a run can always be made."""
    return claim_for(half_day_session(staff), Claim.Status.APPROVED, reviewer=commissioner)


def in_run(run, claim) -> bool:
    return PaymentRunItem.objects.filter(run=run, claim=claim).exists()


def test_a_fee_corrected_down_while_a_run_is_made_holds_the_claim(
    monkeypatch, session, staff, commissioner, approved, elsewhere
):
    """The correction has locked the claim and written its overpayment; the run, started
    meanwhile, waits for the claim's lock. Reading overpayments before taking the lock, it
    would pay the approved amount."""
    turns = InTurn()
    monkeypatch.setattr(fee_corrections, "_tell", turns.paused(fee_corrections._tell))

    results, errors = run_at_once(
        [
            lambda: correct(session, by=staff, fee_basis=Opportunity.FeeBasis.PER_ACTIVITY),
            turns.second(lambda: services.create_payment_run(by=commissioner)),
        ]
    )

    assert errors == []
    run = results[1]
    assert in_run(run, elsewhere)
    assert not in_run(run, approved)
    assert FeeAdjustment.objects.to_decide().filter(claim=approved).exists()
    assert Claim.objects.get(pk=approved.pk).payment_run is None


def test_a_decision_made_while_a_run_is_made_lets_that_run_pay_the_claim(
    monkeypatch, commissioner, second_commissioner, approved, elsewhere, session, staff
):
    """The commissioner deciding has locked the claim and the overpayment; the run waits for
    the claim's lock, then sees the decision and pays the claim."""
    correct(session, by=staff, fee_basis=Opportunity.FeeBasis.PER_ACTIVITY)
    overpayment = FeeAdjustment.objects.to_decide().get(claim=approved)
    turns = InTurn()
    monkeypatch.setattr(
        fee_corrections, "lock_fee_adjustment", turns.paused(fee_corrections.lock_fee_adjustment)
    )

    results, errors = run_at_once(
        [
            lambda: services.decide_overpayment(
                overpayment, by=second_commissioner, outcome="left", reason="We pay it."
            ),
            turns.second(lambda: services.create_payment_run(by=commissioner)),
        ]
    )

    assert errors == []
    assert in_run(results[1], approved)
    services.confirm_payment_run(results[1], by=commissioner, paid_on=timezone.localdate())
    assert (paid_out(approved), owed(approved)) == (HALF_DAY + BUS, 0)


def test_a_decision_made_while_a_run_is_being_made_waits_and_the_next_run_pays_the_claim(
    monkeypatch, commissioner, second_commissioner, approved, elsewhere, session, staff
):
    """The run has locked the claims and found the overpayment undecided; the commissioner
    deciding waits for the claim's lock, then decides; the next run pays the claim."""
    correct(session, by=staff, fee_basis=Opportunity.FeeBasis.PER_ACTIVITY)
    overpayment = FeeAdjustment.objects.to_decide().get(claim=approved)
    turns = InTurn()
    monkeypatch.setattr(runs, "_held_in_open_runs", turns.paused(runs._held_in_open_runs))

    results, errors = run_at_once(
        [
            lambda: services.create_payment_run(by=commissioner),
            turns.second(
                lambda: services.decide_overpayment(
                    overpayment, by=second_commissioner, outcome="left", reason="We pay it."
                )
            ),
        ]
    )

    assert errors == []
    first_run = results[0]
    assert in_run(first_run, elsewhere) and not in_run(first_run, approved)
    assert FeeAdjustment.objects.get(pk=overpayment.pk).outcome == "left"
    next_run = services.create_payment_run(by=commissioner)
    assert list(next_run.items.values_list("claim_id", flat=True)) == [approved.pk]
