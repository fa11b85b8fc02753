import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from participation import services
from participation.models import Opportunity, Profile
from participation.tokens import calendar_token

from .factories import OpportunityFactory, SignUpFactory, VenueFactory

pytestmark = pytest.mark.django_db

UK = ZoneInfo("Europe/London")


def events(response):
    calendar = Calendar.from_ical(response.content)
    return calendar, list(calendar.walk("VEVENT"))


def test_an_opportunitys_calendar_file_has_uid_uk_time_location_and_url(client):
    venue = VenueFactory(name="Northfield Library", address="2 Mill Lane", postcode="AT2 3BB")
    # 10am in British Summer Time is 9am UTC.
    starts = datetime(2030, 7, 15, 9, 0, tzinfo=UTC)
    opportunity = OpportunityFactory(
        title="Carers' panel",
        format=Opportunity.Format.IN_PERSON,
        venue=venue,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
    )

    response = client.get(reverse("participation:calendar", args=[opportunity.pk]))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"]
    calendar, (event,) = events(response)
    host = settings.SITE_URL.split("://")[1].split(":")[0]
    assert str(event["UID"]) == f"opportunity-{opportunity.pk}@{host}"
    dtstart = event["DTSTART"]
    assert dtstart.params["TZID"] == "Europe/London"
    assert dtstart.dt == datetime(2030, 7, 15, 10, 0, tzinfo=UK)
    assert dtstart.dt.utcoffset() == timedelta(hours=1)
    assert "Northfield Library" in str(event["LOCATION"])
    assert "AT2 3BB" in str(event["LOCATION"])
    assert str(event["URL"]) == settings.SITE_URL + opportunity.get_absolute_url()
    assert str(event["SUMMARY"]) == "Carers' panel"
    # A VTIMEZONE for Europe/London travels with the file.
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/London"]


def test_the_uid_stays_the_same_when_the_time_changes(client, staff):
    opportunity = OpportunityFactory(created_by=staff)
    url = reverse("participation:calendar", args=[opportunity.pk])
    _, (before,) = events(client.get(url))

    services.update_opportunity(
        opportunity,
        by=staff,
        starts_at=opportunity.starts_at + timedelta(days=1),
        ends_at=opportunity.ends_at + timedelta(days=1),
    )
    _, (after,) = events(client.get(url))

    assert before["UID"] == after["UID"]
    assert after["DTSTART"].dt > before["DTSTART"].dt
    assert after["SEQUENCE"] >= before["SEQUENCE"]


def test_draft_calendar_files_are_not_public(client):
    draft = OpportunityFactory(status=Opportunity.Status.DRAFT)

    assert client.get(reverse("participation:calendar", args=[draft.pk])).status_code == 404


def test_the_public_feed_lists_upcoming_opportunities_only(client):
    upcoming = OpportunityFactory(title="Upcoming")
    OpportunityFactory(title="Draft", status=Opportunity.Status.DRAFT)
    OpportunityFactory(title="Cancelled", status=Opportunity.Status.CANCELLED)

    response = client.get(reverse("participation:feed"))

    _, found = events(response)
    assert [str(e["SUMMARY"]) for e in found] == ["Upcoming"]
    assert found[0]["DTSTART"].params["TZID"] == "Europe/London"
    assert str(found[0]["URL"]).endswith(upcoming.get_absolute_url())


def test_the_public_feed_follows_the_directory_filters(client):
    OpportunityFactory(title="Online", format="online")
    OpportunityFactory(title="Phone", format="phone")

    response = client.get(reverse("participation:feed"), {"format": "phone"})

    assert [str(e["SUMMARY"]) for e in events(response)[1]] == ["Phone"]


def test_the_public_feed_with_past_opportunities_reaches_back_90_days_only(client):
    """Sorted oldest first and capped, a feed of every past session would fill up with old
    events and leave out what is coming."""
    now = timezone.now()
    OpportunityFactory(title="Last spring", starts_at=now - timedelta(days=200))
    OpportunityFactory(title="Last month", starts_at=now - timedelta(days=30))
    OpportunityFactory(title="Next week", starts_at=now + timedelta(days=7))

    response = client.get(reverse("participation:feed"), {"include_past": "on"})

    assert [str(e["SUMMARY"]) for e in events(response)[1]] == ["Last month", "Next week"]


def test_the_public_feed_keeps_a_session_until_it_ends(client):
    """Someone on their way to a session still has its time and place."""
    now = timezone.now()
    OpportunityFactory(
        title="Under way", starts_at=now - timedelta(minutes=30), ends_at=now + timedelta(hours=1)
    )
    OpportunityFactory(
        title="Just over", starts_at=now - timedelta(hours=2), ends_at=now - timedelta(minutes=5)
    )

    found = events(client.get(reverse("participation:feed")))[1]

    assert [(str(e["SUMMARY"]), str(e["STATUS"])) for e in found] == [("Under way", "CONFIRMED")]


