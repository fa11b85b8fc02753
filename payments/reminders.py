"""Reminders to people whose claim we returned and who have not sent it again.

A returned claim waits on the person, not on us, so nothing else chases it: someone who missed
the message (or whose message went to the call list) would never be paid. They are reminded
two weeks after we returned it and again at six weeks, once each (the event key names the
return and the reminder), whatever they have stopped (notifications.kinds.ALWAYS_SENT).
Commissioners hear about claims still returned after four weeks in their daily prompt
(notifications.prompts.prompt_commissioners_about_claims).
"""

from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .messages import claim_message_context
from .models import Claim, ClaimEvent, PaymentPolicy

# (how long after the return, the event key's word for it): the later first, so a claim
# past both hears only the later one.
REMINDERS = ((timedelta(weeks=6), "6-weeks"), (timedelta(weeks=2), "2-weeks"))
# A reminder the daily task missed (the worker was down) still goes this long after it was
# due; after the last one, the claim is left to the commissioners' prompt.
CATCH_UP = timedelta(weeks=2)
KIND = "claim_returned_reminder"


def reminder_key(event_pk: int, when: str) -> str:
    return f"claim-returned-reminder:{event_pk}:{when}"


def _due(returned_at, now) -> str | None:
    for after, when in REMINDERS:
        if returned_at <= now - after:
            return when
    return None


def returned_not_resent():
    """The event that last returned each claim still returned and not sent again since (the
    return itself, or a reopening): what the person was asked to change, and when."""
    return ClaimEvent.objects.filter(
        to_status=Claim.Status.RETURNED,
        claim__status=Claim.Status.RETURNED,
    ).exclude(
        # Sent again after this return (and since returned again: that return is the one).
        claim__submitted_at__gt=F("created_at"),
    )


def remind_about_returned_claims(now=None) -> int:
    """Daily (on the beat schedule): queue each reminder that is due. Returns how many were
    queued; running it again the same day queues nothing more."""
    from notifications.models import Message
    from notifications.services import queue_messages_for_events

    now = now or timezone.now()
    oldest = now - REMINDERS[0][0] - CATCH_UP
    events = list(
        returned_not_resent()
        .filter(created_at__lte=now - REMINDERS[-1][0], created_at__gt=oldest)
        # Erased people are not reminded (their account stays only as a pseudonym).
        .filter(claim__claimant__is_active=True)
        .select_related("claim__claimant", "claim__opportunity")
        .order_by("pk")
    )
    due = {reminder_key(event.pk, _due(event.created_at, now)): event for event in events}
    # Render only what has not gone: the outbox would drop a repeat, but not before each
    # message was written out again every day.
    sent = set(Message.objects.filter(event_key__in=list(due)).values_list("event_key", flat=True))
    if len(sent) == len(due):
        return 0
    policy = PaymentPolicy.current()
    messages = [
        (
            event.claim.claimant,
            key,
            {
                **claim_message_context(event.claim, event, policy=policy),
                "returned_on": event.created_at,
            },
        )
        for key, event in due.items()
        if key not in sent
    ]
    with transaction.atomic():
        return queue_messages_for_events(KIND, events=messages)
