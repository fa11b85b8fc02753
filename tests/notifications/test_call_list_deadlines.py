"""Calls with a deadline come first on the staff call list: a place offered to someone staff
phone is held only until a set time (noon on the next working day at least), and a reminder
is no use once its session has started. Each says by when, those due today are tagged, and the
staff who run the session see how many they must phone, on the page they land on."""

import importlib
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.urls import reverse

from notifications import services
from notifications.kinds import category_for
from notifications.models import Message
from notifications.reminders import send_due_reminders
from participation import services as participation
from participation.models import SignUp
from tests.factories import UserFactory
from tests.notifications.test_call_list import phoned, shared_call
from tests.participation.factories import OpportunityFactory

pytestmark = pytest.mark.django_db

UK = ZoneInfo("Europe/London")
CALL_LIST = reverse("notifications:call_list")
STAFF_LIST = reverse("participation:staff_list")

# A working Monday, and the Friday before it.
MONDAY_9AM = datetime(2026, 12, 7, 9, tzinfo=UK)
FRIDAY_5PM = datetime(2026, 12, 4, 17, tzinfo=UK)


def uk(year, month, day, hour, minute=0):
    return datetime(year, month, day, hour, minute, tzinfo=UK)


def session_for_one(runner, *, starts_at, title=None):
    fields = {"title": title} if title else {}
    return OpportunityFactory(
        capacity=1,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        created_by=runner,
        published_at=starts_at - timedelta(days=30),
        **fields,
    )


def offer(session, person, *, at) -> SignUp:
    """`person` joins the waiting list for a full session, and is offered the place when the
    person booked gives it up `at` that moment."""
    with time_machine.travel(at - timedelta(days=1), tick=False):
        booked = participation.sign_up(session, resident=UserFactory())
        participation.sign_up(session, resident=person)
    with time_machine.travel(at, tick=False):
        participation.cancel_sign_up(booked, by=booked.resident)
    return SignUp.objects.get(opportunity=session, resident=person)


def remind(at):
    with time_machine.travel(at, tick=False):
        send_due_reminders()


def book(session, person, *, at):
    with time_machine.travel(at, tick=False):
        participation.sign_up(session, resident=person)


def page_at(client, user, moment, url=CALL_LIST) -> str:
    client.force_login(user)
    with time_machine.travel(moment, tick=False):
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def text_of(html: str) -> str:
    """The page's words, as read: tags and runs of spaces gone."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def cards(html: str) -> list[str]:
    """Each call's heading, in the order the page shows them."""
    return [
        text_of(heading)
        for heading in re.findall(r'<h2 class="govuk-heading-s hub-card__title">(.*?)</h2>', html)
    ]


# --- Which messages carry a deadline ---------------------------------------------------------


def test_an_offer_on_the_call_list_carries_when_it_runs_out(staff):
    session = session_for_one(staff, starts_at=uk(2026, 12, 14, 18))
    signup = offer(session, phoned("Olive Offered"), at=FRIDAY_5PM)

    call = Message.objects.get(kind="place_offered")
    assert call.status == Message.Status.CALL_LIST
    assert call.deadline == signup.offer_expires_at == uk(2026, 12, 7, 12)  # Monday noon
    # News that stays true has none.
    assert Message.objects.get(kind="waiting_list_joined").deadline is None


def test_an_offer_by_email_carries_its_deadline_too(staff):
    session = session_for_one(staff, starts_at=uk(2026, 12, 14, 18))
    signup = offer(session, UserFactory(display_name="Ella Email"), at=FRIDAY_5PM)

    call = Message.objects.get(kind="place_offered")
    assert call.channel == Message.Channel.EMAIL
    assert call.deadline == signup.offer_expires_at


