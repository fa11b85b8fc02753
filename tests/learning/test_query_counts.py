"""The guide and the moderation queue use the same number of queries for 10 or 200 entries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from learning.models import Entry, Finding

from .factories import EntryFactory, PublishedEntryFactory

pytestmark = pytest.mark.django_db


def _published(n):
    PublishedEntryFactory.create_batch(n, topic="payment", principle="reciprocity")


def _waiting(n):
    for entry in EntryFactory.create_batch(n, title="Call Jean Watson"):
        Finding.objects.create(
            entry=entry, field="title", kind="name", start=5, end=16, snippet="Jean Watson"
        )


def _count(client, url, params=None):
    client.get(url, params)  # warm up caches (known names, sessions) once
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params).status_code == 200
    return len(queries)


@pytest.mark.parametrize("params", [None, {"q": "meetings"}, {"topic": "payment"}])
def test_the_guide_queries_do_not_grow_with_entries(client, params):
    _published(10)
    few = _count(client, reverse("learning:list"), params)
    _published(190)
    assert Entry.objects.published().count() == 200
    many = _count(client, reverse("learning:list"), params)
    assert few == many, (few, many)
    assert many <= 4


def test_an_entry_page_queries_do_not_grow_with_related_entries(client):
    entry = PublishedEntryFactory(topic="payment", principle="reciprocity")
    _published(10)
    few = _count(client, entry.get_absolute_url())
    _published(190)
    assert few == _count(client, entry.get_absolute_url())


def test_the_moderation_queue_queries_do_not_grow_with_entries(client, moderator):
    client.force_login(moderator)
    _waiting(10)
    few = _count(client, reverse("learning:moderation"))
    _waiting(190)
    many = _count(client, reverse("learning:moderation"))
    assert few == many, (few, many)


def test_the_published_tab_queries_do_not_grow_with_entries(client, moderator):
    client.force_login(moderator)
    _published(10)
    few = _count(client, reverse("learning:moderation"), {"status": "published"})
    _published(190)
    assert few == _count(client, reverse("learning:moderation"), {"status": "published"})
