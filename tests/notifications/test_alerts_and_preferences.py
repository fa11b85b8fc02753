from datetime import UTC, datetime, timedelta
from importlib import import_module

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from notifications.alerts import digest_due, send_immediate_alerts, send_weekly_digests
from notifications.models import Message, Unsubscribe
from notifications.tokens import unsubscribe_token
from participation.models import Opportunity, Profile
from projects.ladder import Level
from projects.models import ServiceArea
from tests.factories import ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def carers():
    return ServiceArea.objects.create(name="Carers", slug="carers")


@pytest.fixture
def publish(staff):
    def make(topic, *, title="Carers' breaks panel", days_ahead=10, **fields):
        now = timezone.now()
        return Opportunity.objects.create(
            title=title,
            description="Help us plan short breaks.",
            kind=Opportunity.Kind.PANEL,
            format=fields.pop("format", Opportunity.Format.ONLINE),
            topic=topic,
            starts_at=now + timedelta(days=days_ahead),
            ends_at=now + timedelta(days=days_ahead, hours=2),
            capacity=8,
            status=Opportunity.Status.PUBLISHED,
            published_at=now,
            created_by=staff,
            **fields,
        )

    return make


def person_wanting(frequency, *topics, levels=(), formats=()):
    person = UserFactory()
    profile = Profile.objects.create(
        user=person,
        alert_frequency=frequency,
        preferred_levels=list(levels),
        preferred_formats=list(formats),
    )
    profile.interests.set(topics)
    return person


# A Monday, and the time its digest is due (9am, GMT in March).
MONDAY_9AM = datetime(2026, 3, 2, 9, tzinfo=UTC)


def next_digest_run():
    """An hour after the next digest is due: the first to list what is published now."""
    due = digest_due(timezone.now())
    if due <= timezone.now():
        due += timedelta(days=7)
    return due + timedelta(hours=1)


def test_people_who_want_alerts_now_hear_about_matching_opportunities_once(
    carers, publish, after_commit
):
    keen = person_wanting("immediately", carers)
    person_wanting("immediately")  # interested in something else
    person_wanting("off", carers)
    opportunity = publish(carers)

    after_commit(send_immediate_alerts)
    after_commit(send_immediate_alerts)

    message = Message.objects.get()
    assert message.recipient == keen
    assert opportunity.title in message.subject
    assert len(mail.outbox) == 1


def test_nobody_hears_about_an_opportunity_whose_project_is_hidden(carers, publish, after_commit):
    person_wanting("immediately", carers)
    person_wanting("weekly", carers)
    opportunity = publish(carers)
    opportunity.project = ProjectFactory(is_published=False, service_area=carers)
    opportunity.save()

    after_commit(send_immediate_alerts)
    after_commit(send_weekly_digests, next_digest_run())

    assert not Message.objects.exists()


def test_the_weekly_digest_lists_the_weeks_matches_in_one_message(carers, publish):
    weekly = person_wanting("weekly", carers)
    with time_machine.travel(MONDAY_9AM - timedelta(days=2), tick=False):
        publish(carers, title="Short breaks panel")
        publish(carers, title="Respite focus group")

    send_weekly_digests(now=MONDAY_9AM)
    send_weekly_digests(now=MONDAY_9AM + timedelta(hours=1))

    message = Message.objects.get(recipient=weekly)
    assert message.kind == "weekly_digest"
    assert "Short breaks panel" in message.body_text
    assert "Respite focus group" in message.body_text


def test_residents_choose_what_they_hear_about(client, resident):
    Profile.objects.create(user=resident, contact_by="text", phone="07700 900982")
    client.force_login(resident)

    page = client.get(reverse("notifications:preferences")).content.decode()
    response = client.post(
        reverse("notifications:preferences"),
        {"alert_frequency": "weekly", "categories": ["sign_ups", "claims"]},
    )

    # How we contact them is asked once, on the contact page: this page shows it and links there.
    assert "Text message" in page
    assert reverse("participation:contact") in page
    assert response.status_code == 302
    profile = Profile.objects.get(user=resident)
    assert (profile.alert_frequency, profile.contact_by) == ("weekly", "text")
    unsubscribed = set(Unsubscribe.objects.filter(user=resident).values_list("category", flat=True))
    # New opportunities are asked about once, by how often: "weekly" keeps them on.
    assert unsubscribed == {"reminders", "updates", "surveys"}


