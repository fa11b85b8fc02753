"""Every change to claims, the ledger, payment runs and the policy.

Each function does its writes in one transaction, locks the rows it changes so two people
acting at once cannot both succeed, records who did what (ClaimEvent) and queues the
message to the person in the same transaction. Problems a person can fix raise PaymentError
with a message to show them.
"""

from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from coprod_hub.lib.money import format_pounds
from coprod_hub.users.roles import Role
from participation.models import SignUp

from . import policy
from .messages import notify_claim_status
from .models import (
    Claim,
    ClaimEvent,
    ClaimLine,
    ConflictOfInterest,
    ExpenseRule,
    FeeRate,
    LedgerEntry,
    PaymentPolicy,
    PaymentRun,
    PaymentRunItem,
    Receipt,
)
from .taxyear import tax_year_for

Status = Claim.Status


class PaymentError(Exception):
    """Something the person asked for cannot be done; the message says why."""


# --- helpers ---------------------------------------------------------------------------


def _lock(claim) -> Claim:
    # No select_related: PostgreSQL cannot lock the nullable side of an outer join.
    return Claim.objects.select_for_update().get(pk=claim.pk)


def _target_days() -> int:
    return PaymentPolicy.current().target_days_to_pay


def _record(claim, *, actor, from_status, note="", notify=True) -> ClaimEvent:
    # "On behalf" marks staff doing what the person would do (start, send), not reviewers.
    on_behalf = (
        actor is not None
        and actor.pk != claim.claimant_id
        and actor.pk == claim.started_by_id
        and claim.status in (Status.DRAFT, Status.SUBMITTED)
    )
    event = ClaimEvent.objects.create(
        claim=claim,
        actor=actor,
        from_status=from_status,
        to_status=claim.status,
        note=note,
        on_behalf=on_behalf,
    )
    if notify and from_status != claim.status:
        notify_claim_status(claim, event, target_days=_target_days())
    return event


def _require_editor(claim, by) -> None:
    """The claimant, or the staff member who started it for them, may change a claim."""
    if by.pk not in (claim.claimant_id, claim.started_by_id):
        raise PaymentError("Only the person claiming, or staff acting for them, can change it.")
    if not claim.is_editable:
        raise PaymentError(
            f"This claim has been sent ({claim.resident_status_label.lower()}), so it cannot "
            "be changed now."
        )


def _recalculate(claim) -> None:
    totals = dict(
        claim.lines.values("kind").annotate(total=Sum("amount_pence")).values_list("kind", "total")
    )
    claim.fee_pence = totals.get(ClaimLine.Kind.FEE, 0) or 0
    claim.expenses_pence = totals.get(ClaimLine.Kind.EXPENSE, 0) or 0
    claim.save(update_fields=["fee_pence", "expenses_pence", "updated_at"])


def _sync_fee_line(claim) -> None:
    """One fee line when the claim takes a fee, none when the person declines it."""
    opportunity = claim.opportunity
    wants_fee = opportunity.is_paid and not claim.declines_fee
    fee_line = claim.lines.filter(kind=ClaimLine.Kind.FEE).first()
    if not wants_fee:
        if fee_line:
            fee_line.delete()
        return
    if fee_line:
        return
    fee = policy.fee_for(opportunity, claim.activity_date)
    if fee is None:
        raise PaymentError(
            f"The payment policy has no {opportunity.get_fee_basis_display().lower()} fee rate "
            f"for {claim.activity_date:%-d %B %Y} yet. Contact the co-production team and we "
            "will sort it out."
        )
    ClaimLine.objects.create(
        claim=claim,
        kind=ClaimLine.Kind.FEE,
        fee_basis=fee.basis,
        hours=fee.hours,
        rate_pence=fee.rate_pence,
        amount_pence=fee.amount_pence,
        description=opportunity.title[:200],
    )


def _require_still_attended(claim, *, by, action: str) -> None:
    """Staff may correct the register after a claim was started (to "did not attend", say).
    The claim was only allowed because the person attended, so it must not go further."""
    if claim.signup.attendance == SignUp.Attendance.ATTENDED:
        return
    who = "you" if by.pk == claim.claimant_id else "this person"
    raise PaymentError(
        f"The register no longer shows {who} attended, so this claim cannot be {action}. "
        "Check the attendance with the staff who ran the session."
    )


