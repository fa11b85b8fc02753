"""Offers of a freed place to people staff phone (the call list) last until noon on the next
working day: over a bank holiday or the council's closure days too, so the offer never runs
out before anyone is in to phone."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coprod_hub.models import ClosureDay
from notifications.models import Message
from participation import services
from participation.models import Opportunity, SignUp
from tests.factories import UserFactory

from .test_waiting_list_endings import _offer_freed_place, _on_call_list, _session

pytestmark = pytest.mark.django_db

UK = ZoneInfo("Europe/London")


def _local(year, month, day, hour, minute=0):
    return datetime(year, month, day, hour, minute, tzinfo=UK)


def _call_list_expiry(now, *, starts_at=None):
    """When an offer made `now` to someone on the call list runs out, for a session well after
    it (so the cut-off before the start plays no part)."""
    starts_at = starts_at or now + timedelta(days=30)
    opportunity = Opportunity(starts_at=starts_at, ends_at=starts_at, offer_window_hours=48)
    return opportunity.offer_expiry(now, on_call_list=True)


def test_an_offer_made_the_friday_before_a_bank_holiday_monday_lasts_until_tuesday_noon():
    friday_night = _local(2027, 4, 30, 22)  # Monday 3 May 2027 is the May bank holiday
    opportunity = _session(_local(2027, 5, 12, 18))

    on_phone = _offer_freed_place(opportunity, _on_call_list(UserFactory()), at=friday_night)

    assert on_phone.offer_expires_at == _local(2027, 5, 4, 12)  # Tuesday noon
    message = Message.objects.get(recipient=on_phone.resident, kind="place_offered")
    assert message.status == Message.Status.CALL_LIST
    # What staff read out: the day they are back in, not the bank holiday.
    assert "Tuesday 4 May 2027 at midday" in message.body_text


def test_an_offer_made_on_christmas_eve_lasts_until_tuesday_29_december():
    # Christmas Day (Friday), the weekend and Monday 28th (Boxing Day's substitute) are off.
    assert _call_list_expiry(_local(2026, 12, 24, 16)) == _local(2026, 12, 29, 12)


def test_a_closure_day_added_in_the_admin_holds_the_offer_a_day_longer(client, admin_user):
    christmas_eve = _local(2026, 12, 24, 16)
    assert _call_list_expiry(christmas_eve) == _local(2026, 12, 29, 12)  # and now cached
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:coprod_hub_closureday_add"),
        {"date": "2026-12-29", "reason": "Council closed between Christmas and New Year"},
    )

    assert response.status_code == 302
    assert ClosureDay.objects.get().date == date(2026, 12, 29)
    assert _call_list_expiry(christmas_eve) == _local(2026, 12, 30, 12)


def test_the_admin_refuses_the_same_closure_day_twice(client, admin_user):
    ClosureDay.objects.create(date=date(2026, 12, 29), reason="Closed")
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:coprod_hub_closureday_add"), {"date": "2026-12-29", "reason": "Again"}
    )

    assert response.status_code == 200
    assert "This day is already a closure day." in response.content.decode()
    assert ClosureDay.objects.count() == 1


def test_the_closure_days_list_in_the_admin_names_the_day(client, admin_user):
    ClosureDay.objects.create(date=date(2026, 12, 29), reason="Closed over Christmas")
    client.force_login(admin_user)

    page = client.get(reverse("admin:coprod_hub_closureday_changelist")).content.decode()

    assert "Tuesday" in page and "Closed over Christmas" in page


@pytest.mark.parametrize(
    ("nation", "expires"),
    [
        ("ENG", _local(2027, 1, 4, 12)),  # New Year's Day is a Friday: Monday noon
        # Scotland also has 2 January, a Saturday in 2027, so Monday 4th is off too.
        ("SCT", _local(2027, 1, 5, 12)),
    ],
)
def test_scotland_keeps_2_january(settings, nation, expires):
    settings.BANK_HOLIDAYS_NATION = nation

    assert _call_list_expiry(_local(2026, 12, 31, 22)) == expires


def test_the_offer_still_ends_three_hours_before_the_session_over_a_bank_holiday():
    christmas_eve = _local(2026, 12, 24, 16)
    starts_at = _local(2026, 12, 28, 14)  # a bank holiday session, before staff are back

    assert _call_list_expiry(christmas_eve, starts_at=starts_at) == _local(2026, 12, 28, 11)


def test_working_out_an_offer_reads_the_closure_days_once_at_most():
    for day in (29, 30, 31):
        ClosureDay.objects.create(date=date(2026, 12, day), reason="Closed over Christmas")
    christmas_eve = _local(2026, 12, 24, 16)
    opportunity = _session(_local(2027, 1, 12, 18))
    booked = services.sign_up(opportunity, resident=UserFactory(), now=christmas_eve)
    person = _on_call_list(UserFactory())
    services.sign_up(opportunity, resident=person, now=christmas_eve)

    with CaptureQueriesContext(connection) as cancelling:
        services.cancel_sign_up(booked, by=booked.resident, now=christmas_eve)
    with CaptureQueriesContext(connection) as again:
        _call_list_expiry(christmas_eve)

    reading_closure_days = [q for q in cancelling if "coprod_hub_closureday" in q["sql"]]
    assert len(reading_closure_days) <= 1
    assert not [q for q in again if "coprod_hub_closureday" in q["sql"]]
    # Past the three closure days and New Year's Day: Monday 4 January 2027.
    assert SignUp.objects.get(resident=person).offer_expires_at == _local(2027, 1, 4, 12)
