"""Working days for the moderation target. No database needed."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from learning.working_days import (
    moderation_cutoff,
    subtract_working_days,
    working_days_between,
)

UK = ZoneInfo("Europe/London")


def uk(text):
    return datetime.fromisoformat(text).replace(tzinfo=UK)


@pytest.mark.parametrize(
    "now, expected",
    [
        ("2026-03-10 10:00", "2026-03-03 10:00"),  # Tuesday -> the Tuesday before
        ("2026-03-09 10:00", "2026-03-02 10:00"),  # Monday -> the Monday before
        ("2026-03-13 16:00", "2026-03-06 16:00"),  # Friday -> the Friday before
        ("2026-03-14 10:00", "2026-03-09 00:00"),  # Saturday: the clock stopped on Friday
        ("2026-03-15 23:00", "2026-03-09 00:00"),  # Sunday too
    ],
)
def test_five_working_days_back(now, expected):
    assert subtract_working_days(uk(now), 5) == uk(expected)


@pytest.mark.parametrize(
    "start, end, days",
    [
        ("2026-03-02 10:00", "2026-03-02 17:00", 0),  # same day
        ("2026-03-02 10:00", "2026-03-03 10:00", 1),
        ("2026-03-06 16:00", "2026-03-09 09:00", 0),  # Friday afternoon to Monday morning
        ("2026-03-06 16:00", "2026-03-09 16:00", 1),
        ("2026-03-07 12:00", "2026-03-09 12:00", 0),  # sent on Saturday: counts from Monday
        ("2026-03-02 10:00", "2026-03-09 10:00", 5),
        ("2026-03-02 10:00", "2026-03-16 10:00", 10),
        ("2026-03-09 10:00", "2026-03-02 10:00", 0),  # backwards is never negative
    ],
)
def test_working_days_between(start, end, days):
    assert working_days_between(uk(start), uk(end)) == days


def test_the_clock_change_does_not_shift_the_time_of_day():
    # British Summer Time starts on Sunday 29 March 2026.
    assert subtract_working_days(uk("2026-04-01 10:00"), 5) == uk("2026-03-25 10:00")
    assert working_days_between(uk("2026-03-25 10:00"), uk("2026-04-01 10:00")) == 5


def test_the_cutoff_and_the_count_agree():
    now = uk("2026-03-12 11:30")
    cutoff = moderation_cutoff(now)
    assert working_days_between(cutoff, now) == 5