def _delete_files_after_commit(receipts) -> None:
    names = [r.file.name for r in receipts if r.file]
    storage = Receipt._meta.get_field("file").storage

    def remove():
        for name in names:
            storage.delete(name)

    transaction.on_commit(remove)


# --- starting and editing a claim ---------------------------------------------------------


def can_claim_for(signup) -> bool:
    opportunity = signup.opportunity
    return signup.attendance == SignUp.Attendance.ATTENDED and (
        opportunity.is_paid or opportunity.pays_expenses
    )


def start_claim(signup, *, by, on_behalf_note: str = "") -> Claim:
    """Start a draft claim for an attended session, with the fee filled in from the policy.

    Starting twice (a double click) returns the claim already started.
    """
    with transaction.atomic():
        signup = SignUp.objects.select_for_update().select_related("opportunity").get(pk=signup.pk)
        existing = Claim.objects.filter(signup=signup).first()
        if existing:
            return existing
        if signup.attendance != SignUp.Attendance.ATTENDED:
            raise PaymentError(
                "You can only claim for a session once staff have recorded that you attended."
            )
        if not can_claim_for(signup):
            raise PaymentError("This session does not pay a fee or expenses.")
        on_behalf = by.pk != signup.resident_id
        if on_behalf and not on_behalf_note.strip():
            raise PaymentError("Say how the person asked you to claim for them.")
        opportunity = signup.opportunity
        claim = Claim.objects.create(
            claimant_id=signup.resident_id,
            signup=signup,
            opportunity=opportunity,
            project_id=opportunity.project_id,
            activity_date=policy.activity_date(opportunity),
            started_by=by,
            on_behalf_note=on_behalf_note.strip() if on_behalf else "",
        )
        _sync_fee_line(claim)
        _recalculate(claim)
        _record(
            claim,
            actor=by,
            from_status="",
            note=f"Started for them by {by}: {on_behalf_note.strip()}" if on_behalf else "",
        )
    return claim


def update_claim_details(
    claim, *, by, payment_method: str, employed_by_partner: bool, not_part_of_paid_job: bool
) -> Claim:
    with transaction.atomic():
        claim = _lock(claim)
        _require_editor(claim, by)
        if employed_by_partner and not not_part_of_paid_job:
            raise PaymentError("Confirm that this activity was not part of your paid job")
        claim.payment_method = payment_method
        claim.employed_by_partner = employed_by_partner
        claim.not_part_of_paid_job = bool(employed_by_partner and not_part_of_paid_job)
        claim.save(
            update_fields=[
                "payment_method",
                "employed_by_partner",
                "not_part_of_paid_job",
                "updated_at",
            ]
        )
        _sync_fee_line(claim)
        _recalculate(claim)
    return claim


def store_receipt(upload, *, owner, by, content_type: str) -> Receipt:
    """Save a checked upload privately, under a random name."""
    receipt = Receipt(
        owner=owner,
        uploaded_by=by,
        original_name=(upload.name or "receipt").rsplit("/", 1)[-1][:200],
        content_type=content_type,
        size=upload.size,
    )
    receipt.file.save("receipt", upload, save=False)
    receipt.save()
    return receipt


def save_expense(
    claim,
    *,
    by,
    category: str,
    description: str,
    amount_pence: int | None,
    miles,
    agreed_with: str = "",
    receipt: Receipt | None = None,
    remove_receipt: bool = False,
    line: ClaimLine | None = None,
) -> ClaimLine:
    """Add an expense line, or change one. The line and the claim's totals save together."""
    with transaction.atomic():
        claim = _lock(claim)
        _require_editor(claim, by)
        if not claim.opportunity.pays_expenses:
            raise PaymentError("This session does not pay expenses.")
        if line is not None:
            line = claim.lines.select_for_update().get(pk=line.pk, kind=ClaimLine.Kind.EXPENSE)
        check = policy.check_expense(
            claim,
            category=category,
            amount_pence=amount_pence,
            miles=miles,
            agreed_with=agreed_with,
            line=line,
        )
        if check.errors:
            raise PaymentError(next(iter(check.errors.values())))
        if receipt is not None:
            # Locked so the daily clean-up of unused receipts cannot remove it while we attach
            # it; if the clean-up got there first, it is gone and the person uploads it again.
            receipt = Receipt.objects.select_for_update().filter(pk=receipt.pk).first()
            if receipt is None:
                raise PaymentError("That receipt cannot be used here. Choose the file again.")
        if receipt is not None and (
            receipt.owner_id != claim.claimant_id
            or ClaimLine.objects.filter(receipt=receipt)
            .exclude(pk=getattr(line, "pk", None))
            .exists()
        ):
            raise PaymentError("That receipt cannot be used here. Choose the file again.")
        line = line or ClaimLine(claim=claim, kind=ClaimLine.Kind.EXPENSE)
        old_receipt = line.receipt if line.pk else None
        line.category = category
        line.description = description.strip()[:200]
        line.miles = miles if check.rule.is_mileage else None
        line.rate_pence = check.rate_pence
        line.amount_pence = check.amount_pence
        line.agreed_with = agreed_with.strip() if check.rule.needs_prior_agreement else ""
        if receipt is not None:
            line.receipt = receipt
        elif remove_receipt:
            line.receipt = None
        line.save()
        if old_receipt and old_receipt != line.receipt:
            _delete_files_after_commit([old_receipt])
            old_receipt.delete()
        _recalculate(claim)
    return line


