"""Telling people when their claim changes.

The notifications app owns the outbox. It is imported when a message is sent rather than at
import time, so this app loads (and its tests run) even if that app changes shape.
"""

from django.urls import reverse

# Message kind for each claim status that a person hears about.
KIND_FOR_STATUS = {
    "submitted": "claim_submitted",
    "approved": "claim_approved",
    "returned": "claim_returned",
    "rejected": "claim_rejected",
    "paid": "claim_paid",
}


def notify_claim_status(claim, event, *, policy, kind=None, extra=None) -> None:
    """Queue the message for this change (`kind`, or the one for its new status). Call inside
    the transaction that made the change: the outbox row commits (or rolls back) with it, and
    one event gives one message. `extra`: more for the message to say."""
    kind = kind or KIND_FOR_STATUS.get(event.to_status)
    if kind is None:
        return
    from notifications.services import queue_message

    queue_message(
        kind,
        recipient=claim.claimant,
        event_key=f"claim-event:{event.pk}",
        context={**claim_message_context(claim, event, policy=policy), **(extra or {})},
    )


def claim_message_context(claim, event, *, policy) -> dict:
    """What every message about a claim may say, for a change (`event`) to it."""
    return {
        "claim": claim,
        "reference": claim.reference,
        "opportunity_title": claim.opportunity.title,
        "activity_date": claim.activity_date,
        # Never a payment run's reference: it means nothing to the person.
        "reason": event.resident_note,
        "claim_url": reverse("payments:claim", args=[claim.pk]),
        "claims_url": reverse("payments:claims"),
        "target_days": policy.target_days_to_pay,
        # Where to get free, independent advice about benefits and tax.
        "advice_name": policy.advice_name,
        "advice_url": policy.advice_url,
        "advice_phone": policy.advice_phone,
        "on_behalf": event.on_behalf,
        # What a payment paid: all that was approved, unless a payment run paid part of it
        # (its session's fee was corrected while finance had the run: the rest is a top-up).
        "paid_pence": claim.approved_total_pence,
    }