def test_an_offer_email_that_fails_goes_on_the_call_list_with_its_deadline(staff, monkeypatch):
    session = session_for_one(staff, starts_at=uk(2026, 12, 14, 18))
    signup = offer(session, UserFactory(display_name="Ella Bounce"), at=FRIDAY_5PM)
    email = Message.objects.get(kind="place_offered")

    def refuse(*args, **kwargs):
        raise RuntimeError("550 mailbox unavailable")

    monkeypatch.setattr("notifications.channels.send_email", refuse)
    for _ in range(services.MAX_ATTEMPTS):
        services.deliver_message(email.pk)

    fallback = Message.objects.get(event_key=services.fallback_key(email))
    assert fallback.status == Message.Status.CALL_LIST
    assert fallback.deadline == signup.offer_expires_at


def test_reminders_and_a_cancelled_session_must_be_passed_on_before_it_starts(staff):
    starts_at = uk(2026, 12, 8, 10)
    session = OpportunityFactory(created_by=staff, starts_at=starts_at, capacity=5)
    person = phoned("Rhona Reminded")
    book(session, person, at=uk(2026, 12, 1, 9))
    remind(MONDAY_9AM)
    with time_machine.travel(MONDAY_9AM, tick=False):
        participation.cancel_opportunity(session, by=staff, reason="The room flooded")

    deadlines = dict(Message.objects.values_list("kind", "deadline"))
    assert deadlines == {
        "signup_confirmed": None,
        "reminder_two_days": starts_at,
        "opportunity_cancelled": starts_at,
    }
    # The reminder is no longer true once the session is called off: taken off the list.
    assert Message.objects.get(kind="reminder_two_days").status == Message.Status.WITHDRAWN
    assert Message.objects.get(kind="opportunity_cancelled").status == Message.Status.CALL_LIST


def test_a_preview_with_stand_ins_has_no_deadline():
    assert services._deadline("place_offered", {"signup": object()}) is None
    assert services._deadline("weekly_digest", {}) is None


# --- The order of the list, and what each call says ------------------------------------------


def test_calls_with_a_deadline_come_first_soonest_first_then_the_rest_oldest_first(client, staff):
    with time_machine.travel(MONDAY_9AM - timedelta(days=14), tick=False):
        shared_call(phoned("Dora Digest"))  # routine, and the oldest
    # A session this morning: its reminders were not passed on in time, and are no use now.
    this_morning = OpportunityFactory(created_by=staff, starts_at=uk(2026, 12, 7, 8), capacity=5)
    book(this_morning, phoned("Paul Passed"), at=uk(2026, 12, 2, 9))
    tomorrow = OpportunityFactory(created_by=staff, starts_at=uk(2026, 12, 8, 10), capacity=5)
    book(tomorrow, phoned("Tom Tuesday"), at=uk(2026, 12, 1, 9))
    offer(
        session_for_one(staff, starts_at=uk(2026, 12, 20, 18)),
        phoned("Mona Monday"),
        at=FRIDAY_5PM,  # held until noon on the next working day: today
    )
    offer(
        session_for_one(staff, starts_at=uk(2026, 12, 20, 18)),
        phoned("Wendy Wednesday"),
        at=uk(2026, 12, 7, 7),  # held for 48 hours: Wednesday 7am
    )
    remind(uk(2026, 12, 7, 7, 30))

    page = page_at(client, staff, MONDAY_9AM)

    assert [heading.split(":")[0] for heading in cards(page)] == [
        # Deadlines still to come, soonest first.
        "Mona Monday",  # place offered: today at midday
        "Tom Tuesday",  # reminder: his session starts tomorrow at 10am
        "Wendy Wednesday",  # place offered: Wednesday at 7am
        # The rest, oldest first.
        "Dora Digest",  # no deadline: two weeks ago
        "Tom Tuesday",  # his place confirmed, 1 December
        "Paul Passed",  # his place confirmed, 2 December
        "Mona Monday",  # joined the waiting list, 3 December
        "Wendy Wednesday",  # joined the waiting list, yesterday
        "Paul Passed",  # two reminders this morning, for a session started since
        "Paul Passed",
    ]
    words = text_of(page)
    assert "Call today Answer needed by: Monday 7 December 2026 at midday" in words
    assert "If they have not said yes by then, the place goes to the next person waiting." in words
    assert "Pass on before: Tuesday 8 December 2026 at 10am The session starts then." in words
    assert "Answer needed by: Wednesday 9 December 2026 at 7am" in words
    assert words.count("Time passed Pass on before: Monday 7 December 2026 at 8am") == 2
    assert words.count("Call today") == 2  # the one due today, and the note at the top