def remove_expense(line, *, by) -> None:
    with transaction.atomic():
        claim = _lock(line.claim)
        _require_editor(claim, by)
        line = claim.lines.select_related("receipt").get(pk=line.pk, kind=ClaimLine.Kind.EXPENSE)
        receipt = line.receipt
        line.delete()
        if receipt:
            _delete_files_after_commit([receipt])
            receipt.delete()
        _recalculate(claim)


def delete_unused_receipts(*, older_than=None) -> int:
    """Receipts stored while a form had other mistakes, then never used. Kept for a day so
    a person can come back to the form; then the file and row go."""
    cutoff = timezone.now() - (older_than or timedelta(days=1))
    with transaction.atomic():
        # Lock the receipts we mean to remove. skip_locked: one being attached to an expense
        # right now (save_expense locks it) is left for tomorrow rather than waited for.
        # of=("self",): PostgreSQL cannot lock the nullable side of the outer join that
        # line__isnull needs.
        locked = list(
            Receipt.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(line__isnull=True, uploaded_at__lt=cutoff)
            .order_by("pk")
            .values_list("pk", flat=True)[:1000]
        )
        # Check again under the lock: a line saved between that query starting and the lock
        # being taken was not visible to it, and its receipt must stay.
        unused = list(Receipt.objects.filter(pk__in=locked, line__isnull=True))
        Receipt.objects.filter(pk__in=[r.pk for r in unused]).delete()
        # Files go only for rows removed, and only once that is committed.
        _delete_files_after_commit(unused)
    return len(unused)


def delete_draft(claim, *, by) -> None:
    """A claim that was never sent can be thrown away, with its receipts."""
    with transaction.atomic():
        claim = _lock(claim)
        _require_editor(claim, by)
        if claim.status != Status.DRAFT:
            raise PaymentError("Only a claim that has never been sent can be deleted.")
        receipts = list(Receipt.objects.filter(line__claim=claim))
        claim.lines.all().delete()
        claim.events.all().delete()
        claim.delete()
        for receipt in receipts:
            receipt.delete()
        _delete_files_after_commit(receipts)


def submission_problems(claim) -> list[tuple[str, str]]:
    """What must be fixed before the claim can be sent: [(message, where to fix it)]."""
    problems = []
    details_url = reverse("payments:claim_details", args=[claim.pk])
    if not claim.payment_method:
        problems.append(("Choose how you want to be paid", details_url))
    if claim.employed_by_partner is None:
        problems.append(
            ("Say whether you work for the council or one of its partners", details_url)
        )
    elif claim.employed_by_partner and not claim.not_part_of_paid_job:
        problems.append(("Confirm that this activity was not part of your paid job", details_url))
    lines = list(claim.lines.all())
    if not lines or claim.total_pence == 0:
        problems.append(("Add at least one expense, or choose to be paid a fee", details_url))
    rules = policy.rules_in_force(claim.activity_date)
    for line in lines:
        if line.receipt_id is None and policy.receipt_needed(line, rules):
            problems.append(
                (
                    f"Add a receipt for {line.get_category_display().lower()}",
                    reverse("payments:expense_change", args=[claim.pk, line.pk]),
                )
            )
    return problems


