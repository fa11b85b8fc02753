"""Working days for the moderation target. The council's closure days are read from the
database (none here), so these tests need it."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coprod_hub.lib.working_days import subtract_working_days, working_days_between
from coprod_hub.models import ClosureDay
from learning.models import Entry
from learning.working_days import moderation_cutoff

from .factories import submit

pytestmark = pytest.mark.django_db

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


# --- Bank holidays and closure days ----------------------------------------------------------
# Easter 2026: Good Friday is 3 April and Easter Monday 6 April, bank holidays in England.


def test_the_clock_stops_over_a_bank_holiday():
    # Thursday 10am to Thursday 10:30am a week later: without Easter it would be 5 days.
    assert working_days_between(uk("2026-04-02 10:00"), uk("2026-04-09 10:30")) == 3
    assert subtract_working_days(uk("2026-04-13 10:30"), 5) == uk("2026-04-02 10:30")


def test_a_closure_day_stops_the_clock_too():
    ClosureDay.objects.create(date=date(2026, 4, 7), reason="Council closed for Easter week")

    assert working_days_between(uk("2026-04-02 10:00"), uk("2026-04-09 10:30")) == 2
    assert subtract_working_days(uk("2026-04-14 10:30"), 5) == uk("2026-04-02 10:30")


def test_the_queue_does_not_flag_an_entry_that_waited_over_easter(client, moderator):
    with time_machine.travel(uk("2026-04-02 10:00")):  # the Thursday before Easter
        entry = submit(title="Sent before Easter")
    client.force_login(moderator)

    with time_machine.travel(uk("2026-04-09 10:30")):
        page = client.get(reverse("learning:moderation")).content.decode()
        assert "3 working days" in page
        assert "Waited more than 5 working days</strong>" not in page
        assert not entry.is_overdue()
        assert not Entry.objects.overdue_for_moderation().exists()

    # Five working days: Thursday afternoon, Tuesday to Friday, and Monday 13th to 10am.
    with time_machine.travel(uk("2026-04-13 10:30")):
        page = client.get(reverse("learning:moderation")).content.decode()
        assert "Waited more than 5 working days</strong>" in page
        assert list(Entry.objects.overdue_for_moderation()) == [entry]


def test_the_queue_reads_the_closure_days_once_however_many_entries_wait(client, moderator):
    ClosureDay.objects.create(date=date(2026, 4, 7), reason="Council closed for Easter week")
    with time_machine.travel(uk("2026-04-02 10:00")):
        for number in range(5):
            submit(title=f"Entry {number}")
    client.force_login(moderator)
    cache.clear()

    with (
        time_machine.travel(uk("2026-04-09 10:30")),
        CaptureQueriesContext(connection) as queries,
    ):
        page = client.get(reverse("learning:moderation")).content.decode()

    assert page.count("2 working days") == 5
    assert len([q for q in queries if "coprod_hub_closureday" in q["sql"]]) == 1
