"""Money asked back after a session's fee was corrected down on a paid claim.

A commissioner who decides to ask for an overpayment back (`decide_overpayment` with
RECOVER) starts this: the person is told once, kindly, how much and why, that they need do
nothing until someone contacts them about how to pay it back, and who to talk to if that is
hard for them. Then, as money comes back (all at once or in parts), a commissioner records
each amount received: the ledger takes it off what was paid out to the person on the day it
came back (a REPAYMENT entry; nothing already there changes), so their tax-year totals, which
matter for their benefits, and the project's spend go down. Or a commissioner stops asking
for the rest, saying why, and the person is told they need not pay it.

The same people who may approve the claim may do these (`review_block_reason`). Each locks
the claim, then the adjustment (the order every payments service locks them in), so a double
click or two commissioners at once record a payment once, and never more than is owed back.

If the bank sends the claim's payment back after we asked, the person never had the money:
recording the returned payment stops asking for it, and owes them again whatever they had
paid back (`nothing_to_pay_back`).
"""

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from coprod_hub.lib.money import format_pounds

from ..models import ClaimEvent, FeeAdjustment
from ._common import PaymentError, Status, _record, _require_commissioner
from .ledger import _paid_back_counted, _paid_back_not_yet_counted, _repayment
from .review import lock_fee_adjustment


def ask_for_money_back(adjustment, *, by) -> ClaimEvent:
    """Tell the person we are asking for `adjustment` back, with the change in their claim's
    history. Called by `decide_overpayment`, inside its transaction, with both rows locked:
    the decision is made once, so they hear once."""
    claim = adjustment.claim
    return _record(
        claim,
        actor=by,
        from_status=claim.status,
        note=ClaimEvent.asked_back_note(adjustment),
        message="claim_money_back_asked",
        extra={
            "asked_back_pence": adjustment.amount_pence,
            "fee_before_pence": adjustment.fee_before_pence,
            "fee_now_pence": adjustment.fee_after_pence,
        },
    )


def _asked_back_for_a_change(adjustment, by):
    """Lock the claim, then the adjustment, and check money is still asked back for it and
    `by` may act on the claim. A second request (a double click, two commissioners at once)
    waits for the first, then sees what it did."""
    _require_commissioner(by)
    return lock_fee_adjustment(
        adjustment,
        by=by,
        still=lambda adjustment: adjustment.can_take_money_back,
        gone="Nothing is still asked back for this claim. Someone may have recorded the last "
        "of it, or stopped asking for it.",
    )


def record_money_back(
    adjustment,
    *,
    by,
    amount_pence: int,
    received_on: date,
    still_asked_back_pence: int | None = None,
) -> FeeAdjustment:
    """A commissioner records money the person paid back: part or all of what is still asked
    back, received on `received_on` (not in the future, nor before the fee was corrected).

    `still_asked_back_pence`: what the page said was still to come back when the commissioner
    filled it in. If someone has recorded money since (the same payment, clicked twice or
    recorded by two people), this is refused rather than recorded again.
    """
    if amount_pence is None or amount_pence <= 0:
        raise PaymentError("Enter an amount more than £0", field="amount")
    if received_on > timezone.localdate():
        raise PaymentError("The date received cannot be in the future", field="received_on")
    with transaction.atomic():
        adjustment = _asked_back_for_a_change(adjustment, by)
        claim = adjustment.claim
        still = adjustment.still_asked_back_pence
        if still_asked_back_pence is not None and still_asked_back_pence != still:
            raise PaymentError(
                "Someone recorded money received for this claim while you were filling this "
                f"in. {format_pounds(still)} is still to come back now. Check it is not the "
                "same payment before you record it."
            )
        if amount_pence > still:
            raise PaymentError(
                f"The amount cannot be more than the {format_pounds(still)} still to pay back",
                field="amount",
            )
        corrected_on = timezone.localdate(adjustment.created_at)
        if received_on < corrected_on:
            raise PaymentError(
                "The date received cannot be before the session's fee was corrected, on "
                f"{corrected_on:%-d %B %Y}",
                field="received_on",
            )
        if claim.status != Status.PAID:
            # The bank sent the claim's payment back after we asked: there is nothing paid to
            # take money off. Finance sorts out what happened with the person.
            raise PaymentError(
                "This claim is not paid now (its payment came back), so money paid back cannot "
                "be recorded against it. Talk to finance."
            )
        note = f"Paid back by the person: {format_pounds(amount_pence)}"
        _repayment(claim, amount_pence=amount_pence, by=by, on=received_on, note=note).save()
        adjustment.recovered_pence += amount_pence
        if adjustment.recovered_pence == adjustment.amount_pence:
            adjustment.repaid_on = received_on
        adjustment.save(update_fields=["recovered_pence", "repaid_on"])
        _record(
            claim,
            actor=by,
            from_status=claim.status,
            note=ClaimEvent.money_back_note(
                adjustment, amount_pence=amount_pence, received_on=received_on
            ),
            message="claim_money_back_received",
            extra={
                "received_pence": amount_pence,
                "received_on": received_on,
                "still_asked_back_pence": adjustment.still_asked_back_pence,
            },
        )
    return adjustment