def test_an_offer_made_before_a_bank_holiday_says_the_day_staff_are_back(client, staff):
    friday_night = uk(2027, 4, 30, 22)  # Monday 3 May 2027 is the May bank holiday
    session = session_for_one(staff, starts_at=uk(2027, 5, 12, 18))
    offer(session, phoned("Bea Bankholiday"), at=friday_night)

    on_the_bank_holiday = text_of(page_at(client, staff, uk(2027, 5, 3, 10)))
    on_the_day = text_of(page_at(client, staff, uk(2027, 5, 4, 8, 30)))

    deadline = "Answer needed by: Tuesday 4 May 2027 at midday"
    assert deadline in on_the_bank_holiday
    assert f"Call today {deadline}" not in on_the_bank_holiday
    assert f"Call today {deadline}" in on_the_day


def test_the_tag_shows_from_the_start_of_the_deadline_day(client, staff):
    session = session_for_one(staff, starts_at=uk(2026, 12, 14, 18))
    offer(session, phoned("Olive Offered"), at=FRIDAY_5PM)  # until Monday at midday

    sunday_late = text_of(page_at(client, staff, uk(2026, 12, 6, 23, 59)))
    monday_early = text_of(page_at(client, staff, uk(2026, 12, 7, 0, 1)))

    assert "Call today Answer needed by" not in sunday_late
    assert "Call today Answer needed by" in monday_early


# --- The count on the page staff land on ------------------------------------------------------


def test_staff_who_run_the_session_see_how_many_to_phone_today(
    client, staff, other_staff, commissioner
):
    for name in ("Olive Offered", "Oscar Offered"):
        offer(session_for_one(staff, starts_at=uk(2026, 12, 14, 18)), phoned(name), at=FRIDAY_5PM)
    offer(
        session_for_one(other_staff, starts_at=uk(2026, 12, 14, 18)),
        phoned("Theo Theirs"),
        at=MONDAY_9AM - timedelta(hours=1),
    )

    ours = text_of(page_at(client, staff, MONDAY_9AM, STAFF_LIST))
    theirs = text_of(page_at(client, other_staff, MONDAY_9AM, STAFF_LIST))
    everyone = text_of(page_at(client, commissioner, MONDAY_9AM, STAFF_LIST))

    assert "2 people on your call list must be phoned before midday today." in ours
    assert "coming days" not in ours
    assert "must be phoned before midday today" not in theirs
    assert (
        "1 person on your call list must be phoned by a set time in the coming days, the first "
        "by Wednesday 9 December 2026 at 8am." in theirs
    )
    # Commissioners run every session, so their call list has all three.
    assert "2 people on your call list must be phoned before midday today." in everyone
    assert "1 person on your call list must be phoned by a set time" in everyone
    assert "Go to your call list" in ours


def test_nothing_due_means_no_banner_but_the_call_list_is_a_link_away(client, staff):
    shared_call(phoned("Dora Digest"))

    page = page_at(client, staff, MONDAY_9AM, STAFF_LIST)

    assert "govuk-notification-banner" not in page
    assert f'href="{CALL_LIST}">Call list</a>' in page


