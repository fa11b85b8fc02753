"""Payment runs: approved claims exported to finance together, then confirmed as paid, a
claim taken out, or the run cancelled."""

import copy
from datetime import date

from django.db import transaction
from django.utils import timezone

from ..models import Claim, ClaimEvent, LedgerEntry, PaymentRun, PaymentRunItem
from ._common import (
    PaymentError,
    Status,
    _audit_bulk_changes,
    _lock,
    _record,
    _record_many,
    _require_commissioner,
)
from .ledger import _components, _entry, _owed_by_claim, _reversals
from .review import review_block_reason


def _move_claims(claims, *, into, by, note: str) -> None:
    """Put approved claims into a run (or back out, `into=None`) in a few queries whatever
    their number, with an audit entry and a history event for each."""
    before = [copy.copy(claim) for claim in claims]
    now = timezone.now()
    for claim in claims:
        claim.payment_run, claim.updated_at = into, now
    Claim.objects.bulk_update(claims, ["payment_run", "updated_at"])
    _audit_bulk_changes(zip(before, claims, strict=True), by=by, fields=["payment_run"])
    _record_many(claims, actor=by, from_status=Status.APPROVED, note=note)


def create_payment_run(*, by) -> PaymentRun:
    """Put every approved, unpaid claim not already in a run into a new run to export.

    Nothing is marked paid yet. The lock stops two runs made at once holding the same claim.
    """
    _require_commissioner(by)
    with transaction.atomic():
        claims = list(Claim.objects.select_for_update().approved_unpaid_not_in_run().order_by("pk"))
        if not claims:
            raise PaymentError("There are no approved claims waiting to be paid.")
        owed = _owed_by_claim([c.pk for c in claims])
        run = PaymentRun.objects.create(created_by=by)
        items = [
            PaymentRunItem(
                run=run,
                claim=claim,
                fee_pence=owed[claim.pk]["fee"],
                expenses_pence=owed[claim.pk]["expenses"],
            )
            for claim in claims
        ]
        PaymentRunItem.objects.bulk_create(items)
        run.claim_count = len(items)
        run.total_pence = sum(item.total_pence for item in items)
        run.save(update_fields=["claim_count", "total_pence"])
        _move_claims(claims, into=run, by=by, note=ClaimEvent.added_to_run_note(run))
    return run


def confirm_payment_run(run, *, by, paid_on: date) -> PaymentRun:
    """Finance has paid the run: mark its claims paid and record the payments.

    The run row is locked and its status checked inside the lock, so confirming twice (or
    two commissioners confirming at once) pays nothing twice.
    """
    _require_commissioner(by)
    with transaction.atomic():
        run = PaymentRun.objects.select_for_update().get(pk=run.pk)
        if run.is_paid:
            raise PaymentError(f"{run.reference} has already been confirmed as paid.")
        if not run.is_open:
            raise PaymentError(f"{run.reference} was cancelled, so it cannot be paid.")
        today = timezone.localdate()
        if paid_on > today:
            raise PaymentError("The date paid cannot be in the future")
        if paid_on < timezone.localdate(run.created_at):
            raise PaymentError("The date paid cannot be before the payment run was made")
        claims = list(
            Claim.objects.select_for_update()
            .filter(payment_run=run, status=Status.APPROVED)
            .order_by("pk")
        )
        items = {item.claim_id: item for item in run.items.all()}
        entries = []
        for claim in claims:
            item = items[claim.pk]
            for component, amount in _components(item.fee_pence, item.expenses_pence):
                if not amount:
                    continue
                for account, signed in (
                    (LedgerEntry.Account.OWED, -amount),
                    (LedgerEntry.Account.PAID, amount),
                ):
                    entries.append(
                        _entry(
                            claim,
                            by=by,
                            kind=LedgerEntry.Kind.PAYMENT,
                            account=account,
                            component=component,
                            amount=signed,
                            on=paid_on,
                            payment_run=run,
                        )
                    )
        LedgerEntry.objects.bulk_create(entries)
        now = timezone.now()
        before = [copy.copy(claim) for claim in claims]
        for claim in claims:
            claim.status = Status.PAID
            claim.paid_on = paid_on
            # From the first time it was sent: a claim we returned was still waiting to be paid.
            sent_on = (
                timezone.localdate(claim.first_submitted_at)
                if claim.first_submitted_at
                else paid_on
            )
            claim.days_to_pay = max((paid_on - sent_on).days, 0)
            claim.updated_at = now
        Claim.objects.bulk_update(claims, ["status", "paid_on", "days_to_pay", "updated_at"])
        _audit_bulk_changes(
            zip(before, claims, strict=True), by=by, fields=["status", "paid_on", "days_to_pay"]
        )
        for claim in claims:
            _record(claim, actor=by, from_status=Status.APPROVED, note=ClaimEvent.paid_note(run))
        run.status = PaymentRun.Status.PAID
        run.paid_on = paid_on
        run.confirmed_by = by
        run.confirmed_at = now
        run.save(update_fields=["status", "paid_on", "confirmed_by", "confirmed_at"])
    return run


