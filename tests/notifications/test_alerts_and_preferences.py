from datetime import timedelta
from importlib import import_module

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from notifications.alerts import send_immediate_alerts, send_weekly_digests
from notifications.models import Message, Unsubscribe
from notifications.tokens import unsubscribe_token
from participation.models import Opportunity, Profile
from projects.models import ServiceArea
from tests.factories import ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def carers():
    return ServiceArea.objects.create(name="Carers", slug="carers")


@pytest.fixture
def publish(staff):
    def make(topic, *, title="Carers' breaks panel", days_ahead=10):
        now = timezone.now()
        return Opportunity.objects.create(
            title=title,
            description="Help us plan short breaks.",
            kind=Opportunity.Kind.PANEL,
            format=Opportunity.Format.ONLINE,
            topic=topic,
            starts_at=now + timedelta(days=days_ahead),
            ends_at=now + timedelta(days=days_ahead, hours=2),
            capacity=8,
            status=Opportunity.Status.PUBLISHED,
            published_at=now,
            created_by=staff,
        )

    return make


def person_wanting(frequency, *topics):
    person = UserFactory()
    profile = Profile.objects.create(user=person, alert_frequency=frequency)
    profile.interests.set(topics)
    return person


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
    after_commit(send_weekly_digests)

    assert not Message.objects.exists()


def test_the_weekly_digest_lists_the_weeks_matches_in_one_message(carers, publish):
    weekly = person_wanting("weekly", carers)
    publish(carers, title="Short breaks panel")
    publish(carers, title="Respite focus group")

    send_weekly_digests()
    send_weekly_digests()

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