def test_someone_with_two_calls_due_today_is_one_person_to_phone(client, staff):
    person = phoned("Tess Twice")
    session = OpportunityFactory(created_by=staff, starts_at=uk(2026, 12, 7, 15), capacity=5)
    book(session, person, at=uk(2026, 12, 1, 9))
    remind(MONDAY_9AM)  # two days before, and on the morning
    assert Message.objects.filter(recipient=person, deadline__isnull=False).count() == 2

    page = text_of(page_at(client, staff, MONDAY_9AM, STAFF_LIST))

    assert "1 person on your call list must be phoned before 3pm today." in page


def test_deadlines_at_different_times_today_name_the_first(client, staff):
    offer(session_for_one(staff, starts_at=uk(2026, 12, 14, 18)), phoned("Ann"), at=FRIDAY_5PM)
    session = OpportunityFactory(created_by=staff, starts_at=uk(2026, 12, 7, 15), capacity=5)
    book(session, phoned("Bob"), at=uk(2026, 12, 1, 9))
    remind(MONDAY_9AM)

    page = text_of(page_at(client, staff, MONDAY_9AM, STAFF_LIST))

    assert "2 people on your call list must be phoned today, the first before midday." in page


def test_calls_marked_done_are_no_longer_counted(client, staff):
    session = session_for_one(staff, starts_at=uk(2026, 12, 14, 18))
    offer(session, phoned("Olive Offered"), at=FRIDAY_5PM)
    client.force_login(staff)
    services.mark_called(Message.objects.get(kind="place_offered"), by=staff)

    page = page_at(client, staff, MONDAY_9AM, STAFF_LIST)

    assert "must be phoned" not in page


# --- An offer passed on leaves the list -------------------------------------------------------


def test_an_offer_passed_on_once_its_time_runs_out_leaves_the_list_and_the_count(client, staff):
    session = session_for_one(staff, starts_at=uk(2026, 12, 14, 18))
    offer(session, phoned("Olive Offered"), at=FRIDAY_5PM)  # until Monday at midday
    assert "1 person on your call list must be phoned before midday today." in text_of(
        page_at(client, staff, MONDAY_9AM, STAFF_LIST)
    )

    after_midday = uk(2026, 12, 7, 12, 5)
    with time_machine.travel(after_midday, tick=False):
        assert participation.expire_offers() == 1

    call = Message.objects.get(kind="place_offered")
    assert call.status == Message.Status.WITHDRAWN
    call_list = text_of(page_at(client, staff, after_midday))
    assert "A place is free for you" not in call_list
    assert "Answer needed by" not in call_list
    # What is still true is still there: that the offer ran out.
    assert "Olive Offered" in call_list
    assert "must be phoned" not in text_of(page_at(client, staff, after_midday, STAFF_LIST))


def test_an_offer_turned_down_leaves_the_list_and_the_count(client, staff):
    session = session_for_one(staff, starts_at=uk(2026, 12, 14, 18))
    signup = offer(session, phoned("Olive Offered"), at=FRIDAY_5PM)
    with time_machine.travel(MONDAY_9AM, tick=False):
        participation.cancel_sign_up(signup, by=signup.resident)

    assert Message.objects.get(kind="place_offered").status == Message.Status.WITHDRAWN
    assert "Answer needed by" not in page_at(client, staff, MONDAY_9AM)
    assert "must be phoned" not in page_at(client, staff, MONDAY_9AM, STAFF_LIST)


def test_an_offer_accepted_leaves_the_list_and_the_count(client, staff):
    session = session_for_one(staff, starts_at=uk(2026, 12, 14, 18))
    signup = offer(session, phoned("Olive Offered"), at=FRIDAY_5PM)
    with time_machine.travel(MONDAY_9AM, tick=False):
        participation.accept_offer(signup, by=signup.resident)

    assert Message.objects.get(kind="place_offered").status == Message.Status.WITHDRAWN
    assert "Answer needed by" not in page_at(client, staff, MONDAY_9AM)
    assert "must be phoned" not in page_at(client, staff, MONDAY_9AM, STAFF_LIST)
    # Their booking is news to pass on: it stays.
    confirmed = Message.objects.get(kind="signup_confirmed", recipient=signup.resident)
    assert confirmed.status == Message.Status.CALL_LIST