@pytest.mark.parametrize(
    ("frequency", "has_topics", "warned"),
    [
        ("weekly", False, True),
        ("immediately", False, True),
        ("weekly", True, False),
        ("off", False, False),
    ],
)
def test_people_who_want_alerts_but_chose_no_topics_are_told_none_will_come(
    client, carers, frequency, has_topics, warned
):
    person = person_wanting(frequency, *([carers] if has_topics else []))
    client.force_login(person)

    page = client.get(reverse("notifications:preferences")).content.decode()

    warning = "You will not get any messages about new opportunities until you choose the topics"
    assert (warning in page) == warned
    assert (reverse("participation:interests") in page) == warned


def test_new_opportunities_are_asked_about_once(client, resident):
    Profile.objects.create(user=resident)
    client.force_login(resident)

    page = client.get(reverse("notifications:preferences")).content.decode()

    # Only the "how often" question: a tick-box too let "Once a week" save with it unticked.
    assert page.count("New opportunities that match your interests") == 1
    assert 'value="alerts"' not in page


def test_stopping_alerts_from_an_email_shows_as_off_on_the_profile(client, carers, publish):
    person = person_wanting("weekly", carers)
    client.force_login(person)

    client.post(reverse("notifications:unsubscribe", args=[unsubscribe_token(person.pk, "alerts")]))

    page = client.get(reverse("participation:profile")).content.decode()
    assert "Do not tell me about new opportunities" in page
    assert "Once a week, in one message" not in page


def test_choosing_alerts_again_after_stopping_them_from_an_email_turns_them_on(
    client, carers, publish
):
    person = person_wanting("immediately", carers)
    client.force_login(person)
    client.post(reverse("notifications:unsubscribe", args=[unsubscribe_token(person.pk, "alerts")]))

    client.post(reverse("notifications:preferences"), {"alert_frequency": "immediately"})
    publish(carers)
    send_immediate_alerts()

    assert Message.objects.get(recipient=person).status == Message.Status.PENDING


def test_text_messages_need_a_phone_number_and_what_was_typed_is_kept(client, resident):
    client.force_login(resident)

    response = client.post(
        reverse("participation:contact"),
        {"contact_by": "text", "phone": "not a number", "format": "easy_read"},
    )

    page = response.content.decode()
    assert "govuk-error-summary" in page
    assert "Enter a phone number, like 01632 960 001" in page
    assert 'value="not a number"' in page
    assert not Profile.objects.filter(user=resident, contact_by="text").exists()


def test_people_who_prefer_post_or_phone_go_on_the_call_list(carers, publish):
    person = person_wanting("immediately", carers)
    Profile.objects.filter(user=person).update(contact_by="post_or_phone")
    publish(carers)

    send_immediate_alerts()

    assert Message.objects.get().status == Message.Status.CALL_LIST
    assert not mail.outbox


def test_the_error_summary_links_a_radio_question_to_its_first_option(client, resident):
    client.force_login(resident)

    page = client.post(reverse("notifications:preferences"), {}).content.decode()

    assert 'href="#id_alert_frequency_1"' in page
    assert 'id="id_alert_frequency_1"' in page


def test_people_who_had_stopped_alerts_read_them_as_off_after_the_upgrade(carers):
    from django.apps import apps

    migration = import_module("notifications.migrations.0005_stopped_alerts_are_off")
    stopped = person_wanting("weekly", carers)  # "Once a week" with the tick-box unticked
    Unsubscribe.objects.create(user=stopped, category="alerts")
    keen = person_wanting("weekly", carers)

    migration.stopped_alerts_are_off(apps, None)

    assert Profile.objects.get(user=stopped).get_alert_frequency_display() == (
        "Do not tell me about new opportunities"
    )
    assert Profile.objects.get(user=keen).alert_frequency == "weekly"


# --- Levels and ways of taking part -------------------------------------------------------


def alerted(opportunity):
    return set(
        Message.objects.filter(event_key=f"opportunity:{opportunity.pk}:alert").values_list(
            "recipient", flat=True
        )
    )


