"""Claims follow a correction to their session's fee.

Staff may correct a session after it happened: it was a full day, not a half day, it ran an
hour longer (a session paid by the hour), or it was on another day. What people claimed
follows, worked out from the corrected session and the rate in force on its day, as a claim
started now would be. Every claim takes the session's day as its own (the day the rates and
expense rules come from; the ledger's tax years go by when entries are made, so they do not
move), with the change in its history; the fee then follows:

- claims not yet approved (not sent, sent, or returned to the person) have their fee line
  worked out again, and the person is told;
- claims approved or paid: when the fee is now more, the difference is a top-up
  (FeeAdjustment) waiting for a commissioner's approval, since only commissioners approve what
  we pay (SPEC 4.3). Nothing is owed, and the person hears nothing, until one approves it
  (`approve_top_up`): the approved fee is then corrected in the ledger (reverse and replace,
  as a commissioner's correction is), the next payment run pays the difference exactly once,
  and the person is told. A top-up refused (`refuse_top_up`) was never owed, so they are not
  told of it. When the fee is now less, nothing is taken back: commissioners see the
  overpayment and decide (`decide_overpayment`), and no payment run pays the claim until
  they do (services.runs.create_payment_run), as it would pay more than the session does.
  Money the person already paid back of an overpayment asked back is no longer paid to them:
  the correction takes it into the approved fee (what they kept), with its other side in the
  ledger (`_replace_approved_fee`), so it counts once, and a fee corrected back up pays it
  again as a top-up;
- refused claims stay as they were refused; reopening one works its fee out again.

`plan_fee_correction` says what a correction would do, for the page staff check before saving
it; `follow_session_fee` does it, inside the transaction that saves the session.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from coprod_hub.lib.money import format_pounds
from coprod_hub.templatetags.hub import hours
from notifications.services import queue_messages_for_events
from participation.models import Opportunity

from .. import policy
from ..messages import claim_message_context
from ..models import Claim, ClaimEvent, ClaimLine, FeeAdjustment, LedgerEntry, PaymentPolicy
from ._common import PaymentError, Status, _require_commissioner
from .claims import _refresh_fee_line
from .ledger import (
    _corrections,
    _paid_back_counted,
    _paid_back_not_yet_counted,
)
from .money_back import ask_for_money_back, stop_asking_after_a_correction
from .review import lock_fee_adjustment

NOT_YET_APPROVED = (Status.DRAFT, Status.SUBMITTED, Status.RETURNED)

# How each way of paying a fee reads after its amount.
_FEE_PHRASES = {
    Opportunity.FeeBasis.HALF_DAY: "for a half day",
    Opportunity.FeeBasis.FULL_DAY: "for a full day",
    Opportunity.FeeBasis.PER_ACTIVITY: "for taking part",
}


def fee_phrase(basis: str, amount_pence: int, *, hours_paid=None, rate_pence=None) -> str:
    """ "£90 for a full day", "£45 for 2.25 hours at £20 an hour", "no fee"."""
    if basis in ("", Opportunity.FeeBasis.NONE):
        return "no fee"
    if basis == Opportunity.FeeBasis.PER_HOUR and hours_paid is not None:
        return (
            f"{format_pounds(amount_pence)} for {hours(hours_paid)} at "
            f"{format_pounds(rate_pence)} an hour"
        )
    return f"{format_pounds(amount_pence)} {_FEE_PHRASES.get(basis, '')}".strip()


def _phrase_for_fee(fee) -> str:
    if fee is None:
        return "no fee"
    return fee_phrase(fee.basis, fee.amount_pence, hours_paid=fee.hours, rate_pence=fee.rate_pence)


def _phrase_for_line(line) -> str:
    if line is None:
        return "no fee"
    return fee_phrase(
        line.fee_basis, line.amount_pence, hours_paid=line.hours, rate_pence=line.rate_pence
    )


class Action:
    """What a correction does to one claim."""

    RECALCULATE = "recalculate"  # not yet approved: the fee line is worked out again
    TOP_UP = "top_up"  # approved or paid: the fee is now more, a commissioner approves more
    TOP_UP_CANCELLED = "top_up_cancelled"  # a top-up not yet paid (or approved) is not owed
    OVERPAYMENT = "overpayment"  # approved or paid more than the fee now: commissioners decide
    OVERPAYMENT_CLEARED = "overpayment_cleared"  # the fee is back to what was approved
    REFUSED = "refused"  # rejected: left as it was refused


@dataclass
class ClaimFeeChange:
    """What correcting the session's fee does to one claim."""

    claim: Claim
    action: str
    # Not yet approved: the fee on the claim, and the one it gets. Approved or paid: the fee
    # approved that this correction keeps (less any approved top-up it cancels), and the
    # session's fee now.
    fee_before_pence: int
    fee_after_pence: int
    fee: policy.Fee | None = None
    line: ClaimLine | None = None
    before_words: str = ""
    after_words: str = ""
    # Approved top-ups no payment run has taken, cancelled by this correction: the person
    # was told we owe them.
    waiting: list[FeeAdjustment] = field(default_factory=list)
    # Top-ups still waiting for a commissioner's approval, replaced by this correction.
    to_approve: list[FeeAdjustment] = field(default_factory=list)
    open_overpayments: list[FeeAdjustment] = field(default_factory=list)
    # Overpayments asked back (services.money_back): what came back is no longer paid to the
    # person; what is still asked for, the corrected fee now decides again.
    asked_back: list[FeeAdjustment] = field(default_factory=list)
    # Money the person paid back that still counts against the approved fee (the ledger's
    # REPAYMENT entries not yet counted in what we owe): `fee_before_pence` is what they kept.
    # The correction counts it in the approved fee from now on (`_replace_approved_fee`).
    paid_back_pence: int = 0

    @property
    def difference_pence(self) -> int:
        """More owed (positive) or approved or paid over the fee (negative)."""
        return self.fee_after_pence - self.fee_before_pence

    @property
    def cancelled_pence(self) -> int:
        return sum(adjustment.amount_pence for adjustment in self.waiting)

    @property
    def tells_the_person(self) -> bool:
        """They hear of a new fee on a claim not yet approved, and of an extra we told them
        we would pay and now will not, and that we no longer ask for money back (the fee
        changed again). A top-up waits for a commissioner's approval, and an
        overpayment for their decision: nothing we pay them has changed yet, and hearing of
        money that may never come, or may be asked back, only worries people (benefits)."""
        return self.action == Action.RECALCULATE or bool(self.waiting) or bool(self.asked_back)


