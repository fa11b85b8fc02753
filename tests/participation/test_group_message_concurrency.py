"""A message to the group sent twice at the same moment (a double click), on PostgreSQL."""

import uuid

import pytest
from django.test import Client
from django.urls import reverse

from notifications.models import Message
from participation.models import GroupMessage
from tests.concurrency import run_at_once
from tests.factories import UserFactory

from .factories import OpportunityFactory, SignUpFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_posts_of_the_same_form_at_once_send_one_message_to_each_person():
    staff = UserFactory(roles=["staff"])
    opportunity = OpportunityFactory(created_by=staff)
    for _ in range(5):
        SignUpFactory(opportunity=opportunity)
    url = reverse("participation:message_group", args=[opportunity.pk])
    data = {
        "subject": "Parking",
        "text": "Use Mill Lane.",
        "token": str(uuid.uuid4()),
        "send": "yes",
    }

    def post():
        client = Client()  # each click is its own request, on its own connection
        client.force_login(staff)
        return client.post(url, data).status_code

    statuses, errors = run_at_once([post, post])

    assert errors == []
    assert statuses == [302, 302]
    assert GroupMessage.objects.count() == 1
    assert Message.objects.filter(kind="group_message").count() == 5
    assert Message.objects.filter(kind="group_message").values("recipient").distinct().count() == 5


def test_two_different_messages_sent_at_once_both_go():
    staff = UserFactory(roles=["staff"])
    opportunity = OpportunityFactory(created_by=staff)
    for _ in range(3):
        SignUpFactory(opportunity=opportunity)
    url = reverse("participation:message_group", args=[opportunity.pk])

    def post(subject):
        client = Client()
        client.force_login(staff)
        data = {"subject": subject, "text": "Hello.", "token": str(uuid.uuid4()), "send": "yes"}
        return client.post(url, data).status_code

    statuses, errors = run_at_once([lambda: post("First"), lambda: post("Second")])

    assert errors == []
    assert statuses == [302, 302]
    assert set(GroupMessage.objects.values_list("subject", flat=True)) == {"First", "Second"}
    assert Message.objects.filter(kind="group_message").count() == 6