def test_people_hear_only_about_opportunities_at_the_levels_they_chose(carers, publish):
    service_minded = person_wanting("immediately", carers, levels=[Level.SERVICE])
    strategic_minded = person_wanting("immediately", carers, levels=[Level.STRATEGIC])
    either = person_wanting("immediately", carers, levels=[Level.SERVICE, Level.STRATEGIC])
    any_level = person_wanting("immediately", carers)
    on_its_own = publish(carers, title="Day centre menu", level=Level.SERVICE)
    # In a project, the project's level is the opportunity's.
    in_project = publish(
        carers,
        title="Carers' strategy",
        project=ProjectFactory(service_area=carers, level=Level.STRATEGIC),
        level=Level.SERVICE,
    )
    no_level = publish(carers, title="Coffee morning")

    send_immediate_alerts()

    assert alerted(on_its_own) == {service_minded.pk, either.pk, any_level.pk}
    assert alerted(in_project) == {strategic_minded.pk, either.pk, any_level.pk}
    # It cannot be said to be at a level they chose, as the directory's level filter says.
    assert alerted(no_level) == {any_level.pk}


@pytest.mark.parametrize(
    ("held", "chosen", "told"),
    [
        ("in_person", ["in_person"], True),
        ("in_person", ["online", "phone"], False),
        ("online", ["in_person"], False),
        # A hybrid session suits people who take part either way.
        ("hybrid", ["in_person"], True),
        ("hybrid", ["online"], True),
        ("hybrid", ["phone"], False),
        # "In person or online" is happy with either.
        ("in_person", ["hybrid"], True),
        ("online", ["hybrid"], True),
        ("phone", ["hybrid"], False),
        ("phone", ["phone"], True),
        ("phone", [], True),  # nothing chosen: any way will do
    ],
)
def test_people_hear_only_about_opportunities_held_in_a_way_they_chose(
    carers, publish, held, chosen, told
):
    person = person_wanting("immediately", carers, formats=chosen)
    opportunity = publish(carers, format=held)

    send_immediate_alerts()

    assert (person.pk in alerted(opportunity)) == told


def test_the_weekly_digest_lists_only_what_suits_each_person(carers, publish):
    service_online = person_wanting("weekly", carers, levels=[Level.SERVICE])
    in_person_only = person_wanting("weekly", carers, formats=["in_person"])
    suited_by_none = person_wanting("weekly", carers, levels=[Level.INDIVIDUAL])
    with time_machine.travel(MONDAY_9AM - timedelta(days=2), tick=False):
        publish(carers, title="Day centre menu", level=Level.SERVICE, format="online")
        publish(carers, title="Carers' strategy", level=Level.STRATEGIC, format="in_person")

    send_weekly_digests(now=MONDAY_9AM)

    def digest_of(person):
        return Message.objects.get(recipient=person, kind="weekly_digest").body_text

    assert "Day centre menu" in digest_of(service_online)
    assert "Carers' strategy" not in digest_of(service_online)
    assert "Carers' strategy" in digest_of(in_person_only)
    assert "Day centre menu" not in digest_of(in_person_only)
    assert not Message.objects.filter(recipient=suited_by_none).exists()


# --- Queries ------------------------------------------------------------------------------


def _people_with_mixed_wishes(count, frequency, topic):
    for n in range(count):
        person_wanting(
            frequency,
            topic,
            levels=[[], [Level.SERVICE], [Level.STRATEGIC]][n % 3],
            formats=[[], ["online"], ["hybrid", "phone"], ["in_person"]][n % 4],
        )


def _queries(fn, *args):
    with CaptureQueriesContext(connection) as queries:
        fn(*args)
    return len(queries)


def test_alerts_take_the_same_queries_however_many_people_want_them(carers, publish):
    _people_with_mixed_wishes(3, "immediately", carers)
    publish(carers, level=Level.SERVICE)
    few = _queries(send_immediate_alerts)
    _people_with_mixed_wishes(30, "immediately", carers)
    publish(carers, level=Level.SERVICE)
    many = _queries(send_immediate_alerts)

    assert Message.objects.count() > 3
    assert few == many


def test_the_digest_takes_the_same_queries_however_many_people_want_it(carers, publish):
    _people_with_mixed_wishes(3, "weekly", carers)
    with time_machine.travel(MONDAY_9AM - timedelta(days=2), tick=False):
        publish(carers, level=Level.SERVICE)
    few = _queries(send_weekly_digests, MONDAY_9AM)
    _people_with_mixed_wishes(30, "weekly", carers)
    next_monday = MONDAY_9AM + timedelta(days=7)
    with time_machine.travel(next_monday - timedelta(days=2), tick=False):
        publish(carers, level=Level.SERVICE)
    many = _queries(send_weekly_digests, next_monday)

    assert Message.objects.filter(event_key="digest:2026-W11").count() > 3
    assert few == many
