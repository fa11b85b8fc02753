"""Commissioners' decisions: approve, return or reject a sent claim, correct an approved
amount before it is paid, withdraw the approval, or reopen a claim we decided not to pay."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from coprod_hub.lib.money import format_pounds
from coprod_hub.users.roles import Role

from .. import policy
from ..models import (
    Claim,
    ClaimLine,
    ConflictOfInterest,
    FeeAdjustment,
    LedgerEntry,
    PaymentRunItem,
)
from ._common import PaymentError, Status, _lock, _record, _require_still_attended
from .ledger import _components, _corrections, _entry, _reversals


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


def reopen_block_reason(claim, user) -> str | None:
    """Why `user` may not reopen this rejected claim, or None if they may: the rules for
    approving it, and not whoever decided not to pay it (rejecting it, or withdrawing its
    approval), so a second commissioner looks at it again."""
    reason = review_block_reason(claim, user)
    if reason:
        return reason
    if claim.decided_by_id == user.pk:
        return "You decided not to pay this claim, so another commissioner must reopen it."
    return None


def _require_reviewer(claim, by) -> None:
    reason = review_block_reason(claim, by)
    if reason:
        raise PaymentError(reason)


def lock_fee_adjustment(adjustment, *, by, still, gone: str):
    """Lock a fee correction's claim, then the adjustment itself (the order every payments
    service locks them in), read afresh, and check `still(adjustment)` holds (else raise
    `gone`) and `by` may decide the claim. A second request (a double click, two commissioners
    at once) waits for the first, then stops here. Returns the adjustment, its claim the
    locked one."""
    claim = _lock(adjustment.claim)
    adjustment = FeeAdjustment.objects.select_for_update().get(pk=adjustment.pk)
    adjustment.claim = claim
    if not still(adjustment):
        raise PaymentError(gone)
    _require_reviewer(claim, by)
    return adjustment


def _require_not_waiting_in_run(claim, *, then: str) -> None:
    """Once finance has a run's file, its claims must not change, or finance would pay the
    old amount: the run is cancelled first."""
    if claim.is_waiting_in_payment_run:
        raise PaymentError(
            "This claim is in a payment run that is waiting to be confirmed. Cancel the "
            f"run first, then {then}."
        )
    # A top-up owed after its session's fee was corrected can be in a run on its own (the
    # claim was paid, then its payment came back): finance would pay it whatever we change.
    if PaymentRunItem.objects.in_open_run().filter(claim=claim).exists():
        raise PaymentError(
            "A top-up for this claim is in a payment run that is waiting to be confirmed. "
            f"Confirm or cancel the run first, then {then}."
        )


def _close_fee_adjustments(claim, *, by, reason: str) -> None:
    # fee_corrections builds on this module (who may decide), so it is imported here.
    from .fee_corrections import close_open_adjustments

    close_open_adjustments(claim, by=by, reason=reason)


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
        if not claim.total_pence:
            # Its session's fee was corrected to none after it was sent, say: a £0 claim
            # would go into a payment run and the person be told it was paid.
            raise PaymentError(
                "This claim now comes to £0, so there is nothing to approve. Return it to the "
                "person or reject it, and say why."
            )
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


@dataclass(frozen=True)
class CorrectionLimits:
    """The most a correction may pay, by the rules that built the claim."""

    fee_pence: int
    expenses_pence: int
    # Why the fee is what it is, for the error message ("this session does not pay a fee").
    fee_reason: str
    expenses_reason: str


def correction_limits(claim) -> CorrectionLimits:
    """The most the payment policy lets us pay for this claim.

    Worked out by the functions that build and check a claim (policy.fee_for and
    policy.check_expense), with the rates and caps in force on the day of the activity, so a
    correction can put right a mistake but never pay what the policy would not: a fee for a
    session that pays none, more than the fee rate for the session's hours, or expenses the
    person did not claim or over a cap.
    """
    day = f"{claim.activity_date:%-d %B %Y}"
    opportunity = claim.opportunity
    if claim.declines_fee:
        fee, fee_reason = 0, "The person chose not to take a fee, so the fee must be £0"
    elif not opportunity.is_paid:
        fee, fee_reason = 0, "This session does not pay a fee, so the fee must be £0"
    else:
        rule = policy.fee_for(opportunity, claim.activity_date)
        fee = rule.amount_pence if rule else 0
        fee_reason = (
            f"The fee can be no more than {format_pounds(fee)}: the "
            f"{opportunity.get_fee_basis_display().lower()} fee for this session at the rate "
            f"in force on {day}"
        )
    if not opportunity.pays_expenses:
        expenses, expenses_reason = 0, "This session does not pay expenses, so expenses must be £0"
    else:
        # Only what the person claimed (with receipts where needed), and each line only as
        # far as the policy on the day allows: a correction is not a way to pay expenses
        # nobody claimed.
        rules = policy.rules_in_force(claim.activity_date)
        expenses = 0
        lines = claim.lines.filter(kind=ClaimLine.Kind.EXPENSE).select_related("taxi_agreement")
        for line in lines:
            check = policy.check_expense(
                claim,
                category=line.category,
                amount_pence=line.amount_pence,
                miles=line.miles,
                agreed_with=line.agreed_with,
                agreement=line.taxi_agreement,
                line=line,
                rules=rules,
            )
            if not check.errors:
                expenses += check.amount_pence
        expenses_reason = (
            f"Expenses can be no more than {format_pounds(expenses)}: what the person claimed, "
            f"within the limits in force on {day}"
        )
    return CorrectionLimits(fee, expenses, fee_reason, expenses_reason)


def _require_within_policy(claim, *, fee_pence: int, expenses_pence: int) -> None:
    limits = correction_limits(claim)
    # A part over its limit is refused only when the correction raises it: lowering the
    # other part of a claim approved before a rule changed must still be possible.
    if fee_pence > limits.fee_pence and fee_pence > (claim.approved_fee_pence or 0):
        raise PaymentError(limits.fee_reason, field="fee")
    if expenses_pence > limits.expenses_pence and expenses_pence > (
        claim.approved_expenses_pence or 0
    ):
        raise PaymentError(limits.expenses_reason, field="expenses")


def correct_claim(claim, *, by, fee_pence: int, expenses_pence: int, reason: str) -> Claim:
    """Change the approved amounts of a claim not yet paid, within what the payment policy
    pays for it (`correction_limits`). Paying more needs a commissioner other than the one
    who set the amount standing now.

    The ledger is never edited: every entry still counting towards what we owe is reversed
    by a negated copy, then one new entry per part records the corrected amount.
    """
    reason = (reason or "").strip()
    if not reason:
        raise PaymentError("Enter the reason for the correction")
    with transaction.atomic():
        claim = _lock(claim)
        _require_reviewer(claim, by)
        _require_not_waiting_in_run(claim, then="correct the claim")
        if not claim.can_be_corrected:
            raise _cannot_be(claim, "corrected")
        if (fee_pence, expenses_pence) == (claim.approved_fee_pence, claim.approved_expenses_pence):
            raise PaymentError("The amounts are the same as before, so there is nothing to correct")
        if not fee_pence and not expenses_pence:
            # A £0 claim would go into a payment run and the person be told it was paid.
            raise PaymentError(
                "The corrected amounts add up to £0. If nothing should be paid, withdraw the "
                "approval instead and say why"
            )
        _require_within_policy(claim, fee_pence=fee_pence, expenses_pence=expenses_pence)
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
        LedgerEntry.objects.bulk_create(
            _corrections(
                claim,
                live,
                fee_pence=fee_pence,
                expenses_pence=expenses_pence,
                by=by,
                on=today,
                note=reason,
            )
        )
        before = claim.approved_total_pence
        claim.approved_fee_pence = fee_pence
        claim.approved_expenses_pence = expenses_pence
        claim.save(update_fields=["approved_fee_pence", "approved_expenses_pence", "updated_at"])
        _close_fee_adjustments(claim, by=by, reason=reason)
        _record(
            claim,
            actor=by,
            from_status=Status.APPROVED,
            note=f"We changed the amount from {format_pounds(before)} to "
            f"{format_pounds(claim.approved_total_pence)}: {reason}",
            message="claim_corrected",
        )
    return claim


def _require_nothing_else_owed(claim, live) -> None:
    """Withdrawing an approval reverses what it (and corrections since) owe, `live`. Anything
    else owed on the claim is the person's own money: what they paid back of an overpayment
    before the claim's payment came back from the bank (services.money_back
    .nothing_to_pay_back). No run pays a rejected claim, so they would never get it back."""
    owed = LedgerEntry.objects.owed().filter(claim=claim).balance()
    left = owed - sum(entry.amount_pence for entry in live)
    if left > 0:
        raise PaymentError(
            f"We owe {claim.claimant} {format_pounds(left)} they paid back before this claim's "
            "payment came back from the bank. No payment run pays a claim whose approval is "
            "withdrawn, so they would never get it back. Correct the approved amount instead: "
            f"the next payment run pays it with the {format_pounds(left)}."
        )


def withdraw_approval(claim, *, by, reason: str) -> Claim:
    """We approved a claim and should not have (it was a duplicate, say): nothing is owed any
    more, and the claim ends as rejected, with the reason the person sees.

    Only before it is in a payment run: once finance has the run's file, the run must be
    cancelled first, or finance would pay it anyway. Nor while we owe the person money they
    paid back (`_require_nothing_else_owed`): a commissioner corrects the amount instead.
    The ledger keeps the approval and reverses it. The row lock makes a second withdrawal,
    or a run made at the same moment, wait and then find the claim no longer approved (or
    already in the run).
    """
    reason = (reason or "").strip()
    if not reason:
        raise PaymentError("Enter why you are withdrawing the approval, so the person knows")
    with transaction.atomic():
        claim = _lock(claim)
        _require_reviewer(claim, by)
        _require_not_waiting_in_run(claim, then="withdraw the approval")
        if not claim.can_be_withdrawn:
            raise PaymentError(
                f"This claim is {claim.get_status_display().lower()}, so there is no approval "
                "to withdraw. Someone may have dealt with it already."
            )
        live = list(LedgerEntry.objects.live_owed_for(claim))
        _require_nothing_else_owed(claim, live)
        LedgerEntry.objects.bulk_create(
            _reversals(claim, live, by=by, note=reason, on=timezone.localdate())
        )
        _close_fee_adjustments(claim, by=by, reason=reason)
        claim.status = Status.REJECTED
        claim.reason = reason
        # Nothing is approved any more: the ledger and the history keep what was.
        claim.approved_fee_pence = None
        claim.approved_expenses_pence = None
        claim.decided_at = timezone.now()
        claim.decided_by = by
        claim.save(
            update_fields=[
                "status",
                "reason",
                "approved_fee_pence",
                "approved_expenses_pence",
                "decided_at",
                "decided_by",
                "updated_at",
            ]
        )
        _record(
            claim,
            actor=by,
            from_status=Status.APPROVED,
            note=reason,
            message="claim_approval_withdrawn",
        )
    return claim


def reopen_claim(claim, *, by, reason: str) -> Claim:
    """A claim we decided not to pay (rejected, or its approval withdrawn) was wrong, or can
    be put right: send it back to the person, as returned, to change and send again. It is
    then reviewed like any other. The ledger needs nothing: a rejected claim owes nothing,
    and approving it again records what we owe then.

    Whoever decided not to pay it may not reopen it (`reopen_block_reason`). The row lock
    makes a second reopening (a double click, or two commissioners at once) wait, then find
    the claim returned already and stop.
    """
    reason = (reason or "").strip()
    if not reason:
        raise PaymentError("Enter why you are reopening the claim, so the person knows what to do")
    with transaction.atomic():
        claim = _lock(claim)
        # The status first: whoever reopened it a moment ago must hear that it is done, not
        # that they decided not to pay it.
        if not claim.can_be_reopened:
            raise _cannot_be(claim, "reopened")
        block = reopen_block_reason(claim, by)
        if block:
            raise PaymentError(block)
        _require_still_attended(claim, by=by, action="reopened")
        claim.status = Status.RETURNED
        claim.reason = reason
        claim.decided_at = timezone.now()
        claim.decided_by = by
        claim.save(update_fields=["status", "reason", "decided_at", "decided_by", "updated_at"])
        _record(claim, actor=by, from_status=Status.REJECTED, note=reason, message="claim_reopened")
        # Its session's fee may have been corrected while it was refused: the person now
        # changes and sends it again, so it gets the fee a claim started today would.
        from .fee_corrections import follow_session_fee_on_reopening

        follow_session_fee_on_reopening(claim, by=by)
    return claim
