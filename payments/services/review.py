"""Commissioners' decisions: approve, return or reject a sent claim, and correct an approved
amount before it is paid."""

from django.db import transaction
from django.utils import timezone

from coprod_hub.lib.money import format_pounds
from coprod_hub.users.roles import Role

from ..models import Claim, ConflictOfInterest, LedgerEntry
from ._common import PaymentError, Status, _lock, _record, _require_still_attended
from .ledger import _components, _entry


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


def _cannot_be(claim, action: str) -> PaymentError:
    return PaymentError(
        f"This claim is {claim.get_status_display().lower()}, so it cannot be {action}. "
        "Someone may have dealt with it already."
    )


def approve_claim(claim, *, by) -> Claim:
    """Approve a sent claim. The ledger records what we now owe the person.

    The row lock makes a second approval (a double click, or two commissioners at once)
    wait, then find the claim already approved and stop.
    """
    with transaction.atomic():
        claim = _lock(claim)
        _require_reviewer(claim, by)
        if not claim.can_be_decided:
            raise _cannot_be(claim, "approved")
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
        if not claim.can_be_decided:
            raise _cannot_be(claim, action)
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
    """Change the approved amounts of a claim not yet paid. Paying more needs a commissioner
    other than the one who set the amount standing now.

    The ledger is never edited: every entry still counting towards what we owe is reversed
    by a negated copy, then one new entry per part records the corrected amount.
    """
    reason = (reason or "").strip()
    if not reason:
        raise PaymentError("Enter the reason for the correction")
    with transaction.atomic():
        claim = _lock(claim)
        _require_reviewer(claim, by)
        if claim.is_waiting_in_payment_run:
            raise PaymentError(
                "This claim is in a payment run that is waiting to be confirmed. Cancel the "
                "run first, then correct the claim."
            )
        if not claim.can_be_corrected:
            raise _cannot_be(claim, "corrected")
        if (fee_pence, expenses_pence) == (claim.approved_fee_pence, claim.approved_expenses_pence):
            raise PaymentError("The amounts are the same as before, so there is nothing to correct")
        if claim.declines_fee and fee_pence:
            raise PaymentError("The person chose not to take a fee, so the fee must be £0")
        if not fee_pence and not expenses_pence:
            # A £0 claim would go into a payment run and the person be told it was paid.
            raise PaymentError(
                "The corrected amounts add up to £0. If nothing should be paid, reject the "
                "claim instead and say why"
            )
        live = list(LedgerEntry.objects.live_owed_for(claim))
        if fee_pence + expenses_pence > claim.approved_total_pence and any(
            entry.created_by_id == by.pk for entry in live
        ):
            # Two people for paying more: whoever set the amount that stands now (approving
            # it, or correcting it last) cannot also raise it.
            raise PaymentError(
                "You set the amount approved now, so another commissioner must make a "
                "correction that pays more. You can still correct it to pay less"
            )
        today = timezone.localdate()
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
            message="claim_corrected",
        )
    return claim
