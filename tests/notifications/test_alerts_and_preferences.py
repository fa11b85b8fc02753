from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from notifications.alerts import send_immediate_alerts, send_weekly_digests
from notifications.models import Message, Unsubscribe
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
    assert unsubscribed == {"reminders", "updates", "alerts", "surveys"}


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