@dataclass
class FeeCorrectionPlan:
    """What correcting a session's fee does to the claims for it, before or as it is done."""

    opportunity: Opportunity
    changes: list[ClaimFeeChange]
    # Why the correction cannot be saved, in words for the member of staff making it.
    problem: str = ""
    # The session's fee before and after, in words ("£50 for a half day"), when known.
    fee_before: str = ""
    fee_after: str = ""
    # Claims dated another day than the session's (it was moved): they take its day.
    moved: list[Claim] = field(default_factory=list)

    @property
    def day(self) -> date:
        """The session's day: what each claim is for once the correction is saved."""
        return policy.activity_date(self.opportunity)

    def _with(self, *actions) -> list[ClaimFeeChange]:
        return [change for change in self.changes if change.action in actions]

    @property
    def affects_claims(self) -> bool:
        return bool(self.changes)

    @property
    def recalculated(self) -> list[ClaimFeeChange]:
        return self._with(Action.RECALCULATE)

    @property
    def top_ups(self) -> list[ClaimFeeChange]:
        return self._with(Action.TOP_UP)

    @property
    def top_up_total_pence(self) -> int:
        return sum(change.difference_pence for change in self.top_ups)

    @property
    def overpayments(self) -> list[ClaimFeeChange]:
        return self._with(Action.OVERPAYMENT)

    @property
    def overpaid_total_pence(self) -> int:
        return sum(-change.difference_pence for change in self.overpayments)

    @property
    def overpaid_in_payment_runs(self) -> list[ClaimFeeChange]:
        """Overpayments on claims already in a payment run finance has not confirmed paying:
        finance pays what the run holds, more than the session pays now."""
        return [change for change in self.overpayments if change.claim.is_waiting_in_payment_run]

    @property
    def cancelled_top_ups(self) -> list[ClaimFeeChange]:
        """Claims whose approved top-up not yet paid is no longer owed (whatever else
        happens)."""
        return [change for change in self.changes if change.waiting]

    @property
    def replaced_to_approve(self) -> list[ClaimFeeChange]:
        """Claims whose top-up waiting for approval this correction replaces."""
        return [change for change in self.changes if change.to_approve]

    @property
    def refused(self) -> list[ClaimFeeChange]:
        return self._with(Action.REFUSED)

    @property
    def people(self) -> int:
        """How many people's claims change (not counting those refused)."""
        return len(
            {change.claim.claimant_id for change in self.changes if change.action != Action.REFUSED}
        )

    @property
    def told(self) -> int:
        return sum(1 for change in self.changes if change.tells_the_person)


