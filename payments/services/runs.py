"""Payment runs: approved claims exported to finance together, then confirmed as paid, a
claim taken out, or the run cancelled."""

import copy
from datetime import date

from django.db import transaction
from django.db.models import Q, Sum
from django.template.defaultfilters import pluralize
from django.utils import timezone
from django.utils.text import capfirst

from notifications.services import queue_messages_for_events

from ..messages import claim_message_context, notify_claim_status
from ..models import (
    Claim,
    ClaimEvent,
    FeeAdjustment,
    LedgerEntry,
    PaymentPolicy,
    PaymentRun,
    PaymentRunItem,
)
from ._common import (
    PaymentError,
    Status,
    _audit_bulk_changes,
    _lock,
    _record,
    _record_many,
    _require_commissioner,
)
from .fee_corrections import overpayment_after_a_returned_payment
from .ledger import _components, _entry, _owed_by_claim, _reversals
from .money_back import nothing_to_pay_back
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


def _held_in_open_runs(claim_ids) -> dict[int, dict[str, int]]:
    """What runs finance has and has not confirmed hold for each claim: finance pays those
    amounts, so another run must not pay them again (a top-up in one while the claim's own
    payment, returned by the bank, waits for the next)."""
    held: dict[int, dict[str, int]] = {pk: {"fee": 0, "expenses": 0} for pk in claim_ids}
    rows = (
        PaymentRunItem.objects.in_open_run()
        .filter(claim_id__in=claim_ids)
        .values("claim_id")
        .annotate(fee=Sum("fee_pence"), expenses=Sum("expenses_pence"))
    )
    for row in rows:
        held[row["claim_id"]] = {"fee": row["fee"] or 0, "expenses": row["expenses"] or 0}
    return held


# Why a claim waits out of payment runs; commissioners read it on every page that says so.
HELD_UNTIL = "until a commissioner decides about the fee correction"


def held_in_words(*, approved: int, paid: int) -> str:
    """ "1 approved claim is held until a commissioner decides about the fee correction.", or
    "" when nothing is held (`ClaimQuerySet.held_from_payment_runs`). `paid`: claims already
    paid whose top-up is held."""
    parts = []
    if approved:
        parts.append(f"{approved} approved claim{pluralize(approved)}")
    if paid:
        parts.append(f"the top-up{pluralize(paid)} on {paid} claim{pluralize(paid)} already paid")
    if not parts:
        return ""
    if len(parts) == 2:
        subject, verb = f"{parts[0]}, and {parts[1]},", "are"
    else:
        subject, verb = parts[0], pluralize(approved + paid, "is,are")
    return f"{capfirst(subject)} {verb} held {HELD_UNTIL}."


def held_from_payment_runs_in_words() -> str:
    """What no payment run pays now, and why, in a sentence for commissioners ("" when
    nothing is held). One query."""
    return held_in_words(**Claim.objects.held_counts())