def submit_claim(claim, *, by, benefits_acknowledged: bool) -> Claim:
    """Send a draft (or a returned claim, once changed) for approval."""
    with transaction.atomic():
        claim = _lock(claim)
        _require_editor(claim, by)
        if not benefits_acknowledged:
            raise PaymentError("Confirm that you have read about benefits and tax")
        _require_still_attended(claim, by=by, action="sent")
        problems = submission_problems(claim)
        if problems:
            raise PaymentError(problems[0][0])
        from_status = claim.status
        now = timezone.now()
        claim.status = Status.SUBMITTED
        claim.submitted_at = now
        if claim.first_submitted_at is None:
            claim.first_submitted_at = now
        claim.submitted_by = by
        claim.benefits_acknowledged_at = now
        claim.save(
            update_fields=[
                "status",
                "submitted_at",
                "first_submitted_at",
                "submitted_by",
                "benefits_acknowledged_at",
                "updated_at",
            ]
        )
        note = f"Sent for them by {by}" if by.pk != claim.claimant_id else ""
        _record(claim, actor=by, from_status=from_status, note=note)
    return claim


# --- reviewing --------------------------------------------------------------------------


def review_block_reason(claim, user) -> str | None:
    """Why `user` may not approve, return or reject this claim, or None if they may."""
    if not user.has_role(Role.COMMISSIONER):
        return "Only commissioners can approve, return or reject claims."
    if claim.claimant_id == user.pk:
        return "You cannot approve, return or reject your own claim. Another commissioner must."
    if claim.started_by_id == user.pk or claim.submitted_by_id == user.pk:
        return "You made this claim for the person, so another commissioner must review it."
    if ConflictOfInterest.objects.between(user, claim.claimant_id).exists():
        return (
            "You have declared a conflict of interest with this person, so another "
            "commissioner must review their claims."
        )
    return None


def _require_reviewer(claim, by) -> None:
    reason = review_block_reason(claim, by)
    if reason:
        raise PaymentError(reason)


def _require_status(claim, status, action: str) -> None:
    if claim.status != status:
        raise PaymentError(
            f"This claim is {claim.get_status_display().lower()}, so it cannot be {action}. "
            "Someone may have dealt with it already."
        )


def _entry(claim, *, by, kind, account, component, amount, on: date, **extra) -> LedgerEntry:
    return LedgerEntry(
        claim=claim,
        person_id=claim.claimant_id,
        project_id=claim.project_id,
        kind=kind,
        account=account,
        component=component,
        amount_pence=amount,
        effective_on=on,
        tax_year=tax_year_for(on),
        created_by=by,
        **extra,
    )


def _components(fee_pence: int, expenses_pence: int):
    return [
        (LedgerEntry.Component.FEE, fee_pence),
        (LedgerEntry.Component.EXPENSES, expenses_pence),
    ]


def approve_claim(claim, *, by) -> Claim:
    """Approve a sent claim. The ledger records what we now owe the person.

    The row lock makes a second approval (a double click, or two commissioners at once)
    wait, then find the claim already approved and stop.
    """
    with transaction.atomic():
        claim = _lock(claim)
        _require_reviewer(claim, by)
        _require_status(claim, Status.SUBMITTED, "approved")
        _require_still_attended(claim, by=by, action="approved")
        today = timezone.localdate()
        LedgerEntry.objects.bulk_create(
            [
                _entry(
                    claim,
                    by=by,
                    kind=LedgerEntry.Kind.APPROVAL,
                    account=LedgerEntry.Account.OWED,
                    component=component,
                    amount=amount,
                    on=today,
                )
                for component, amount in _components(claim.fee_pence, claim.expenses_pence)
                if amount
            ]
        )
        claim.status = Status.APPROVED
        claim.approved_fee_pence = claim.fee_pence
        claim.approved_expenses_pence = claim.expenses_pence
        claim.decided_at = timezone.now()
        claim.decided_by = by
        claim.reason = ""
        claim.save(
            update_fields=[
                "status",
                "approved_fee_pence",
                "approved_expenses_pence",
                "decided_at",
                "decided_by",
                "reason",
                "updated_at",
            ]
        )
        _record(claim, actor=by, from_status=Status.SUBMITTED)
    return claim


def _decide_with_reason(claim, *, by, reason: str, to_status, action: str) -> Claim:
    reason = (reason or "").strip()
    if not reason:
        raise PaymentError("Enter the reason, so the person knows what to do next")
    with transaction.atomic():
        claim = _lock(claim)
        _require_reviewer(claim, by)
        _require_status(claim, Status.SUBMITTED, action)
        claim.status = to_status
        claim.reason = reason
        claim.decided_at = timezone.now()
        claim.decided_by = by
        claim.save(update_fields=["status", "reason", "decided_at", "decided_by", "updated_at"])
        _record(claim, actor=by, from_status=Status.SUBMITTED, note=reason)
    return claim