def _no_rate(opportunity, day) -> str:
    return (
        f"The payment policy has no {opportunity.get_fee_basis_display().lower()} fee rate for "
        f"{day:%-d %B %Y}, so the claims for this session could not be worked out. Choose "
        "another fee, or ask a commissioner about the rates."
    )


def session_fee_in_words(opportunity) -> str:
    """ "£90 for a full day": what the session pays on its day, as the policy works it out."""
    if not opportunity.is_paid:
        return "no fee"
    fee = policy.fee_for(opportunity, policy.activity_date(opportunity))
    if fee is None:
        return f"a {opportunity.get_fee_basis_display().lower()} fee, with no rate for that day"
    return _phrase_for_fee(fee)


def lock_claims_for_session(opportunity) -> None:
    """Lock every claim made for the session, in id order, until the transaction ends: taken
    before the session's own row when it is changed (participation.update_opportunity), the
    order in which claims' services lock a claim and then write a message naming its
    session."""
    list(
        Claim.objects.select_for_update()
        .filter(opportunity_id=opportunity.pk)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def plan_fee_correction(opportunity, *, by, lock: bool = False, was=None) -> FeeCorrectionPlan:
    """What saving `opportunity` as it is now (saved, or changed in memory and not yet saved)
    does to the claims for it. `lock`: lock the claims (inside the transaction that saves the
    correction), so a commissioner approving one, or a payment run, waits and then sees the
    corrected claim. `was`: the session as saved, to say what its fee was. A few queries
    however many claims."""
    words = {
        "fee_before": session_fee_in_words(was) if was is not None else "",
        "fee_after": session_fee_in_words(opportunity),
    }
    claims = Claim.objects.filter(opportunity_id=opportunity.pk).order_by("pk")
    if lock:
        claims = claims.select_for_update(of=("self",))
    claims = list(claims.select_related("claimant"))
    if not claims:
        return FeeCorrectionPlan(opportunity, [], **words)
    ids = [claim.pk for claim in claims]
    lines = {
        line.claim_id: line
        for line in ClaimLine.objects.filter(claim_id__in=ids, kind=ClaimLine.Kind.FEE)
    }
    open_adjustments: dict[int, list[FeeAdjustment]] = {}
    # Open ones, and overpayments asked back (money may have come back for them).
    asked_back = Q(kind=FeeAdjustment.Kind.OVERPAYMENT, outcome=FeeAdjustment.Outcome.RECOVER)
    for adjustment in FeeAdjustment.objects.filter(Q(outcome="") | asked_back, claim_id__in=ids):
        open_adjustments.setdefault(adjustment.claim_id, []).append(adjustment)
    # Only claims with money asked back can have money paid back.
    paid_back = _paid_back_not_yet_counted(
        [
            pk
            for pk, adjustments in open_adjustments.items()
            if any(a.is_asked_back for a in adjustments)
        ]
    )

    # Every claim is for the session's day, as one started now would be: the session may have
    # been moved since they were made.
    day = policy.activity_date(opportunity)
    session_fee = policy.fee_for(opportunity, day) if opportunity.is_paid else None
    changes, problem = [], ""
    moved = [claim for claim in claims if claim.activity_date != day]
    for claim in claims:
        claim.opportunity = opportunity
        fee = None
        if opportunity.is_paid and not claim.declines_fee:
            fee = session_fee
            if fee is None:
                problem = problem or _no_rate(opportunity, day)
                continue
        change = _change_for(
            claim,
            fee,
            lines.get(claim.pk),
            open_adjustments.get(claim.pk, []),
            paid_back_pence=paid_back.get(claim.pk, 0),
        )
        if change is None:
            continue
        if change.action == Action.TOP_UP and claim.claimant_id == by.pk:
            problem = problem or (
                "You have an approved claim for this session, so you cannot correct its fee: "
                "that would raise what you are paid. Ask someone else who runs the session."
            )
        changes.append(change)
    return FeeCorrectionPlan(opportunity, changes, problem, moved=moved, **words)


def _change_for(claim, fee, line, open_adjustments, *, paid_back_pence=0) -> ClaimFeeChange | None:
    """What the fee `fee` means for `claim`. `paid_back_pence`: what the person paid back that
    still counts against its approved fee (`_paid_back_not_yet_counted`)."""
    after_pence = fee.amount_pence if fee else 0
    after_words = _phrase_for_fee(fee)
    if claim.status in (*NOT_YET_APPROVED, Status.REJECTED):
        if _line_says(line, fee):
            return None
        # A refused claim stays as it was refused; reopening it works its fee out again.
        refused = claim.status == Status.REJECTED
        return ClaimFeeChange(
            claim,
            Action.REFUSED if refused else Action.RECALCULATE,
            line.amount_pence if line else 0,
            after_pence,
            fee=fee,
            line=None if refused else line,
            before_words=_phrase_for_line(line),
            after_words=after_words,
        )
    waiting = [a for a in open_adjustments if a.is_waiting]
    to_approve = [a for a in open_adjustments if a.can_be_approved]
    overpayments = [a for a in open_adjustments if a.can_be_decided]
    asked_back = [a for a in open_adjustments if a.can_take_money_back]
    # The approved fee includes approved top-ups no payment run has taken (a top-up waiting
    # for approval is in neither the ledger nor approved_fee_pence). A fee now at least that
    # keeps them: a commissioner approved them. A lower one cancels them, and the difference
    # is worked out again from what was approved without them.
    approved = claim.approved_fee_pence or 0
    if waiting and after_pence < approved:
        settled = approved - sum(a.amount_pence for a in waiting)
    else:
        settled, waiting = approved, []
    # Money paid back is no longer paid to the person. Counted once: the ledger says what of
    # it an earlier correction has not already taken into the approved fee.
    settled -= paid_back_pence
    if after_pence > settled:
        action = Action.TOP_UP
        same = to_approve and to_approve[0].fee_before_pence == settled
        if same and to_approve[0].fee_after_pence == after_pence and not waiting:
            return None  # the same top-up is waiting for approval already
    elif after_pence < settled:
        action = Action.OVERPAYMENT
        same = overpayments and overpayments[0].amount_pence == settled - after_pence
        if same and not waiting and not to_approve and not asked_back:
            return None  # the same overpayment is waiting for a decision already
    elif waiting or to_approve:
        action = Action.TOP_UP_CANCELLED
    elif overpayments or asked_back:
        action = Action.OVERPAYMENT_CLEARED
    else:
        return None
    return ClaimFeeChange(
        claim,
        action,
        settled,
        after_pence,
        fee=fee,
        before_words=format_pounds(settled),
        after_words=after_words,
        waiting=waiting,
        to_approve=to_approve,
        open_overpayments=overpayments,
        asked_back=asked_back,
        paid_back_pence=paid_back_pence,
    )


def _line_says(line, fee) -> bool:
    """Whether the claim's fee line (None: no line) already says what `fee` (None: no fee)
    does."""
    if line is None or fee is None:
        return line is None and fee is None
    return (line.fee_basis, line.hours, line.rate_pence, line.amount_pence) == (
        fee.basis,
        fee.hours,
        fee.rate_pence,
        fee.amount_pence,
    )


def follow_session_fee(opportunity, *, by) -> FeeCorrectionPlan:
    """Work the correction of `opportunity`'s fee or day (just saved, in this transaction)
    through to its claims, as `plan_fee_correction` says, and tell the people whose fee
    changes.

    Raises PaymentError, and nothing is saved, if the corrected fee cannot be worked out (no
    rate in the payment policy for that day) or would raise what `by` is paid themselves.
    """
    with transaction.atomic():
        plan = plan_fee_correction(opportunity, by=by, lock=True)
        if plan.problem:
            raise PaymentError(plan.problem)
        _move_to_the_session_day(plan.moved, plan.day, by=by)
        if not plan.changes:
            return plan
        now = timezone.now()
        today = timezone.localdate(now)
        messages = []
        for change in plan.changes:
            if change.action == Action.REFUSED:
                continue
            if change.action == Action.RECALCULATE:
                event = _recalculate_fee(change, by=by)
                messages.append(("claim_fee_changed", change, event))
                continue
            event = _adjust_approved(change, by=by, now=now, today=today)
            if event is not None:
                messages.append(("claim_top_up", change, event))
        _tell(
            [(kind, change.claim, event, _change_words(change)) for kind, change, event in messages]
        )
    return plan


def _move_to_the_session_day(claims, day, *, by) -> None:
    """Claims for a session moved to another day are for its new day, with the change in each
    one's history (the person reads it too). It is a correction of the record, not news: they
    hear only if their fee changes with it. Two queries however many claims."""
    if not claims:
        return
    events = []
    for claim in claims:
        events.append(
            ClaimEvent(
                claim=claim,
                actor=by,
                from_status=claim.status,
                to_status=claim.status,
                note=ClaimEvent.day_corrected_note(day, was=claim.activity_date),
            )
        )
        claim.activity_date = day
    Claim.objects.filter(pk__in=[claim.pk for claim in claims]).update(
        activity_date=day, updated_at=timezone.now()
    )
    ClaimEvent.objects.bulk_create(events)


def follow_session_fee_on_reopening(claim, *, by) -> None:
    """A refused claim is reopened (now returned to the person): it gets the fee its session
    pays now, which may have been corrected while it was refused, with the change in its
    history. The message about reopening it is the person's news; this adds none."""
    opportunity = claim.opportunity
    fee = None
    if opportunity.is_paid and not claim.declines_fee:
        fee = policy.fee_for(opportunity, claim.activity_date)
        if fee is None:
            return  # no rate for that day: it keeps the fee it was refused with
    line = claim.lines.filter(kind=ClaimLine.Kind.FEE).first()
    change = _change_for(claim, fee, line, [])
    if change is not None:
        _recalculate_fee(change, by=by)


def _recalculate_fee(change, *, by) -> ClaimEvent:
    claim = change.claim
    _refresh_fee_line(claim, change.fee)
    return ClaimEvent.objects.create(
        claim=claim,
        actor=by,
        from_status=claim.status,
        to_status=claim.status,
        note=f"{ClaimEvent.FEE_CORRECTED_NOTE_START}, so the fee on this claim is now "
        f"{change.after_words} (it was {change.before_words}).",
    )


def _adjust_approved(change, *, by, now, today) -> ClaimEvent | None:
    claim = change.claim
    what_changed = f"The fee for the session was corrected to {change.after_words}"
    for adjustment in change.waiting + change.to_approve:
        _close(adjustment, outcome=FeeAdjustment.Outcome.CANCELLED, by=by, now=now)
    for adjustment in change.open_overpayments:
        _close(adjustment, outcome=FeeAdjustment.Outcome.SUPERSEDED, by=by, now=now)
    # Money still asked back: the corrected fee decides again (a new overpayment for
    # commissioners, if any), so we stop asking for it and tell the person they need not pay.
    for adjustment in change.asked_back:
        adjustment.claim = claim
        stop_asking_after_a_correction(adjustment, by=by, now=now)
    # Staff never raise what we owe: a top-up waits for a commissioner (`approve_top_up`),
    # and the hub takes nothing back by itself. Only cancelling an approved top-up not yet
    # paid takes the approved fee back to what it was without it.
    # Money paid back counts in the approved fee from now on: it becomes what the person
    # kept, so a top-up or an overpayment is worked out from that and approved as usual.
    if change.fee_before_pence != claim.approved_fee_pence or change.paid_back_pence:
        _replace_approved_fee(
            claim,
            fee_pence=change.fee_before_pence,
            by=by,
            on=today,
            note=what_changed,
            paid_back_pence=change.paid_back_pence,
        )
    if change.action in (Action.TOP_UP, Action.OVERPAYMENT):
        FeeAdjustment.objects.create(
            claim=claim,
            kind=(
                FeeAdjustment.Kind.TOP_UP
                if change.action == Action.TOP_UP
                else FeeAdjustment.Kind.OVERPAYMENT
            ),
            amount_pence=abs(change.difference_pence),
            fee_before_pence=change.fee_before_pence,
            fee_after_pence=change.fee_after_pence,
            what_changed=f"{what_changed}. {_approved_or_paid(claim, change)}",
            paid_back_pence=change.paid_back_pence,
            created_by=by,
        )
    if not change.waiting:
        return None  # the top-up we told them of stands (money asked back is told above)
    return ClaimEvent.objects.create(
        claim=claim,
        actor=by,
        from_status=claim.status,
        to_status=claim.status,
        note=_approved_note(change, claim),
    )


def _approved_or_paid(claim, change) -> str:
    """ "The fee paid was £50.", or "The fee paid was £50, and £25 of it was paid back." """
    if change.paid_back_pence:
        paid = format_pounds(change.fee_before_pence + change.paid_back_pence)
        return (
            f"The fee paid was {paid}, and {format_pounds(change.paid_back_pence)} of it was "
            "paid back."
        )
    fee = format_pounds(change.fee_before_pence)
    return (
        f"The fee paid was {fee}."
        if claim.status == Status.PAID
        else f"The fee approved was {fee}."
    )


def _approved_note(change, claim) -> str:
    """The history's words, which the person reads too: no payment runs, no overpayments,
    no top-up not yet approved. They hear of an extra we no longer owe them."""
    return (
        f"{ClaimEvent.FEE_CORRECTED_NOTE_START} to {change.after_words}. We will not pay the "
        f"extra {format_pounds(change.cancelled_pence)} we told you about."
    )


def _top_up_note(adjustment, fee_now: str) -> str:
    """The history's words when a commissioner approves a top-up, which the person reads."""
    return (
        f"{ClaimEvent.FEE_CORRECTED_NOTE_START} to {fee_now}. We owe "
        f"{format_pounds(adjustment.amount_pence)} more, and will pay it with our next batch "
        "of payments."
    )


def _replace_approved_fee(claim, *, fee_pence: int, by, on, note: str, paid_back_pence=0) -> None:
    """The ledger's correction: reverse every entry still counting towards what we owe for
    the claim, then record the new amounts (the fee changed, expenses as approved). On a paid
    claim the difference stays owed until a payment run pays it.

    `paid_back_pence`: money the person paid back that `fee_pence` (what they kept) takes in.
    It was taken off what was paid out when it came back, so it is added to what we owe as
    well: otherwise the lower fee would count it a second time, as owed back to us."""
    live = list(LedgerEntry.objects.live_owed_for(claim))
    expenses = claim.approved_expenses_pence or 0
    entries = _corrections(
        claim, live, fee_pence=fee_pence, expenses_pence=expenses, by=by, on=on, note=note
    )
    if paid_back_pence:
        entries.append(
            _paid_back_counted(
                claim,
                amount_pence=paid_back_pence,
                by=by,
                on=on,
                note=f"{format_pounds(paid_back_pence)} paid back by the person, counted in the "
                f"corrected fee of {format_pounds(fee_pence)}: {note}",
            )
        )
    LedgerEntry.objects.bulk_create(entries)
    claim.approved_fee_pence = fee_pence
    claim.save(update_fields=["approved_fee_pence", "updated_at"])


def _close(adjustment, *, outcome, by, now, reason: str = "") -> None:
    adjustment.outcome = outcome
    adjustment.closed_at = now
    adjustment.closed_by = by
    adjustment.reason = reason
    adjustment.save(update_fields=["outcome", "closed_at", "closed_by", "reason"])


def close_open_adjustments(claim, *, by, reason: str) -> None:
    """A commissioner set the approved amount themselves (corrected it, or withdrew the
    approval): top-ups not yet in a payment run are part of what they replaced, and an
    overpayment waiting for a decision has been decided."""
    now = timezone.now()
    for adjustment in FeeAdjustment.objects.open().filter(claim=claim, payment_run__isnull=True):
        outcome = (
            FeeAdjustment.Outcome.CANCELLED
            if adjustment.is_top_up
            else FeeAdjustment.Outcome.CORRECTED
        )
        _close(adjustment, outcome=outcome, by=by, now=now, reason=reason)


def _change_words(change) -> dict:
    """What a message about `change` says of the fee. Staff's correction never tells of a
    top-up: one is owed only once a commissioner approves it (`approve_top_up`)."""
    return {
        "fee_before": change.before_words,
        "fee_now": change.after_words,
        "fee_before_pence": change.fee_before_pence,
        "fee_now_pence": change.fee_after_pence,
        "top_up_pence": 0,
        "cancelled_pence": change.cancelled_pence,
    }


def _tell(messages) -> None:
    """One message per claim changed, each for its history event, so a retry sends nothing
    twice. `messages`: (kind, claim, event, what it says of the fee). The session's details
    are already on each claim (`plan_fee_correction`)."""
    if not messages:
        return
    policy_row = PaymentPolicy.current()
    for kind in ("claim_fee_changed", "claim_top_up"):
        events = [
            (
                claim.claimant,
                f"claim-event:{event.pk}",
                {
                    **claim_message_context(claim, event, policy=policy_row),
                    "is_paid": claim.status == Status.PAID,
                    "can_change": claim.is_editable,
                    **words,
                },
            )
            for message_kind, claim, event, words in messages
            if message_kind == kind
        ]
        if events:
            queue_messages_for_events(kind, events=events)


def overpayment_after_a_returned_payment(claim, *, by, run) -> FeeAdjustment | None:
    """The bank sent back the claim's own payment after we had asked for an overpayment back
    (services.money_back.nothing_to_pay_back stopped asking): the claim is approved again, for
    the amount approved, which is more than its session pays now. As for any approved claim
    whose fee went down, a commissioner decides before it is paid again (correct the approved
    amount on the claim's page, or leave it): an overpayment to decide, which the person does
    not hear of. Called inside the transaction recording the return, with the claim locked."""
    opportunity = claim.opportunity
    fee = None
    if opportunity.is_paid and not claim.declines_fee:
        fee = policy.fee_for(opportunity, claim.activity_date)
        if fee is None:
            return None  # no rate for its day now: the approved amount stands
    open_adjustments = list(
        FeeAdjustment.objects.select_for_update().filter(claim=claim, outcome="").order_by("pk")
    )
    # Nothing paid back still counts against the fee: nothing_to_pay_back owed it back.
    change = _change_for(claim, fee, None, open_adjustments)
    if change is None or change.action != Action.OVERPAYMENT:
        return None
    now = timezone.now()
    for adjustment in change.open_overpayments:
        _close(adjustment, outcome=FeeAdjustment.Outcome.SUPERSEDED, by=by, now=now)
    return FeeAdjustment.objects.create(
        claim=claim,
        kind=FeeAdjustment.Kind.OVERPAYMENT,
        amount_pence=-change.difference_pence,
        fee_before_pence=change.fee_before_pence,
        fee_after_pence=change.fee_after_pence,
        what_changed=f"The claim's payment came back from the bank ({run.reference}) after we "
        f"asked for money back, so it is to pay again. The session's fee is "
        f"{change.after_words}. The fee approved was {format_pounds(change.fee_before_pence)}.",
        created_by=by,
    )


# --- Commissioners decide about overpayments ------------------------------------------------


def decision_choices(adjustment) -> list[tuple[str, str]]:
    """What may be decided: a paid claim's overpayment is left or asked back; an approved
    amount not yet paid is left, or corrected on the claim's own page."""
    allowed = (
        FeeAdjustment.DECISIONS_WHEN_PAID
        if adjustment.claim.status == Status.PAID
        else FeeAdjustment.DECISIONS_WHEN_APPROVED
    )
    return [(outcome.value, outcome.label) for outcome in allowed]


def decide_overpayment(adjustment, *, by, outcome: str, reason: str) -> FeeAdjustment:
    """Record a commissioner's decision about an overpayment: leave it, or ask for the money
    back (paid claims). Nothing moves in the ledger yet. Asking for it back tells the person,
    and commissioners then record the money as it comes back, or stop asking for the rest
    (services.money_back). The same people who may approve the claim may decide (not the
    person, nor whoever made it for them, nor a commissioner with a conflict of interest).
    The row lock makes a second decision (a double click, two commissioners at once) stop."""
    _require_commissioner(by)
    reason = (reason or "").strip()
    if not reason:
        raise PaymentError("Enter the reason for your decision", field="reason")
    with transaction.atomic():
        adjustment = lock_fee_adjustment(
            adjustment,
            by=by,
            still=lambda adjustment: adjustment.can_be_decided,
            gone="This overpayment has been dealt with already. Someone may have decided it, "
            "or the session's fee was corrected again.",
        )
        if outcome not in dict(decision_choices(adjustment)):
            raise PaymentError("Choose what to do", field="outcome")
        _close(adjustment, outcome=outcome, by=by, now=timezone.now(), reason=reason)
        if outcome == FeeAdjustment.Outcome.RECOVER:
            ask_for_money_back(adjustment, by=by)
    return adjustment


# --- Commissioners approve or refuse top-ups -------------------------------------------------


def _top_up_for_a_decision(adjustment, by):
    """Lock the claim, then the top-up (the order every service locks them in), and check
    it still waits for approval and `by` may approve the claim. A second decision (a double
    click, two commissioners at once) waits for the first, then stops here."""
    return lock_fee_adjustment(
        adjustment,
        by=by,
        still=lambda adjustment: adjustment.can_be_approved,
        gone="This top-up has been dealt with already. Someone may have approved or refused "
        "it, or the session's fee was corrected again.",
    )


def approve_top_up(adjustment, *, by) -> FeeAdjustment:
    """A commissioner approves the extra fee a correction of the session means: the approved
    fee is corrected in the ledger (reverse and replace), the next payment run pays the
    difference once, and the person is told we owe them more. The same people who may
    approve the claim may approve this (not the person, nor whoever made it for them, nor a
    commissioner with a conflict of interest)."""
    _require_commissioner(by)
    with transaction.atomic():
        adjustment = _top_up_for_a_decision(adjustment, by)
        if adjustment.created_by_id == by.pk:
            # Two people for paying more, as for a correction of the approved amount.
            raise PaymentError(
                "You corrected this session's fee, so another commissioner must approve the "
                "extra fee it means."
            )
        claim = adjustment.claim
        if (
            claim.status not in (Status.APPROVED, Status.PAID)
            or claim.approved_fee_pence != adjustment.fee_before_pence
        ):
            # Closed with the claim's own correction or withdrawal (close_open_adjustments),
            # so only reached if something changed the approved amount some other way.
            raise PaymentError(
                "The amount approved for this claim has changed since its session's fee was "
                "corrected. Correct the approved amount on the claim instead."
            )
        now = timezone.now()
        fee_now = _fee_now_in_words(claim, adjustment)
        _replace_approved_fee(
            claim,
            fee_pence=adjustment.fee_after_pence,
            by=by,
            on=timezone.localdate(now),
            note=f"Top-up approved: the fee for the session was corrected to {fee_now}",
        )
        adjustment.approved_at, adjustment.approved_by = now, by
        adjustment.save(update_fields=["approved_at", "approved_by"])
        event = ClaimEvent.objects.create(
            claim=claim,
            actor=by,
            from_status=claim.status,
            to_status=claim.status,
            note=_top_up_note(adjustment, fee_now),
        )
        # "We paid you a fee of £X": not while an earlier top-up in £X is still to pay.
        earlier_unpaid = (
            FeeAdjustment.objects.top_ups()
            .open()
            .approved()
            .filter(claim=claim, paid_on__isnull=True)
            .exclude(pk=adjustment.pk)
        )
        is_paid = claim.status == Status.PAID and not earlier_unpaid.exists()
        # "We paid you a fee of £50, and you paid £25 of it back": the fee before is what
        # they kept (the session's fee was corrected down, then back up).
        words = {
            "is_paid": is_paid,
            "paid_back_pence": adjustment.paid_back_pence,
            "fee_paid_pence": adjustment.fee_before_pence + adjustment.paid_back_pence,
            "fee_before": format_pounds(adjustment.fee_before_pence),
            "fee_now": fee_now,
            "fee_before_pence": adjustment.fee_before_pence,
            "fee_now_pence": adjustment.fee_after_pence,
            "top_up_pence": adjustment.amount_pence,
            "cancelled_pence": 0,
        }
        _tell([("claim_top_up", claim, event, words)])
    return adjustment


def refuse_top_up(adjustment, *, by, reason: str) -> FeeAdjustment:
    """A commissioner will not approve the extra fee, and says why: nothing is owed, and the
    ledger does not change. The person was never told of it, so hears nothing now."""
    _require_commissioner(by)
    reason = (reason or "").strip()
    if not reason:
        raise PaymentError("Enter why you are refusing the top-up", field="reason")
    with transaction.atomic():
        adjustment = _top_up_for_a_decision(adjustment, by)
        _close(
            adjustment,
            outcome=FeeAdjustment.Outcome.REFUSED,
            by=by,
            now=timezone.now(),
            reason=reason,
        )
    return adjustment


def _fee_now_in_words(claim, adjustment) -> str:
    """ "£90 for a full day": the corrected fee as the policy works it out, or its amount if
    the rates have changed since (a later correction would have replaced the top-up)."""
    fee = policy.fee_for(claim.opportunity, claim.activity_date)
    if fee is not None and fee.amount_pence == adjustment.fee_after_pence:
        return _phrase_for_fee(fee)
    return format_pounds(adjustment.fee_after_pence)