def create_payment_run(*, by) -> PaymentRun:
    """Put every approved claim not already in a run, and every approved top-up owed on a
    claim paid already (its session's fee was corrected: FeeAdjustment), into a new run to
    export. A top-up still waiting for a commissioner's approval is not owed, so no run pays it.

    A claim with an overpayment waiting for a commissioner's decision is held: its session's
    fee was corrected down, and paying what was approved (or a top-up on it) would pay more
    than the session pays now. Once a commissioner decides (leave it, or correct the approved
    amount), the next run pays it.

    Each claim's line is what the ledger says we still owe for it, less what runs finance has
    not confirmed yet hold for it, so a top-up is paid once, whichever run takes it. Nothing
    is marked paid yet. The claims are locked, then their waiting top-ups and overpayments to
    decide (the order every service locks them in): a second run made at the same moment
    waits, then finds the claims in this run and the top-ups taken, and pays neither again.
    """
    _require_commissioner(by)
    with transaction.atomic():
        paid_with_top_ups = (
            FeeAdjustment.objects.waiting_top_ups()
            .filter(claim__status=Status.PAID)
            .values("claim_id")
        )
        claims = list(
            Claim.objects.select_for_update()
            .filter(
                Q(status=Status.APPROVED, payment_run__isnull=True)
                | Q(status=Status.PAID, pk__in=paid_with_top_ups)
            )
            .order_by("pk")
        )
        ids = [claim.pk for claim in claims]
        # Read once the claims are locked, so afresh: a correction of the session's fee saved
        # while this waited for a claim's lock left an overpayment this sees, and a decision
        # about one waits for this run (it locks the claim first: lock_fee_adjustment).
        to_decide = set(
            FeeAdjustment.objects.select_for_update()
            .to_decide()
            .filter(claim_id__in=ids)
            .order_by("pk")
            .values_list("claim_id", flat=True)
        )
        on_hold = [claim for claim in claims if claim.pk in to_decide]
        claims = [claim for claim in claims if claim.pk not in to_decide]
        ids = [claim.pk for claim in claims]
        top_ups: dict[int, list[FeeAdjustment]] = {}
        for top_up in (
            FeeAdjustment.objects.select_for_update()
            .waiting_top_ups()
            .filter(claim_id__in=ids)
            .order_by("pk")
        ):
            top_ups.setdefault(top_up.claim_id, []).append(top_up)
        owed, held = _owed_by_claim(ids), _held_in_open_runs(ids)
        lines = []
        for claim in claims:
            waiting = top_ups.get(claim.pk, [])
            if claim.status == Status.PAID and not waiting:
                continue  # another run took its top-up while this one waited for the lock
            fee = owed[claim.pk]["fee"] - held[claim.pk]["fee"]
            expenses = owed[claim.pk]["expenses"] - held[claim.pk]["expenses"]
            if fee < 0 or expenses < 0 or fee + expenses <= 0:
                continue  # nothing left to pay that another run does not hold already
            top_up = min(sum(adjustment.amount_pence for adjustment in waiting), fee)
            lines.append((claim, fee, expenses, top_up, waiting))
        if not lines:
            held_words = held_in_words(
                approved=sum(claim.status == Status.APPROVED for claim in on_hold),
                paid=sum(claim.status == Status.PAID for claim in on_hold),
            )
            raise PaymentError(
                f"There are no approved claims or top-ups waiting to be paid. {held_words}".strip()
            )
        run = PaymentRun.objects.create(created_by=by)
        items = [
            PaymentRunItem(
                run=run,
                claim=claim,
                fee_pence=fee,
                expenses_pence=expenses,
                top_up_pence=top_up,
                top_up_only=claim.status == Status.PAID,
            )
            for claim, fee, expenses, top_up, _ in lines
        ]
        PaymentRunItem.objects.bulk_create(items)
        run.claim_count = len(items)
        run.total_pence = sum(item.total_pence for item in items)
        run.save(update_fields=["claim_count", "total_pence"])
        note = ClaimEvent.added_to_run_note(run)
        approved = [claim for claim, *_ in lines if claim.status == Status.APPROVED]
        _move_claims(approved, into=run, by=by, note=note)
        _record_many(
            [claim for claim, *_ in lines if claim.status == Status.PAID],
            actor=by,
            from_status=Status.PAID,
            note=note,
        )
        _move_top_ups([a for *_, waiting in lines for a in waiting], by=by, run=run)
    return run


def _move_top_ups(top_ups, *, by, run=None, paid_on=None) -> None:
    """Put top-ups into a run, mark them paid (`paid_on`), or back to waiting (`run=None`),
    in one query whatever their number, with the audit entries their saves would write."""
    if not top_ups:
        return
    before = [copy.copy(top_up) for top_up in top_ups]
    for top_up in top_ups:
        top_up.payment_run, top_up.paid_on = run, paid_on
    FeeAdjustment.objects.bulk_update(top_ups, ["payment_run", "paid_on"])
    _audit_bulk_changes(zip(before, top_ups, strict=True), by=by, fields=["payment_run", "paid_on"])


def _top_ups_in(run, claim=None) -> list[FeeAdjustment]:
    top_ups = FeeAdjustment.objects.select_for_update().in_run(run).order_by("pk")
    return list(top_ups.filter(claim=claim) if claim is not None else top_ups)


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
        items = {item.claim_id: item for item in run.items.still_in_run()}
        top_up_only = [pk for pk, item in items.items() if item.top_up_only]
        # A top-up alone is paid whatever its claim's status (approved again, if the claim's
        # own payment came back meanwhile): finance had it in this run's file.
        everything = list(
            Claim.objects.select_for_update()
            .filter(Q(payment_run=run, status=Status.APPROVED) | Q(pk__in=top_up_only))
            .order_by("pk")
        )
        claims = [claim for claim in everything if claim.pk not in top_up_only]
        top_up_claims = [claim for claim in everything if claim.pk in top_up_only]
        entries = []
        for claim in everything:
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
            _record(
                claim,
                actor=by,
                from_status=Status.APPROVED,
                note=ClaimEvent.paid_note(run),
                extra={"paid_pence": items[claim.pk].total_pence},
            )
        _move_top_ups(_top_ups_in(run), by=by, run=run, paid_on=paid_on)
        _tell_top_ups_paid(top_up_claims, items, by=by, run=run, paid_on=paid_on)
        run.status = PaymentRun.Status.PAID
        run.paid_on = paid_on
        run.confirmed_by = by
        run.confirmed_at = now
        run.save(update_fields=["status", "paid_on", "confirmed_by", "confirmed_at"])
    return run


