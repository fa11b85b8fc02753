"""A session standing alone needs a topic of its own: people hear of new sessions through the
topics they follow, so one without a topic would reach nobody's alerts or weekly digest."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from notifications.alerts import send_weekly_digests
from notifications.models import Message
from participation import services
from participation.models import Opportunity, Profile
from projects.models import ServiceArea

from .factories import OpportunityFactory, ProjectFactory
from .test_staff_pages import form_data, url

pytestmark = pytest.mark.django_db

TOPIC_NEEDED = "Choose a topic, so people who follow it hear about this session"


def test_a_session_standing_alone_is_not_saved_without_a_topic(client, staff):
    client.force_login(staff)

    response = client.post(reverse("participation:create"), form_data(topic=None, title="Cuppa"))

    assert response.status_code == 200
    assert f'<a href="#id_topic">{TOPIC_NEEDED}</a>' in response.text  # the error summary
    assert 'aria-describedby="id_topic_hint id_topic_1_error"' in response.text
    assert 'value="Cuppa"' in response.text  # nothing typed is lost
    assert not Opportunity.objects.exists()


def test_a_session_in_a_project_takes_the_projects_topic_when_none_is_chosen(client, staff):
    project = ProjectFactory(owner=staff)
    client.force_login(staff)

    response = client.post(
        reverse("participation:create"), form_data(project=project.pk, topic=None)
    )

    assert response.status_code == 302
    assert Opportunity.objects.get().topic == project.service_area


def test_the_empty_topic_choice_makes_sense_with_or_without_a_project(client, staff):
    client.force_login(staff)

    page = client.get(reverse("participation:create")).text

    assert "Same as the project" not in page
    assert '<option value="" selected>Choose a topic</option>' in page
    assert "Topic (needed if there is no project)" in page


def test_a_draft_standing_alone_from_before_topics_were_needed_is_not_published_without_one(
    client, staff
):
    draft = OpportunityFactory(created_by=staff, status=Opportunity.Status.DRAFT, topic=None)
    client.force_login(staff)

    response = client.post(url("publish", draft), follow=True)

    assert TOPIC_NEEDED in response.text
    draft.refresh_from_db()
    assert draft.status == Opportunity.Status.DRAFT
    with pytest.raises(services.ParticipationError, match=TOPIC_NEEDED):
        services.update_opportunity(draft, by=staff, title="Cuppa and chat")


def test_the_weekly_digest_by_text_links_to_the_topics_of_the_sessions_it_lists(settings, staff):
    settings.NOTIFY_API_KEY = "test-key"
    settings.NOTIFY_EMAIL_TEMPLATE_ID = "email-template"
    settings.NOTIFY_SMS_TEMPLATE_ID = "sms-template"
    carers, housing, older = (
        ServiceArea.objects.create(name=name, slug=name.lower().replace(" ", "-"))
        for name in ("Carers", "Housing", "Older people")
    )
    person = Profile.objects.create(
        user=staff, alert_frequency="weekly", contact_by=Profile.ContactBy.TEXT, phone="07700900456"
    )
    person.interests.set([carers, housing, older])
    monday = datetime(2026, 3, 2, 9, tzinfo=UTC)
    for topic in (carers, older):
        OpportunityFactory(
            topic=topic,
            published_at=monday - timedelta(days=2),
            starts_at=monday + timedelta(days=10),
        )

    with time_machine.travel(monday + timedelta(hours=1), tick=False):
        send_weekly_digests(now=timezone.now())

    text = Message.objects.get(kind="weekly_digest", recipient=staff)
    assert text.channel == Message.Channel.SMS
    assert "/opportunities/?topic=carers&topic=older-people" in text.body_text
