"""Working days (Monday to Friday) for the moderation queue's "older than 5 working days" flag.

Time is counted only while it is a weekday in UK time: an entry sent on Friday at 4pm has
waited 8 hours of working time by Monday at midnight, not 56. Bank holidays are not taken
out, so over a bank holiday the flag can appear a day early.
"""

from datetime import UTC, datetime, timedelta

from django.utils import timezone

# The queue flags items that have waited longer than this.
MODERATION_TARGET_WORKING_DAYS = 5

SATURDAY = 5
ONE_DAY = timedelta(days=1)


def is_working_day(moment) -> bool:
    return moment.weekday() < SATURDAY


def _midnight(local: datetime) -> datetime:
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def subtract_working_days(moment: datetime, days: int) -> datetime:
    """The moment `days` days of working time before `moment`.

    From Tuesday 10:00, five working days back is the Tuesday before at 10:00. From a
    weekend the clock stopped at Friday midnight, so from Saturday 10:00 it is Monday 00:00.
    """
    local = timezone.localtime(moment)
    if not is_working_day(local):
        # Step back to the start of the weekend: Saturday 00:00.
        while not is_working_day(local):
            local = _midnight(local) - timedelta(microseconds=1)
        local = _midnight(local) + ONE_DAY
    counted = 0
    while counted < days:
        local -= ONE_DAY  # same wall-clock time, so a clock change does not shift the hour
        if is_working_day(local):
            counted += 1
    return local


def working_time_between(start: datetime, end: datetime) -> timedelta:
    """How much of the time from `start` to `end` fell on Monday to Friday (UK time)."""
    cursor, end_local = timezone.localtime(start), timezone.localtime(end)
    total = timedelta()
    while cursor < end_local:
        segment_end = min(_midnight(cursor + ONE_DAY), end_local)
        if is_working_day(cursor):
            # Subtract in UTC: a day with a clock change is 23 or 25 hours long.
            total += segment_end.astimezone(UTC) - cursor.astimezone(UTC)
        cursor = segment_end
    return total


def working_days_between(start: datetime, end: datetime) -> int:
    """Whole working days from `start` to `end`."""
    return working_time_between(start, end) // ONE_DAY


def moderation_cutoff(now: datetime) -> datetime:
    """Entries submitted before this moment have waited more than the target."""
    return subtract_working_days(now, MODERATION_TARGET_WORKING_DAYS)