def stop_asking_after_a_correction(adjustment, *, by, now) -> None:
    """The session's fee was corrected again while money was still asked back: what is
    still asked for is worked out again from the new fee (services.fee_corrections), so we
    stop asking for it and tell the person. Called inside that correction's transaction,
    with the claim locked."""
    adjustment.stopped_asking_at = now
    adjustment.stopped_asking_by = by
    adjustment.stop_reason = "The session's fee was corrected again."
    adjustment.save(update_fields=["stopped_asking_at", "stopped_asking_by", "stop_reason"])
    _tell_stopped(adjustment, by=by)


def _tell_stopped(adjustment, *, by) -> None:
    claim = adjustment.claim
    _record(
        claim,
        actor=by,
        from_status=claim.status,
        note=ClaimEvent.stopped_asking_note(adjustment),
        message="claim_money_back_stopped",
        extra={
            "not_asked_for_pence": adjustment.not_asked_for_pence,
            "recovered_pence": adjustment.recovered_pence,
        },
    )


def stop_asking_for_money_back(adjustment, *, by, reason: str) -> FeeAdjustment:
    """A commissioner stops asking for the rest (it would cause the person hardship, say),
    and says why; the reason stays with commissioners. What was paid back stays in the
    ledger; the rest stays paid to the person. They are told they need not pay it."""
    reason = (reason or "").strip()
    if not reason:
        raise PaymentError("Enter why you are no longer asking for it back", field="reason")
    with transaction.atomic():
        adjustment = _asked_back_for_a_change(adjustment, by)
        adjustment.stopped_asking_at = timezone.now()
        adjustment.stopped_asking_by = by
        adjustment.stop_reason = reason
        adjustment.save(update_fields=["stopped_asking_at", "stopped_asking_by", "stop_reason"])
        _tell_stopped(adjustment, by=by)
    return adjustment


@dataclass
class NothingToPayBack:
    """What a returned payment did to money asked back on its claim."""

    # Still asked back, and no longer: the person never had it.
    not_asked_for_pence: int = 0
    # What they had paid back, owed to them again (paid with the claim).
    owed_back_pence: int = 0
    # The asked-back overpayments it ended, newest first.
    adjustments: list[FeeAdjustment] | None = None

    @property
    def message_words(self) -> dict:
        """For the message saying the payment did not go through: it says this too, so the
        person hears it once."""
        return {
            "not_asked_for_pence": self.not_asked_for_pence,
            "owed_back_pence": self.owed_back_pence,
        }


def nothing_to_pay_back(claim, *, by, run, today) -> NothingToPayBack:
    """The bank sent back the claim's own payment (services.runs.record_payment_returned,
    inside its transaction, with the claim locked and back to approved): the person never had
    the money we asked them to pay back of it. We stop asking for what is still outstanding,
    and what they had paid back is owed to them again: a REPAYMENT added to what we owe, so
    the next payment run pays it with the claim. The claim's history says so (the person
    reads it); the message about the returned payment tells them (`message_words`), so they
    hear once.

    The asked-back overpayments are locked after the claim (the order every payments service
    locks them in): a commissioner recording money back at the same moment either went first,
    and that money is owed back here, or waits, then finds nothing asked back."""
    asked_back = list(
        FeeAdjustment.objects.select_for_update()
        .filter(
            claim=claim,
            kind=FeeAdjustment.Kind.OVERPAYMENT,
            outcome=FeeAdjustment.Outcome.RECOVER,
            payment_came_back=False,
        )
        .order_by("-pk")
    )
    result = NothingToPayBack(adjustments=[])
    if not asked_back:
        return result
    # What was paid back and still counts as paid back (an earlier correction of the
    # session's fee may have counted it in the approved fee: `_paid_back_counted`). It is the
    # newest asked-back overpayments' money: a correction counts all paid back before it.
    owed_back = _paid_back_not_yet_counted([claim.pk]).get(claim.pk, 0)
    left_to_place = owed_back
    now = timezone.now()
    for adjustment in asked_back:
        adjustment.claim = claim
        still = adjustment.still_asked_back_pence
        placed = min(left_to_place, adjustment.recovered_pence)
        left_to_place -= placed
        if not still and not placed:
            continue  # settled before (paid back and counted, or no longer asked)
        adjustment.payment_came_back = True
        fields = ["payment_came_back"]
        if still:
            adjustment.stopped_asking_at, adjustment.stopped_asking_by = now, by
            adjustment.stop_reason = (
                f"The claim's payment came back from the bank ({run.reference}), so the "
                "person never had the money: there is nothing to pay back."
            )
            fields += ["stopped_asking_at", "stopped_asking_by", "stop_reason"]
        # What they had paid back of it: `money_back_state` says it is paid back to them.
        adjustment.save(update_fields=fields)
        result.not_asked_for_pence += still
        result.adjustments.append(adjustment)
    result.owed_back_pence = owed_back
    if owed_back:
        _paid_back_counted(
            claim,
            amount_pence=owed_back,
            by=by,
            on=today,
            note=f"{format_pounds(owed_back)} paid back by the person, owed to them again: "
            f"the claim's payment came back from the bank ({run.reference})",
        ).save()
    if result.adjustments:
        _record(
            claim,
            actor=by,
            from_status=claim.status,
            note=ClaimEvent.nothing_to_pay_back_note(
                not_asked_for_pence=result.not_asked_for_pence, owed_back_pence=owed_back
            ),
            notify=False,
        )
    return result
