"""When reminders are due, worked out in UK local time.

- "Two days before": 9am (UK time) two calendar days before the day of the session.
- "On the day": 7am (UK time) on the day, or an hour before if it starts earlier.

A periodic task finds booked places whose reminder is due and not yet queued. Because it asks
"is it due now, and has it not started?" rather than "is it exactly 9am?", a worker that was
down at 9am still sends the reminder when it comes back, and the outbox's unique key stops a
second copy. Times are computed with zoneinfo, so the change to and from British Summer Time
moves the UTC send time, not the local one.
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from .services import queue_message

UK = ZoneInfo("Europe/London")
TWO_DAY_SEND_TIME = time(9, 0)
MORNING_SEND_TIME = time(7, 0)


def two_day_reminder_due(starts_at: datetime) -> datetime:
    day = starts_at.astimezone(UK).date() - timedelta(days=2)
    return datetime.combine(day, TWO_DAY_SEND_TIME, tzinfo=UK)


def morning_reminder_due(starts_at: datetime) -> datetime:
    local_start = starts_at.astimezone(UK)
    seven_am = datetime.combine(local_start.date(), MORNING_SEND_TIME, tzinfo=UK)
    return min(seven_am, local_start - timedelta(hours=1))


REMINDER_KINDS = ("reminder_two_days", "reminder_on_the_day")


def _reminders(starts_at: datetime):
    """(kind, when it is due) for each reminder about a session, earliest first."""
    return (
        ("reminder_two_days", two_day_reminder_due(starts_at)),
        ("reminder_on_the_day", morning_reminder_due(starts_at)),
    )


def reminders_to_come(starts_at: datetime, now: datetime) -> tuple[str, ...]:
    """The kinds of reminder a place booked by `now` will still be sent: those due later.
    Booked for tomorrow, the "two days before" reminder's time has passed and it is never
    sent (see `due_reminders`), so a page must not promise it."""
    return tuple(kind for kind, due in _reminders(starts_at) if due > now)


def reminder_key_prefix(kind: str, signup_pk: int) -> str:
    """What every reminder of `kind` for one sign-up's event key starts with."""
    return f"{kind}:{signup_pk}:"


def _event_key(kind: str, signup) -> str:
    # The start time is part of the key: if staff move the session, a new reminder is due.
    return f"{reminder_key_prefix(kind, signup.pk)}{signup.opportunity.starts_at:%Y%m%dT%H%M}"


def due_reminders(signups, now: datetime):
    """(kind, signup) pairs that are due now, for booked places on sessions not yet started."""
    for signup in signups:
        starts_at = signup.opportunity.starts_at
        if starts_at <= now:
            continue
        # A reminder is due from its time on, to people whose place was theirs by then.
        # Someone booked after it (signing up, or saying yes to a place from the waiting
        # list) has just had a confirmation instead: booked at 10:55 for a 2pm session, a
        # "reminder" straight after it would be noise.
        for kind, due in _reminders(starts_at):
            if due <= now and signup.status_changed_at < due:
                yield kind, signup


def send_due_reminders(now: datetime | None = None) -> int:
    from participation.models import Opportunity, SignUp

    now = now or timezone.now()
    signups = (
        SignUp.objects.filter(
            status=SignUp.Status.BOOKED,
            opportunity__status__in=Opportunity.GOING_AHEAD,
            opportunity__starts_at__gt=now,
            opportunity__starts_at__lte=now + timedelta(days=3),
        )
        .select_related("opportunity", "opportunity__venue", "resident")
        .order_by("pk")
    )
    count = 0
    for kind, signup in due_reminders(signups.iterator(chunk_size=500), now):
        with transaction.atomic():
            queue_message(
                kind,
                recipient=signup.resident,
                event_key=_event_key(kind, signup),
                context={"signup": signup, "opportunity": signup.opportunity},
            )
        count += 1
    return count