def return_claim(claim, *, by, reason: str) -> Claim:
    """Send a claim back for the person to change and send again."""
    return _decide_with_reason(
        claim, by=by, reason=reason, to_status=Status.RETURNED, action="returned"
    )


def reject_claim(claim, *, by, reason: str) -> Claim:
    return _decide_with_reason(
        claim, by=by, reason=reason, to_status=Status.REJECTED, action="rejected"
    )


def correct_claim(claim, *, by, fee_pence: int, expenses_pence: int, reason: str) -> Claim:
    """Change the approved amounts of a claim not yet paid.

    The ledger is never edited: every entry still counting towards what we owe is reversed
    by a negated copy, then one new entry per part records the corrected amount.
    """
    reason = (reason or "").strip()
    if not reason:
        raise PaymentError("Enter the reason for the correction")
    with transaction.atomic():
        claim = _lock(claim)
        _require_reviewer(claim, by)
        _require_status(claim, Status.APPROVED, "corrected")
        if claim.payment_run_id:
            raise PaymentError(
                "This claim is in a payment run that is waiting to be confirmed. Cancel the "
                "run first, then correct the claim."
            )
        if (fee_pence, expenses_pence) == (claim.approved_fee_pence, claim.approved_expenses_pence):
            raise PaymentError("The amounts are the same as before, so there is nothing to correct")
        if claim.declines_fee and fee_pence:
            raise PaymentError("The person chose not to take a fee, so the fee must be £0")
        today = timezone.localdate()
        live = list(LedgerEntry.objects.live_owed_for(claim))
        entries = [
            _entry(
                claim,
                by=by,
                kind=LedgerEntry.Kind.REVERSAL,
                account=LedgerEntry.Account.OWED,
                component=original.component,
                amount=-original.amount_pence,
                on=today,
                reverses=original,
                note=reason[:300],
            )
            for original in live
        ]
        entries += [
            _entry(
                claim,
                by=by,
                kind=LedgerEntry.Kind.CORRECTION,
                account=LedgerEntry.Account.OWED,
                component=component,
                amount=amount,
                on=today,
                note=reason[:300],
            )
            for component, amount in _components(fee_pence, expenses_pence)
            if amount
        ]
        LedgerEntry.objects.bulk_create(entries)
        before = claim.approved_total_pence
        claim.approved_fee_pence = fee_pence
        claim.approved_expenses_pence = expenses_pence
        claim.save(update_fields=["approved_fee_pence", "approved_expenses_pence", "updated_at"])
        _record(
            claim,
            actor=by,
            from_status=Status.APPROVED,
            note=f"Approved amount changed from {format_pounds(before)} to "
            f"{format_pounds(claim.approved_total_pence)}: {reason}",
        )
    return claim


# --- payment runs -----------------------------------------------------------------------


def _require_commissioner(user) -> None:
    if not user.has_role(Role.COMMISSIONER):
        raise PaymentError("Only commissioners can do this.")


def _owed_by_claim(claim_ids) -> dict[int, dict[str, int]]:
    owed: dict[int, dict[str, int]] = {pk: {"fee": 0, "expenses": 0} for pk in claim_ids}
    rows = (
        LedgerEntry.objects.owed()
        .filter(claim_id__in=claim_ids)
        .values("claim_id", "component")
        .annotate(total=Sum("amount_pence"))
    )
    for row in rows:
        owed[row["claim_id"]][row["component"]] = row["total"]
    return owed


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
        Claim.objects.filter(pk__in=[c.pk for c in claims]).update(
            payment_run=run, updated_at=timezone.now()
        )
    return run


def confirm_payment_run(run, *, by, paid_on: date) -> PaymentRun:
    """Finance has paid the run: mark its claims paid and record the payments.

    The run row is locked and its status checked inside the lock, so confirming twice (or
    two commissioners confirming at once) pays nothing twice.
    """
    _require_commissioner(by)
    with transaction.atomic():
        run = PaymentRun.objects.select_for_update().get(pk=run.pk)
        if run.status == PaymentRun.Status.PAID:
            raise PaymentError(f"{run.reference} has already been confirmed as paid.")
        if run.status != PaymentRun.Status.EXPORTED:
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
        for claim in claims:
            _record(claim, actor=by, from_status=Status.APPROVED, note=f"Paid in {run.reference}")
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
        if run.status != PaymentRun.Status.EXPORTED:
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
            note=f"Not paid in {run.reference}: {reason} It will go in the next payment run.",
        )
    return item


