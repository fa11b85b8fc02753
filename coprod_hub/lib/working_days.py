"""Working days: the days council staff are in. Every rule in the hub that counts working days
uses this module: how long a freed place is held for someone on the staff call list
(participation.models), the moderation queue's target (learning.working_days), and the days
staff are prompted about their queues (notifications.tasks).

A working day is Monday to Friday, less
- the bank holidays of the council's UK nation (`BANK_HOLIDAYS_NATION`: ENG, WLS, SCT or
  NIR), from the `holidays` package, which keeps substitute days (Boxing Day on a Saturday
  gives the Monday after) and one-off holidays (a coronation) up to date; and
- the council's own closure days that are not bank holidays (the days between Christmas and
  New Year, say), which admins add in the Django admin (coprod_hub.models.ClosureDay).

Closure days are read from the cache, all of them at once: offers are worked out inside the
sign-up and cancel transactions, and the moderation queue counts working days for every
row, so neither may query per day or per row. Saving or deleting a closure day forgets the
cached copy (now, and again when the change commits, so a copy read in between is not
kept); a change made without signals (`QuerySet.update`) shows within CACHE_SECONDS.
"""

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

import holidays
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

SATURDAY = 5
ONE_DAY = timedelta(days=1)

CACHE_KEY = "working-days:closure-days"
CACHE_SECONDS = 10 * 60


# --- Which days are working days -----------------------------------------------------------


@lru_cache(maxsize=64)
def bank_holidays(year: int, nation: str) -> frozenset[date]:
    """The bank holidays in `year` in `nation` (ENG, WLS, SCT or NIR)."""
    return frozenset(holidays.country_holidays("GB", subdiv=nation, years=year))


def closure_days() -> frozenset[date]:
    """Every closure day admins have added: from the cache, else in one query."""
    days = cache.get(CACHE_KEY)
    if days is None:
        from coprod_hub.models import ClosureDay  # lib is imported while apps still load

        days = frozenset(ClosureDay.objects.values_list("date", flat=True))
        cache.set(CACHE_KEY, days, CACHE_SECONDS)
    return days


class WorkingDays:
    """Which days are working days, with the closure days read once: build one, then ask it
    about as many days as needed."""

    def __init__(self):
        self.nation = settings.BANK_HOLIDAYS_NATION
        self.closed = closure_days()

    def __contains__(self, day: date) -> bool:
        if isinstance(day, datetime):
            # A datetime never equals a date, so it would match no holiday: use its UK day.
            day = timezone.localtime(day).date() if timezone.is_aware(day) else day.date()
        return (
            day.weekday() < SATURDAY
            and day not in self.closed
            and day not in bank_holidays(day.year, self.nation)
        )

    def after(self, day: date) -> date:
        """The first working day after `day`."""
        day += ONE_DAY
        while day not in self:
            day += ONE_DAY
        return day


def is_working_day(day: date) -> bool:
    return day in WorkingDays()


def next_working_day(day: date) -> date:
    """The first working day after `day`: from Christmas Eve 2026 in England, Tuesday
    29 December (Christmas Day, the weekend and Monday's substitute Boxing Day are off)."""
    return WorkingDays().after(day)


def at_time_on_next_working_day(moment: datetime, clock: time) -> datetime:
    """`clock` (UK time) on the first working day after the day `moment` falls on."""
    day = next_working_day(timezone.localtime(moment).date())
    return timezone.make_aware(datetime.combine(day, clock))


# --- Counting working time -----------------------------------------------------------------


def _midnight(local: datetime) -> datetime:
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def subtract_working_days(moment: datetime, days: int) -> datetime:
    """The moment `days` days of working time before `moment`.

    From Tuesday 10:00, five working days back is the Tuesday before at 10:00 (further back
    when a bank holiday or closure day falls between). On a day off the clock stopped at the
    start of the run of days off, so from Saturday 10:00 it is Monday 00:00.
    """
    working = WorkingDays()
    local = timezone.localtime(moment)
    if local.date() not in working:
        # Step back to the start of the run of days off (Saturday 00:00 for a weekend).
        while local.date() not in working:
            local = _midnight(local) - timedelta(microseconds=1)
        local = _midnight(local) + ONE_DAY
    counted = 0
    while counted < days:
        local -= ONE_DAY  # same wall-clock time, so a clock change does not shift the hour
        if local.date() in working:
            counted += 1
    return local


def working_time_between(start: datetime, end: datetime) -> timedelta:
    """How much of the time from `start` to `end` fell on working days (UK time)."""
    working = WorkingDays()
    cursor, end_local = timezone.localtime(start), timezone.localtime(end)
    total = timedelta()
    while cursor < end_local:
        segment_end = min(_midnight(cursor + ONE_DAY), end_local)
        if cursor.date() in working:
            # Subtract in UTC: a day with a clock change is 23 or 25 hours long.
            total += segment_end.astimezone(UTC) - cursor.astimezone(UTC)
        cursor = segment_end
    return total


def working_days_between(start: datetime, end: datetime) -> int:
    """Whole working days from `start` to `end`."""
    return working_time_between(start, end) // ONE_DAY


# --- Keeping the cached closure days true --------------------------------------------------


def forget_closure_days() -> None:
    cache.delete(CACHE_KEY)


def _closure_days_changed(sender, **kwargs):
    forget_closure_days()
    # Another process may cache the old list before this change commits: forget it again then.
    transaction.on_commit(forget_closure_days)


def forget_closure_days_on_change(model) -> None:
    """Connected once, from CoprodHubConfig.ready()."""
    post_save.connect(_closure_days_changed, sender=model, dispatch_uid="closure-day-saved")
    post_delete.connect(_closure_days_changed, sender=model, dispatch_uid="closure-day-deleted")