def take_out_of_run(run, claim, *, by, reason: str) -> PaymentRunItem:
    """Finance paid the run but not this one claim (the bank returned it, say). The claim
    leaves the run and waits for the next one; confirming the run then pays the rest.

    Without this the only choices were to confirm the whole run, recording a payment that
    never arrived, or cancel it, putting everyone already paid into the next run again.
    The run is locked first, as confirming and cancelling do, so this and a confirmation
    at the same moment cannot both happen.
    """
    _require_commissioner(by)
    reason = reason.strip()
    if not reason:
        raise PaymentError("Enter why this claim was not paid")
    with transaction.atomic():
        run = PaymentRun.objects.select_for_update().get(pk=run.pk)
        if not run.is_open:
            raise PaymentError(
                f"{run.reference} is {run.get_status_display().lower()}, so nothing can be "
                "taken out of it."
            )
        claim = _lock(claim)
        item = run.items.still_in_run().filter(claim=claim).first()
        if item is None or claim.payment_run_id != run.pk or claim.status != Status.APPROVED:
            raise PaymentError(f"{claim.reference} is not waiting to be paid in {run.reference}.")
        now = timezone.now()
        item.taken_out_at, item.taken_out_by, item.taken_out_reason = now, by, reason
        item.save(update_fields=["taken_out_at", "taken_out_by", "taken_out_reason"])
        claim.payment_run = None
        claim.save(update_fields=["payment_run", "updated_at"])
        run.claim_count -= 1
        run.total_pence -= item.total_pence
        run.save(update_fields=["claim_count", "total_pence"])
        _record(
            claim,
            actor=by,
            from_status=Status.APPROVED,
            note=ClaimEvent.not_paid_note(run, reason),
            message="claim_not_paid",
        )
    return item


def cancel_payment_run(run, *, by) -> PaymentRun:
    """Finance could not pay the run: its claims go back to waiting for the next run."""
    _require_commissioner(by)
    with transaction.atomic():
        run = PaymentRun.objects.select_for_update().get(pk=run.pk)
        if not run.is_open:
            raise PaymentError(f"{run.reference} is {run.get_status_display().lower()}.")
        claims = list(
            Claim.objects.select_for_update()
            .filter(payment_run=run, status=Status.APPROVED)
            .order_by("pk")
        )
        _move_claims(claims, into=None, by=by, note=ClaimEvent.run_cancelled_note(run))
        run.status = PaymentRun.Status.CANCELLED
        run.cancelled_by = by
        run.cancelled_at = timezone.now()
        run.save(update_fields=["status", "cancelled_by", "cancelled_at"])
    return run


def record_payment_returned(run, claim, *, by, reason: str) -> PaymentRunItem:
    """The run was confirmed as paid, then the bank sent this claim's payment back (the
    account was closed, say). The person has not been paid: the ledger reverses the payment,
    and the claim goes back to approved, waiting for the next run.

    Before a run is confirmed, `take_out_of_run` does this; afterwards the payment is in the
    ledger and the claim is paid, so it must be reversed, never edited. The reversal counts
    on the day the payment did, so the tax year it was paid in no longer includes money the
    person never got. The run is locked first, then the claim (the order confirming uses),
    so recording it twice at once reverses it once.
    """
    _require_commissioner(by)
    reason = reason.strip()
    if not reason:
        raise PaymentError("Enter why the payment came back")
    with transaction.atomic():
        run = PaymentRun.objects.select_for_update().get(pk=run.pk)
        claim = _lock(claim)
        # Recording a return puts the claim back in line to be paid again, so whoever could
        # not approve it (their own, one they made, a conflict) cannot do this either.
        blocked = review_block_reason(claim, by)
        if blocked:
            raise PaymentError(blocked)
        item = run.items.still_in_run().filter(claim=claim).first()
        if (
            not run.is_paid
            or item is None
            or claim.payment_run_id != run.pk
            or claim.status != Status.PAID
        ):
            raise PaymentError(
                f"{claim.reference} is not paid in {run.reference}, so there is no payment to "
                "record as returned. Someone may have recorded it already."
            )
        payments = list(
            LedgerEntry.objects.filter(
                claim=claim, payment_run=run, kind=LedgerEntry.Kind.PAYMENT
            ).filter(reversed_by__isnull=True)
        )
        LedgerEntry.objects.bulk_create(
            _reversals(claim, payments, by=by, note=reason, payment_run=run)
        )
        now = timezone.now()
        # Marked as not paid, like a claim taken out before confirming: the run's page shows
        # it, its totals say what was really paid, and the person sees why on their claim.
        item.taken_out_at, item.taken_out_by, item.taken_out_reason = now, by, reason
        item.save(update_fields=["taken_out_at", "taken_out_by", "taken_out_reason"])
        run.claim_count -= 1
        run.total_pence -= item.total_pence
        run.save(update_fields=["claim_count", "total_pence"])
        claim.status = Status.APPROVED
        claim.payment_run = None
        claim.paid_on = None
        claim.days_to_pay = None
        claim.save(update_fields=["status", "payment_run", "paid_on", "days_to_pay", "updated_at"])
        _record(
            claim,
            actor=by,
            from_status=Status.PAID,
            note=ClaimEvent.not_paid_note(run, reason),
            message="claim_not_paid",
        )
    return item
