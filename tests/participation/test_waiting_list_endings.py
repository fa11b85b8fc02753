"""How a waiting list ends: people still waiting when a session starts are told no place came
up, and offers to people staff reach through the call list last until staff can phone them."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from notifications.kinds import Category, always_sent, category_for
from notifications.models import Message, Unsubscribe
from participation import services, tasks
from participation.models import Opportunity, Profile, SignUp
from tests.concurrency import run_at_once
from tests.factories import UserFactory

from .factories import OpportunityFactory, ProjectFactory, ServiceAreaFactory

pytestmark = pytest.mark.django_db

UK = ZoneInfo("Europe/London")
NO_PLACE = "waiting_list_no_place"


def _local(year, month, day, hour, minute=0):
    return datetime(year, month, day, hour, minute, tzinfo=UK)


def _no_place_messages(**filters):
    return Message.objects.filter(kind=NO_PLACE, **filters)


@pytest.fixture
def full_session(make_residents, staff):
    """A session with one place, booked, and two people waiting for it."""
    opportunity = OpportunityFactory(title="Carers' lunch and chat", capacity=1, created_by=staff)
    booked, first, second = make_residents(3)
    for person in (booked, first, second):
        services.sign_up(opportunity, resident=person)
    return opportunity, booked, [first, second]


def _after_start(opportunity, minutes=5):
    return opportunity.starts_at + timedelta(minutes=minutes)


# --- No place came up -------------------------------------------------------------------


def test_people_still_waiting_when_the_session_starts_are_told_no_place_came_up(full_session):
    opportunity, booked, waiting = full_session

    sent = services.tell_waiting_no_place_came_up(now=_after_start(opportunity))

    assert sent == 2
    for person in waiting:
        message = _no_place_messages().get(recipient=person)
        assert message.subject == "Sorry, no place came up: Carers' lunch and chat"
        assert "No place came up for you this time, and we are sorry." in message.body_text
        assert "You do not need to do anything." in message.body_text
    assert not _no_place_messages(recipient=booked).exists()
    # Kept as the record of what happened: they were waiting when it started.
    assert set(opportunity.signups.values_list("status", flat=True)) == {"booked", "waiting"}


def test_nobody_is_told_before_the_session_starts(full_session):
    opportunity, _, _ = full_session

    assert (
        services.tell_waiting_no_place_came_up(now=opportunity.starts_at - timedelta(minutes=1))
        == 0
    )
    assert not _no_place_messages().exists()


def test_each_person_is_told_once_however_often_the_sweep_runs(full_session):
    opportunity, _, waiting = full_session

    assert services.tell_waiting_no_place_came_up(now=_after_start(opportunity)) == 2
    assert services.tell_waiting_no_place_came_up(now=_after_start(opportunity, 10)) == 0
    assert services.tell_waiting_no_place_came_up(now=_after_start(opportunity, 600)) == 0

    assert _no_place_messages().count() == 2
    assert set(_no_place_messages().values_list("recipient_id", flat=True)) == {
        p.pk for p in waiting
    }


def test_the_periodic_offer_sweep_sends_it(full_session):
    opportunity, _, waiting = full_session

    with time_machine.travel(_after_start(opportunity), tick=False):
        tasks.expire_offers.delay().get()
        tasks.expire_offers.delay().get()

    assert _no_place_messages().count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_sweeping_at_once_send_one_message_each():
    opportunity = OpportunityFactory(capacity=1)
    people = [UserFactory() for _ in range(4)]
    for person in people:
        services.sign_up(opportunity, resident=person)
    later = _after_start(opportunity)

    counts, errors = run_at_once([lambda: services.tell_waiting_no_place_came_up(now=later)] * 2)

    assert errors == []
    assert _no_place_messages().count() == 3
    # Both workers may hand the rows to delivery; each is sent once (notifications' claim).
    assert len([m for m in mail.outbox if "no place came up" in m.subject]) == 3


def test_a_cancelled_session_sends_only_its_cancellation(full_session, staff):
    opportunity, _, waiting = full_session
    services.cancel_opportunity(opportunity, by=staff, reason="The room flooded.")

    assert services.tell_waiting_no_place_came_up(now=_after_start(opportunity)) == 0
    assert not _no_place_messages().exists()


def test_a_session_cancelled_with_people_still_on_its_list_is_left_out(full_session):
    # Belt and braces: whatever left them waiting, a cancelled session sends no such message.
    opportunity, _, _ = full_session
    Opportunity.objects.filter(pk=opportunity.pk).update(status=Opportunity.Status.CANCELLED)

    assert services.tell_waiting_no_place_came_up(now=_after_start(opportunity)) == 0


def test_sessions_long_past_are_old_news(full_session):
    # The first sweep after this was added must not write to everyone ever left waiting.
    opportunity, _, _ = full_session

    assert services.tell_waiting_no_place_came_up(now=_after_start(opportunity, 3 * 24 * 60)) == 0


def test_the_link_finds_other_sessions_on_the_same_topic(make_residents, settings):
    settings.SITE_URL = "https://hub.example"
    topic = ServiceAreaFactory(name="Learning disability", slug="learning-disability")
    opportunity = OpportunityFactory(capacity=1, topic=topic)
    for person in make_residents(2):
        services.sign_up(opportunity, resident=person)

    services.tell_waiting_no_place_came_up(now=_after_start(opportunity))

    body = _no_place_messages().get().body_text
    assert (
        "You can find other sessions about learning disability here: "
        "https://hub.example/opportunities/?topic=learning-disability"
    ) in body


def test_a_project_session_links_to_its_projects_topic(make_residents, settings):
    settings.SITE_URL = "https://hub.example"
    project = ProjectFactory(service_area=ServiceAreaFactory(name="Carers", slug="carers"))
    opportunity = OpportunityFactory(capacity=1, project=project, topic=None)
    for person in make_residents(2):
        services.sign_up(opportunity, resident=person)

    services.tell_waiting_no_place_came_up(now=_after_start(opportunity))

    assert "https://hub.example/opportunities/?topic=carers" in _no_place_messages().get().body_text


def test_a_session_with_no_topic_links_to_the_whole_directory(make_residents, settings):
    settings.SITE_URL = "https://hub.example"
    opportunity = OpportunityFactory(capacity=1, topic=None)
    for person in make_residents(2):
        services.sign_up(opportunity, resident=person)

    services.tell_waiting_no_place_came_up(now=_after_start(opportunity))

    body = _no_place_messages().get().body_text
    assert body.rstrip().endswith(
        "You can find other ways to get involved here: https://hub.example/opportunities/"
    )


def test_it_is_optional_like_other_waiting_list_news(full_session):
    opportunity, _, (first, second) = full_session
    Unsubscribe.objects.create(user=first, category=Category.SIGN_UPS)

    services.tell_waiting_no_place_came_up(now=_after_start(opportunity))

    assert category_for(NO_PLACE) == Category.SIGN_UPS and not always_sent(NO_PLACE)
    assert _no_place_messages().get(recipient=first).status == Message.Status.SKIPPED
    assert _no_place_messages().get(recipient=second).status == Message.Status.PENDING


def test_someone_staff_phone_is_on_the_call_list_with_it(full_session):
    opportunity, _, (first, _) = full_session
    Profile.objects.create(user=first, contact_by="post_or_phone", phone="01632 960000")

    services.tell_waiting_no_place_came_up(now=_after_start(opportunity))

    assert _no_place_messages().get(recipient=first).status == Message.Status.CALL_LIST


def test_the_sweep_reads_everyone_waiting_in_one_query(
    make_residents, django_assert_max_num_queries
):
    def session_with_waiting(count, starts_in):
        starts = timezone.now() + starts_in
        opportunity = OpportunityFactory(
            capacity=1, starts_at=starts, ends_at=starts + timedelta(hours=2)
        )
        for person in make_residents(count + 1):
            services.sign_up(opportunity, resident=person)
        return opportunity

    few = session_with_waiting(1, timedelta(days=10))
    many = session_with_waiting(8, timedelta(days=20))
    with django_assert_max_num_queries(20) as few_queries:
        assert services.tell_waiting_no_place_came_up(now=_after_start(few)) == 1
    with django_assert_max_num_queries(20) as many_queries:
        assert services.tell_waiting_no_place_came_up(now=_after_start(many)) == 8

    assert len(many_queries) == len(few_queries)


# --- What /my/ shows --------------------------------------------------------------------


def _started_session_with(resident, *, started_ago, lasts=timedelta(hours=2)):
    starts = timezone.now() - started_ago
    opportunity = OpportunityFactory(
        title="Carers' lunch and chat", capacity=1, starts_at=starts, ends_at=starts + lasts
    )
    SignUp.objects.create(opportunity=opportunity, resident=UserFactory(), status="booked")
    return SignUp.objects.create(
        opportunity=opportunity,
        resident=resident,
        status=SignUp.Status.WAITING,
        waiting_since=starts - timedelta(days=3),
    )


def test_my_page_no_longer_shows_a_started_session_as_still_waiting(client, resident):
    _started_session_with(resident, started_ago=timedelta(minutes=30))
    client.force_login(resident)

    page = client.get(reverse("participation:my")).content.decode()

    assert "Waiting lists" not in page and "You are number" not in page
    assert "You were on the waiting list. No place came up." in page


def test_my_page_lists_a_past_sessions_waiting_list_as_no_place_came_up(client, resident):
    _started_session_with(resident, started_ago=timedelta(days=3))
    client.force_login(resident)

    page = client.get(reverse("participation:my")).content.decode()

    past = page.split('<h2 class="govuk-heading-l">Past</h2>', 1)[1]
    assert "Carers&#x27; lunch and chat" in past
    assert "You were on the waiting list. No place came up." in past
    assert "You have not been to any sessions yet." not in page
    # Nothing to claim for, or to say how it went.
    assert "Claim fees and expenses" not in past and "Tell us how it went" not in past


def test_my_page_still_shows_a_waiting_list_before_the_session_starts(client, resident, staff):
    opportunity = OpportunityFactory(title="Carers' lunch and chat", capacity=1)
    services.sign_up(opportunity, resident=UserFactory())
    services.sign_up(opportunity, resident=resident)
    client.force_login(resident)

    page = client.get(reverse("participation:my")).content.decode()

    assert "Waiting lists" in page and "You are number 1 on the waiting list." in page
    assert "No place came up" not in page


def test_the_place_page_says_no_place_came_up_once_the_session_started(client, resident):
    signup = _started_session_with(resident, started_ago=timedelta(days=3))
    client.force_login(resident)

    page = client.get(signup.get_absolute_url()).content.decode()

    assert "No place came up" in page
    assert "You are number" not in page


# --- Offers to people on the call list ---------------------------------------------------


def _session(starts_at, **fields):
    return OpportunityFactory(
        capacity=1, starts_at=starts_at, ends_at=starts_at + timedelta(hours=2), **fields
    )


def _on_call_list(person):
    Profile.objects.create(user=person, contact_by="post_or_phone", phone="01632 960000")
    return person


def _offer_freed_place(opportunity, waiting_person, *, at):
    booked = services.sign_up(opportunity, resident=UserFactory(), now=at - timedelta(days=1))
    services.sign_up(opportunity, resident=waiting_person, now=at - timedelta(days=1))
    services.cancel_sign_up(booked, by=booked.resident, now=at)
    return SignUp.objects.get(opportunity=opportunity, resident=waiting_person)


def test_an_offer_on_the_call_list_made_on_friday_night_lasts_until_monday_noon():
    friday_night = _local(2031, 1, 10, 22)
    opportunity = _session(_local(2031, 1, 15, 18))  # the Wednesday after

    on_phone = _offer_freed_place(opportunity, _on_call_list(UserFactory()), at=friday_night)

    assert on_phone.status == SignUp.Status.OFFERED
    assert on_phone.offer_expires_at == _local(2031, 1, 13, 12)  # Monday, noon
    message = Message.objects.get(recipient=on_phone.resident, kind="place_offered")
    assert message.status == Message.Status.CALL_LIST
    assert "Monday 13 January 2031 at midday" in message.body_text


def test_someone_reached_online_keeps_the_usual_window():
    friday_night = _local(2031, 1, 10, 22)
    opportunity = _session(_local(2031, 1, 15, 18))

    by_email = _offer_freed_place(opportunity, UserFactory(), at=friday_night)

    assert by_email.offer_expires_at == friday_night + timedelta(hours=48)  # Sunday night


def test_an_offer_on_the_call_list_lasts_until_noon_the_next_working_day():
    # A short window set for the session would end at 2am, before anyone could phone.
    tuesday_night = _local(2031, 1, 7, 22)
    opportunity = _session(_local(2031, 1, 9, 18), offer_window_hours=4)  # Thursday

    on_phone = _offer_freed_place(opportunity, _on_call_list(UserFactory()), at=tuesday_night)
    by_email = _offer_freed_place(
        _session(_local(2031, 1, 9, 18), offer_window_hours=4), UserFactory(), at=tuesday_night
    )

    assert on_phone.offer_expires_at == _local(2031, 1, 8, 12)  # Wednesday noon
    assert by_email.offer_expires_at == _local(2031, 1, 8, 2)


def test_the_call_list_offer_still_ends_three_hours_before_the_session():
    tuesday_night = _local(2031, 1, 7, 22)
    opportunity = _session(_local(2031, 1, 8, 10))  # Wednesday 10am

    on_phone = _offer_freed_place(opportunity, _on_call_list(UserFactory()), at=tuesday_night)

    assert on_phone.offer_expires_at == _local(2031, 1, 8, 7)


@pytest.mark.parametrize(
    ("now", "starts_at", "on_call_list", "expires"),
    [
        # Friday night: Monday noon, not Saturday.
        (_local(2031, 1, 10, 22), _local(2031, 1, 20, 10), True, _local(2031, 1, 13, 12)),
        # Saturday morning: Monday noon too.
        (_local(2031, 1, 11, 9), _local(2031, 1, 20, 10), True, _local(2031, 1, 13, 12)),
        # Monday morning: the usual 48 hours are already longer than Tuesday noon.
        (_local(2031, 1, 13, 9), _local(2031, 1, 20, 10), True, _local(2031, 1, 15, 9)),
        # Cut to three hours before the start.
        (_local(2031, 1, 10, 22), _local(2031, 1, 13, 11), True, _local(2031, 1, 13, 8)),
        # The session is so close that this would leave less than an hour: the usual rule.
        (_local(2031, 1, 13, 9), _local(2031, 1, 13, 11), True, _local(2031, 1, 13, 10)),
        (_local(2031, 1, 13, 9), _local(2031, 1, 13, 9, 30), True, _local(2031, 1, 13, 9, 30)),
        # Reached online: as before.
        (_local(2031, 1, 10, 22), _local(2031, 1, 20, 10), False, _local(2031, 1, 12, 22)),
    ],
)
def test_the_offer_window_on_the_call_list(now, starts_at, on_call_list, expires):
    opportunity = Opportunity(starts_at=starts_at, ends_at=starts_at, offer_window_hours=48)

    assert opportunity.offer_expiry(now, on_call_list=on_call_list) == expires


def test_working_out_who_is_on_the_call_list_reads_no_more_rows(
    django_assert_max_num_queries,
):
    # Each person's profile (how they hear from us) comes with their sign-up, in the query
    # that reads who is next: no query of its own for each person offered a place.
    at = _local(2031, 1, 10, 22)
    opportunity = _session(_local(2031, 1, 15, 18))
    booked = services.sign_up(opportunity, resident=UserFactory(), now=at - timedelta(days=1))
    person = _on_call_list(UserFactory())
    services.sign_up(opportunity, resident=person, now=at - timedelta(days=1))

    with django_assert_max_num_queries(100) as queries:
        services.cancel_sign_up(booked, by=booked.resident, now=at)

    assert SignUp.objects.get(resident=person).offer_expires_at == _local(2031, 1, 13, 12)
    one_persons_profile = 'FROM "participation_profile" WHERE "participation_profile"."user_id" = '
    assert not [q["sql"] for q in queries if one_persons_profile in q["sql"]]
