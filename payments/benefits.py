"""Fees paid together: the one check the hub makes for people's benefits.

Some benefits stop, or go down, for any week in which a person earns more than a set amount
(Carer's Allowance is the best known). Claims are paid in runs, so the fees for several
sessions can reach someone in the same week. A council may set a weekly check level in its
payment policy. When the fees waiting to be paid to one person, with a claim, come to more
than that, the person is told before they send the claim, and commissioners see it on the
claim. The hub cannot know anyone's benefits, so it only ever warns; it never refuses.
"""

from dataclasses import dataclass

from django.db.models import Q, Sum
from django.db.models.functions import Coalesce

from .models import Claim, FeeAdjustment


@dataclass(frozen=True)
class FeesTogether:
    total_pence: int  # every fee waiting to be paid to the person, this claim's included
    check_pence: int  # the policy's weekly check level


def fees_waiting_pence(claimant_id) -> int:
    """Fees sent or approved for this person and not paid yet, as approved where they are,
    and top-ups still to pay after their session's fee was corrected: on claims paid, and
    those waiting for approval (like a fee sent, not yet in the approved fee)."""
    waiting = Claim.objects.filter(claimant_id=claimant_id, status__in=Claim.AWAITING_PAYMENT)
    fees = Coalesce(Sum(Coalesce("approved_fee_pence", "fee_pence")), 0)
    top_ups = (
        FeeAdjustment.objects.top_ups()
        .open()
        .filter(claim__claimant_id=claimant_id, paid_on__isnull=True)
        .filter(Q(claim__status=Claim.Status.PAID) | Q(approved_at__isnull=True))
    )
    return (
        waiting.aggregate(fees=fees)["fees"]
        + top_ups.aggregate(total=Coalesce(Sum("amount_pence"), 0))["total"]
    )


def fees_over_check(claim, policy) -> FeesTogether | None:
    """The fees waiting to be paid to `claim`'s person, this claim's with them, when they come
    to more than the policy's weekly check level. None when there is no level, the claim has
    no fee, or it is paid or rejected already."""
    check = policy.weekly_fee_check_pence
    waiting_or_to_send = (*Claim.EDITABLE_STATUSES, *Claim.AWAITING_PAYMENT)
    if check is None or not claim.fee_pence or claim.status not in waiting_or_to_send:
        return None
    total = fees_waiting_pence(claim.claimant_id)
    if claim.status in Claim.EDITABLE_STATUSES:
        total += claim.fee_pence  # not sent yet, so not among those waiting
    return FeesTogether(total, check) if total > check else None
