"""Two commissioners at once, on real PostgreSQL: one approval, one payment, never two."""

import pytest
from django.utils import timezone

from payments import services
from payments.models import Claim, ClaimEvent, LedgerEntry, PaymentRun, PaymentRunItem
from payments.services import PaymentError
from tests.concurrency import exactly_one_refused, run_at_once
from tests.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_commissioners_approving_at_once_give_one_approval(make_claim, resident):
    claim = make_claim(resident)
    first = UserFactory(roles=["commissioner"])
    second = UserFactory(roles=["commissioner"])

    _, errors = run_at_once(
        [
            lambda: services.approve_claim(Claim.objects.get(pk=claim.pk), by=first),
            lambda: services.approve_claim(Claim.objects.get(pk=claim.pk), by=second),
        ]
    )

    assert exactly_one_refused(errors, PaymentError), errors
    assert LedgerEntry.objects.filter(claim=claim, kind="approval").count() == 2  # fee + bus
    assert LedgerEntry.objects.owed().balance() == 4460
    assert ClaimEvent.objects.filter(claim=claim, to_status="approved").count() == 1


def test_confirming_a_run_twice_at_once_pays_nothing_twice(make_claim, resident, other_resident):
    commissioner = UserFactory(roles=["commissioner"])
    other_commissioner = UserFactory(roles=["commissioner"])
    for person in (resident, other_resident):
        make_claim(person, status=Claim.Status.APPROVED, reviewer=commissioner)
    run = services.create_payment_run(by=commissioner)
    today = timezone.localdate()

    _, errors = run_at_once(
        [
            lambda: services.confirm_payment_run(
                PaymentRun.objects.get(pk=run.pk), by=commissioner, paid_on=today
            ),
            lambda: services.confirm_payment_run(
                PaymentRun.objects.get(pk=run.pk), by=other_commissioner, paid_on=today
            ),
        ]
    )

    assert exactly_one_refused(errors, PaymentError), errors
    assert LedgerEntry.objects.paid_out().balance() == 2 * 4460
    assert LedgerEntry.objects.owed().balance() == 0
    assert ClaimEvent.objects.filter(to_status="paid").count() == 2
    assert set(Claim.objects.values_list("status", flat=True)) == {"paid"}


def test_two_runs_made_at_once_never_hold_the_same_claim(make_claim, resident, other_resident):
    commissioner = UserFactory(roles=["commissioner"])
    for person in (resident, other_resident):
        make_claim(person, status=Claim.Status.APPROVED, reviewer=commissioner)

    _, errors = run_at_once(
        [
            lambda: services.create_payment_run(by=commissioner),
            lambda: services.create_payment_run(by=commissioner),
        ]
    )

    assert exactly_one_refused(errors, PaymentError), errors
    assert PaymentRunItem.objects.count() == 2
    assert PaymentRun.objects.count() == 1


def test_taking_a_claim_out_while_the_run_is_confirmed_never_pays_and_removes_it(
    make_claim, resident, other_resident
):
    commissioner = UserFactory(roles=["commissioner"])
    other_commissioner = UserFactory(roles=["commissioner"])
    bounced = make_claim(resident, status=Claim.Status.APPROVED, reviewer=commissioner)
    make_claim(other_resident, status=Claim.Status.APPROVED, reviewer=commissioner)
    run = services.create_payment_run(by=commissioner)
    today = timezone.localdate()

    _, errors = run_at_once(
        [
            lambda: services.confirm_payment_run(
                PaymentRun.objects.get(pk=run.pk), by=commissioner, paid_on=today
            ),
            lambda: services.take_out_of_run(
                PaymentRun.objects.get(pk=run.pk),
                Claim.objects.get(pk=bounced.pk),
                by=other_commissioner,
                reason="The bank returned it.",
            ),
        ]
    )

    # Either order is fine; what must never happen is a claim both paid and taken out.
    assert len(errors) <= 1 and all(isinstance(e, PaymentError) for e in errors), errors
    bounced.refresh_from_db()
    taken_out = PaymentRunItem.objects.get(run=run, claim=bounced).is_taken_out
    assert taken_out == (bounced.status == Claim.Status.APPROVED)
    paid_claims = Claim.objects.filter(status=Claim.Status.PAID).count()
    assert LedgerEntry.objects.paid_out().balance() == paid_claims * 4460
    run.refresh_from_db()
    assert run.claim_count == paid_claims


def test_a_returned_payment_recorded_twice_at_once_is_reversed_once(make_claim, resident):
    commissioner = UserFactory(roles=["commissioner"])
    other_commissioner = UserFactory(roles=["commissioner"])
    claim = make_claim(resident, status=Claim.Status.PAID, reviewer=commissioner)
    run = PaymentRun.objects.get()

    _, errors = run_at_once(
        [
            lambda: services.record_payment_returned(
                PaymentRun.objects.get(pk=run.pk),
                Claim.objects.get(pk=claim.pk),
                by=commissioner,
                reason="Account closed",
            ),
            lambda: services.record_payment_returned(
                PaymentRun.objects.get(pk=run.pk),
                Claim.objects.get(pk=claim.pk),
                by=other_commissioner,
                reason="Account closed",
            ),
        ]
    )

    assert exactly_one_refused(errors, PaymentError), errors
    assert LedgerEntry.objects.paid_out().balance() == 0
    assert LedgerEntry.objects.owed().balance() == 4460
    assert ClaimEvent.objects.filter(claim=claim, from_status="paid").count() == 1
    run.refresh_from_db()
    assert run.claim_count == 0


def test_withdrawing_an_approval_while_a_run_is_made_never_pays_a_withdrawn_claim(
    make_claim, resident
):
    commissioner = UserFactory(roles=["commissioner"])
    other_commissioner = UserFactory(roles=["commissioner"])
    claim = make_claim(resident, status=Claim.Status.APPROVED, reviewer=commissioner)

    _, errors = run_at_once(
        [
            lambda: services.create_payment_run(by=commissioner),
            lambda: services.withdraw_approval(
                Claim.objects.get(pk=claim.pk), by=other_commissioner, reason="Duplicate"
            ),
        ]
    )

    # Either order is fine; what must never happen is a withdrawn claim in a run.
    assert exactly_one_refused(errors, PaymentError), errors
    claim.refresh_from_db()
    in_run = PaymentRunItem.objects.filter(claim=claim).exists()
    assert in_run == (claim.status == Claim.Status.APPROVED)
    assert LedgerEntry.objects.owed().balance() == (4460 if in_run else 0)