def _tell_top_ups_paid(claims, items, *, by, run, paid_on) -> None:
    """Each claim paid only a top-up: a history event, and a message saying how much more."""
    if not claims:
        return
    note = ClaimEvent.paid_note(run)
    events = ClaimEvent.objects.bulk_create(
        [
            ClaimEvent(
                claim=claim,
                actor=by,
                from_status=claim.status,
                to_status=claim.status,
                note=note,
            )
            for claim in claims
        ]
    )
    policy = PaymentPolicy.current()
    claims_with_people = {
        claim.pk: claim
        for claim in Claim.objects.filter(pk__in=[c.pk for c in claims]).select_related(
            "claimant", "opportunity"
        )
    }
    queue_messages_for_events(
        "claim_top_up_paid",
        events=(
            (
                claims_with_people[event.claim_id].claimant,
                f"claim-event:{event.pk}",
                {
                    **claim_message_context(
                        claims_with_people[event.claim_id], event, policy=policy
                    ),
                    "top_up_pence": items[event.claim_id].total_pence,
                    "paid_on": paid_on,
                },
            )
            for event in events
        ),
    )


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
        in_this_run = claim.payment_run_id == run.pk and claim.status == Status.APPROVED
        if item is None or not (item.top_up_only or in_this_run):
            raise PaymentError(f"{claim.reference} is not waiting to be paid in {run.reference}.")
        now = timezone.now()
        item.taken_out_at, item.taken_out_by, item.taken_out_reason = now, by, reason
        item.save(update_fields=["taken_out_at", "taken_out_by", "taken_out_reason"])
        if not item.top_up_only:
            claim.payment_run = None
            claim.save(update_fields=["payment_run", "updated_at"])
        # Its top-ups wait for the next run with it (or, on a paid claim, on their own).
        _move_top_ups(_top_ups_in(run, claim), by=by, run=None)
        run.claim_count -= 1
        run.total_pence -= item.total_pence
        run.save(update_fields=["claim_count", "total_pence"])
        _record(
            claim,
            actor=by,
            from_status=claim.status,
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
        note = ClaimEvent.run_cancelled_note(run)
        _move_claims(claims, into=None, by=by, note=note)
        # Top-ups paid on their own go back to waiting too; their claims stay as they are.
        top_up_only = run.items.still_in_run().filter(top_up_only=True).values("claim_id")
        for status in (Status.PAID, Status.APPROVED):
            _record_many(
                list(Claim.objects.filter(pk__in=top_up_only, status=status).order_by("pk")),
                actor=by,
                from_status=status,
                note=note,
            )
        _move_top_ups(_top_ups_in(run), by=by, run=None)
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

    If we had asked the person to pay back some of that payment (the session's fee was
    corrected down), they never had it: we stop asking, owe them again what they had paid
    back (services.money_back.nothing_to_pay_back), and, as the claim now waits to be paid
    its approved amount, more than its session pays now, commissioners have an overpayment to
    decide. The one message about the returned payment says all of it.
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
        paid_in_this_run = claim.payment_run_id == run.pk and claim.status == Status.PAID
        if not run.is_paid or item is None or not (item.top_up_only or paid_in_this_run):
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
        # Top-ups it paid are owed again, and wait for the next run.
        _move_top_ups(_top_ups_in(run, claim), by=by, run=None)
        from_status = claim.status
        if not item.top_up_only:
            # Only the top-up came back when the item paid nothing else: the claim's own
            # payment, made in an earlier run, stands.
            claim.status = Status.APPROVED
            claim.payment_run = None
            claim.paid_on = None
            claim.days_to_pay = None
            claim.save(
                update_fields=["status", "payment_run", "paid_on", "days_to_pay", "updated_at"]
            )
        event = _record(
            claim,
            actor=by,
            from_status=from_status,
            note=ClaimEvent.not_paid_note(run, reason),
            notify=False,
        )
        words = {}
        if not item.top_up_only:
            money_back = nothing_to_pay_back(claim, by=by, run=run, today=timezone.localdate(now))
            if money_back.adjustments:
                overpayment_after_a_returned_payment(claim, by=by, run=run)
            words = money_back.message_words
        notify_claim_status(
            claim, event, policy=PaymentPolicy.current(), kind="claim_not_paid", extra=words
        )
    return item
