"""Working days: weekends, the bank holidays of the council's nation and the council's own
closure days are days off, and the closure days cost one query at most, then none."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coprod_hub.lib import working_days
from coprod_hub.lib.env import env_choice
from coprod_hub.models import ClosureDay

pytestmark = pytest.mark.django_db

UK = ZoneInfo("Europe/London")
NATIONS = ("ENG", "WLS", "SCT", "NIR")


def _closure_day_queries(queries) -> list[str]:
    return [q["sql"] for q in queries if "coprod_hub_closureday" in q["sql"]]


def test_englands_bank_holidays_in_2026_are_days_off():
    bank_holidays = [
        date(2026, 1, 1),
        date(2026, 4, 3),  # Good Friday
        date(2026, 4, 6),  # Easter Monday
        date(2026, 5, 4),
        date(2026, 5, 25),
        date(2026, 8, 31),
        date(2026, 12, 25),
        date(2026, 12, 28),  # Boxing Day falls on a Saturday: the Monday instead
    ]

    assert [day for day in bank_holidays if working_days.is_working_day(day)] == []
    assert working_days.is_working_day(date(2026, 4, 7))  # the Tuesday after Easter


def test_from_christmas_eve_2026_the_next_working_day_is_tuesday_29_december():
    assert working_days.next_working_day(date(2026, 12, 24)) == date(2026, 12, 29)


def test_from_a_friday_the_next_working_day_is_monday():
    assert working_days.next_working_day(date(2026, 3, 13)) == date(2026, 3, 16)


@pytest.mark.parametrize(
    ("nation", "second_of_january_is_off"),
    [("ENG", False), ("WLS", False), ("SCT", True), ("NIR", False)],
)
def test_only_scotland_takes_2_january_off(settings, nation, second_of_january_is_off):
    settings.BANK_HOLIDAYS_NATION = nation

    assert working_days.is_working_day(date(2026, 1, 2)) is not second_of_january_is_off


def test_each_nation_has_its_own_bank_holidays(settings):
    st_andrews_day, st_patricks_day = date(2026, 11, 30), date(2026, 3, 17)  # Monday, Tuesday
    off = {}
    for nation in NATIONS:
        settings.BANK_HOLIDAYS_NATION = nation
        off[nation] = {
            day for day in (st_andrews_day, st_patricks_day) if not working_days.is_working_day(day)
        }

    assert off == {"ENG": set(), "WLS": set(), "SCT": {st_andrews_day}, "NIR": {st_patricks_day}}


def test_a_closure_day_is_a_day_off_until_it_is_deleted():
    assert working_days.next_working_day(date(2026, 12, 24)) == date(2026, 12, 29)

    closed = ClosureDay.objects.create(date=date(2026, 12, 29), reason="Closed over Christmas")
    assert working_days.next_working_day(date(2026, 12, 24)) == date(2026, 12, 30)

    closed.delete()
    assert working_days.next_working_day(date(2026, 12, 24)) == date(2026, 12, 29)


def test_closure_days_deleted_together_in_the_admin_are_forgotten_too():
    for day in (29, 30, 31):
        ClosureDay.objects.create(date=date(2026, 12, day), reason="Closed over Christmas")
    assert working_days.next_working_day(date(2026, 12, 24)) == date(2027, 1, 4)

    ClosureDay.objects.all().delete()  # what "Delete selected" does

    assert working_days.next_working_day(date(2026, 12, 24)) == date(2026, 12, 29)


def test_closure_days_are_read_in_one_query_then_from_the_cache():
    ClosureDay.objects.create(date=date(2026, 12, 29), reason="Closed over Christmas")

    with CaptureQueriesContext(connection) as first:
        working_days.next_working_day(date(2026, 12, 24))
    with CaptureQueriesContext(connection) as later:
        for day in range(1, 32):
            working_days.is_working_day(date(2026, 12, day))

    assert len(_closure_day_queries(first)) == 1
    assert _closure_day_queries(later) == []


def test_a_list_cached_by_another_process_before_the_change_commits_is_forgotten(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        ClosureDay.objects.create(date=date(2026, 12, 29), reason="Closed over Christmas")
        # Another process reads the list after the save but before the commit: still empty.
        cache.set(working_days.CACHE_KEY, frozenset())

    assert date(2026, 12, 29) in working_days.closure_days()


def test_working_time_skips_bank_holidays_and_closure_days():
    thursday_before_easter = datetime(2026, 4, 2, 10, tzinfo=UK)
    thursday_after = datetime(2026, 4, 9, 10, tzinfo=UK)

    # Thursday 10am to midnight, then Tuesday and Wednesday, then Thursday to 10am.
    assert working_days.working_days_between(thursday_before_easter, thursday_after) == 3

    ClosureDay.objects.create(date=date(2026, 4, 7), reason="Office move")
    assert working_days.working_days_between(thursday_before_easter, thursday_after) == 2


def test_counting_back_from_a_bank_holiday_starts_where_the_days_off_began():
    easter_monday = datetime(2026, 4, 6, 15, tzinfo=UK)

    # The clock stopped at the start of Good Friday, so 1 working day back is Thursday 00:00.
    assert working_days.subtract_working_days(easter_monday, 1) == datetime(2026, 4, 2, tzinfo=UK)


def test_a_date_and_time_is_judged_by_its_day_in_the_uk():
    # Half past midnight on Good Friday in summer time is still Thursday in UTC.
    good_friday_early = datetime(2026, 4, 3, 0, 30, tzinfo=UK).astimezone(ZoneInfo("UTC"))

    assert good_friday_early.date() == date(2026, 4, 2)
    assert working_days.is_working_day(good_friday_early) is False


def test_the_nation_setting_takes_only_the_four_nations(monkeypatch):
    monkeypatch.setenv("BANK_HOLIDAYS_NATION", "SCT")
    assert env_choice("BANK_HOLIDAYS_NATION", "ENG", NATIONS) == "SCT"

    monkeypatch.setenv("BANK_HOLIDAYS_NATION", "")
    assert env_choice("BANK_HOLIDAYS_NATION", "ENG", NATIONS) == "ENG"

    monkeypatch.setenv("BANK_HOLIDAYS_NATION", "UK")
    with pytest.raises(ImproperlyConfigured, match="BANK_HOLIDAYS_NATION must be one of"):
        env_choice("BANK_HOLIDAYS_NATION", "ENG", NATIONS)


def test_england_is_the_default_nation(settings):
    assert settings.BANK_HOLIDAYS_NATION == "ENG"