def cancel_payment_run(run, *, by) -> PaymentRun:
    """Finance could not pay the run: its claims go back to waiting for the next run."""
    _require_commissioner(by)
    with transaction.atomic():
        run = PaymentRun.objects.select_for_update().get(pk=run.pk)
        if run.status != PaymentRun.Status.EXPORTED:
            raise PaymentError(f"{run.reference} is {run.get_status_display().lower()}.")
        Claim.objects.filter(payment_run=run, status=Status.APPROVED).update(
            payment_run=None, updated_at=timezone.now()
        )
        run.status = PaymentRun.Status.CANCELLED
        run.cancelled_by = by
        run.cancelled_at = timezone.now()
        run.save(update_fields=["status", "cancelled_by", "cancelled_at"])
    return run


# --- conflicts of interest --------------------------------------------------------------


def declare_conflict(*, commissioner, person, reason: str) -> ConflictOfInterest:
    _require_commissioner(commissioner)
    if person.pk == commissioner.pk:
        raise PaymentError("You cannot declare a conflict with yourself")
    try:
        with transaction.atomic():
            return ConflictOfInterest.objects.create(
                commissioner=commissioner, person=person, reason=reason.strip()
            )
    except IntegrityError:
        raise PaymentError(f"You have already declared a conflict with {person}") from None


def withdraw_conflict(conflict, *, by) -> None:
    if conflict.commissioner_id != by.pk:
        raise PaymentError("Only the commissioner who declared it can withdraw it")
    with transaction.atomic():
        # save(), not QuerySet.update(): the audit trail only hears about saved instances,
        # and who withdrew a conflict of interest, and when, must be on the record. The lock
        # makes a double click withdraw it once, with one audit entry.
        conflict = ConflictOfInterest.objects.select_for_update().get(pk=conflict.pk)
        if conflict.withdrawn_at is not None:
            return
        conflict.withdrawn_at = timezone.now()
        conflict.save(update_fields=["withdrawn_at"])


# --- the policy -------------------------------------------------------------------------


def _check_change_starts_on(starts_on: date) -> None:
    """A change to the policy starts tomorrow or later: a claim uses the rates in force on
    the day of the activity, so a change dated earlier would rewrite what was in force then
    and pay two people different amounts for the same session. Today counts as earlier: a
    session held this morning may already have a claim at the old rate."""
    if starts_on <= timezone.localdate():
        raise PaymentError("The start date must be tomorrow or later")


def add_fee_rate(*, by, basis: str, amount_pence: int, starts_on: date) -> FeeRate:
    _require_commissioner(by)
    _check_change_starts_on(starts_on)
    try:
        with transaction.atomic():
            return FeeRate.objects.create(
                basis=basis, amount_pence=amount_pence, starts_on=starts_on, created_by=by
            )
    except IntegrityError:
        raise PaymentError(
            "There is already a rate of this kind starting on that day. Choose another date."
        ) from None


def add_expense_rule(*, by, category: str, starts_on: date, **fields) -> ExpenseRule:
    _require_commissioner(by)
    _check_change_starts_on(starts_on)
    try:
        with transaction.atomic():
            return ExpenseRule.objects.create(
                category=category, starts_on=starts_on, created_by=by, **fields
            )
    except IntegrityError:
        raise PaymentError(
            "There is already a rule for this expense starting on that day. Choose another date."
        ) from None


def remove_scheduled_change(change, *, by) -> None:
    """Only changes that have not started can be removed; past rates are history."""
    _require_commissioner(by)
    if change.starts_on <= timezone.localdate():
        raise PaymentError(
            "This has already started, so it cannot be removed. Add a new change instead."
        )
    change.delete()


def update_policy(*, by, **fields) -> PaymentPolicy:
    _require_commissioner(by)
    with transaction.atomic():
        policy_row = PaymentPolicy.objects.select_for_update().get(pk=PaymentPolicy.current().pk)
        for name, value in fields.items():
            setattr(policy_row, name, value)
        policy_row.updated_by = by
        policy_row.save()
    return policy_row