def test_a_session_moved_earlier_brings_the_offer_call_forward(staff):
    session = session_for_one(staff, starts_at=uk(2026, 12, 14, 18))
    offer(session, phoned("Olive Offered"), at=FRIDAY_5PM)  # until Monday at midday
    with time_machine.travel(FRIDAY_5PM + timedelta(minutes=5), tick=False):
        participation.update_opportunity(
            session,
            by=staff,
            starts_at=uk(2026, 12, 7, 10),
            ends_at=uk(2026, 12, 7, 12),
        )

    signup = SignUp.objects.get(status="offered")
    # Three hours before the new start, as the offer itself now says.
    assert signup.offer_expires_at == uk(2026, 12, 7, 7)
    assert Message.objects.get(kind="place_offered").deadline == signup.offer_expires_at


# --- Query counts -----------------------------------------------------------------------------


def test_the_count_costs_one_query_however_many_calls(client, staff, django_assert_max_num_queries):
    def add_offers(count):
        for _ in range(count):
            offer(
                session_for_one(staff, starts_at=uk(2026, 12, 14, 18)),
                phoned("Many Offers"),
                at=FRIDAY_5PM,
            )

    add_offers(1)
    client.force_login(staff)
    with time_machine.travel(MONDAY_9AM, tick=False), django_assert_max_num_queries(100) as few:
        client.get(STAFF_LIST)
    add_offers(6)
    with time_machine.travel(MONDAY_9AM, tick=False), django_assert_max_num_queries(len(few)):
        response = client.get(STAFF_LIST)

    assert "7 people on your call list must be phoned before midday today." in text_of(
        response.content.decode()
    )


# --- Calls already waiting ------------------------------------------------------------------


def test_calls_already_waiting_are_given_their_deadline(staff):
    """The migration adding the deadline fills it in for calls still on the list."""
    session = session_for_one(staff, starts_at=uk(2026, 12, 14, 18))
    signup = offer(session, phoned("Olive Offered"), at=FRIDAY_5PM)
    tuesday = OpportunityFactory(created_by=staff, starts_at=uk(2026, 12, 8, 10), capacity=5)
    book(tuesday, phoned("Tom Tuesday"), at=uk(2026, 12, 1, 9))
    remind(MONDAY_9AM)
    # An offer accepted since: no deadline any more.
    elsewhere = session_for_one(staff, starts_at=uk(2026, 12, 14, 18))
    accepted = offer(elsewhere, phoned("Ann Accepted"), at=FRIDAY_5PM)
    with time_machine.travel(FRIDAY_5PM + timedelta(hours=1), tick=False):
        participation.accept_offer(accepted, by=accepted.resident)
    digest = shared_call(phoned("Dora Digest"))
    Message.objects.update(deadline=None)

    migration = importlib.import_module("notifications.migrations.0010_message_deadline")
    migration.deadlines_of_waiting_calls(apps, None)

    deadlines = {
        (m.recipient.display_name, m.kind): m.deadline
        for m in Message.objects.filter(status=Message.Status.CALL_LIST, deadline__isnull=False)
    }
    assert deadlines == {
        ("Olive Offered", "place_offered"): signup.offer_expires_at,
        ("Tom Tuesday", "reminder_two_days"): uk(2026, 12, 8, 10),
    }
    assert Message.objects.get(pk=digest.pk).deadline is None


def test_a_message_of_a_kind_without_deadline_words_still_says_by_when():
    message = Message(
        kind="weekly_digest",
        category=category_for("weekly_digest"),
        deadline=MONDAY_9AM,
    )
    assert message.deadline_words.label == "Needed by"
    assert Message(kind="place_offered").deadline_words is None