def test_a_session_called_off_lately_stays_in_the_public_feed_marked_cancelled(client, staff):
    """Calendars drop what the feed leaves out: a session that vanished could still be in
    people's calendars, and a calendar told it is cancelled says so."""
    now = timezone.now()
    called_off = OpportunityFactory(title="Called off", created_by=staff)
    services.cancel_opportunity(called_off, by=staff, reason="The room flooded.")
    OpportunityFactory(
        title="Called off weeks ago",
        status=Opportunity.Status.CANCELLED,
        cancelled_at=now - timedelta(days=15),
    )
    OpportunityFactory(
        title="Called off after it was due",
        status=Opportunity.Status.CANCELLED,
        cancelled_at=now - timedelta(hours=1),
        starts_at=now - timedelta(days=2),
    )
    never_published = OpportunityFactory(
        title="Draft called off", created_by=staff, status=Opportunity.Status.DRAFT
    )
    services.cancel_opportunity(never_published, by=staff)
    Opportunity.objects.filter(pk=never_published.pk).update(published_at=None)

    found = events(client.get(reverse("participation:feed")))[1]

    assert [(str(e["SUMMARY"]), str(e["STATUS"])) for e in found] == [("Called off", "CANCELLED")]


def test_a_personal_feed_lists_a_residents_own_sign_ups_at_a_private_link(client, resident):
    mine = SignUpFactory(resident=resident, opportunity__title="Mine")
    SignUpFactory(opportunity__title="Someone else's")
    profile = Profile.objects.create(user=resident)
    url = reverse("participation:personal_feed", args=[calendar_token(profile)])

    response = client.get(url)

    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    _, found = events(response)
    assert [str(e["SUMMARY"]) for e in found] == ["Mine"]
    assert str(found[0]["URL"]).endswith(mine.opportunity.get_absolute_url())


def test_a_new_personal_link_stops_the_old_one_working(client, resident):
    profile = Profile.objects.create(user=resident)
    old_url = reverse("participation:personal_feed", args=[calendar_token(profile)])

    client.force_login(resident)
    client.post(reverse("participation:calendar_link"))
    profile.refresh_from_db()
    new_url = reverse("participation:personal_feed", args=[calendar_token(profile)])

    assert client.get(old_url).status_code == 404
    assert client.get(new_url).status_code == 200


@pytest.mark.parametrize("token", ["nonsense", "eyJ1IjoxfQ:abc:def", "a" * 300])
def test_altered_personal_links_are_refused(client, token):
    response = client.get(reverse("participation:personal_feed", args=[token]))

    assert response.status_code == 404


def test_the_calendar_link_page_shows_the_private_link(client, resident):
    client.force_login(resident)

    response = client.get(reverse("participation:calendar_link"))

    profile = Profile.objects.get(user=resident)
    assert calendar_token(profile) in response.text
    # One tap on a phone opens the calendar app, ready to subscribe.
    feed = reverse("participation:personal_feed", args=[calendar_token(profile)])
    assert re.search(rf'href="webcal://[^"/]+{re.escape(feed)}"', response.text)
    # Short sentences: what to do, then what the calendar app may call it.
    assert "copy the link below. Add it to your calendar app, such as Outlook" in response.text
    assert "Your app may call this &ldquo;subscribe to a calendar&rdquo;" in response.text


def test_joining_details_are_in_the_calendar_only_for_people_with_a_place(
    client, resident, other_resident
):
    from participation.models import SignUp

    opportunity = OpportunityFactory(capacity=1, online_details="https://meet.example/secret")
    services.sign_up(opportunity, resident=resident)
    services.sign_up(opportunity, resident=other_resident)
    assert SignUp.objects.get(resident=other_resident).status == SignUp.Status.WAITING
    url = reverse("participation:calendar", args=[opportunity.pk])

    assert b"meet.example/secret" not in client.get(url).content
    client.force_login(other_resident)
    assert b"meet.example/secret" not in client.get(url).content
    client.force_login(resident)
    assert b"meet.example/secret" in client.get(url).content.replace(b"\r\n ", b"")


def test_an_address_on_several_lines_reads_as_one_line_with_commas():
    venue = VenueFactory(
        name="Riverside Centre", address="7 Riverside Walk\r\n  Eastbridge \n", postcode="AT8 3GH"
    )
    opportunity = OpportunityFactory(format=Opportunity.Format.IN_PERSON, venue=venue)

    assert opportunity.location_text == "Riverside Centre, 7 Riverside Walk, Eastbridge, AT8 3GH"
