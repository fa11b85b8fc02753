"""Two moderators acting on one entry at the same moment end with one decision."""

import pytest

from learning import services
from learning.models import Entry, ModerationEvent
from tests.concurrency import exactly_one_refused, run_at_once

from .factories import submit

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_publish_and_reject_at_once_end_with_one_decision(moderator, another_moderator):
    entry = submit(contact_email="sharer@example.org")
    _, errors = run_at_once(
        [
            lambda: services.publish_entry(Entry.objects.get(pk=entry.pk), by=moderator),
            lambda: services.reject_entry(Entry.objects.get(pk=entry.pk), by=another_moderator),
        ]
    )
    assert exactly_one_refused(errors, services.LearningError), errors
    assert "already been dealt with" in str(errors[0])
    entry.refresh_from_db()
    decisions = ModerationEvent.objects.filter(entry=entry).exclude(action="submitted")
    assert decisions.count() == 1
    assert decisions.get().action == entry.status


def test_two_moderators_publishing_at_once_publish_once(moderator, another_moderator):
    entry = submit()
    _, errors = run_at_once(
        [
            lambda: services.publish_entry(Entry.objects.get(pk=entry.pk), by=moderator),
            lambda: services.publish_entry(Entry.objects.get(pk=entry.pk), by=another_moderator),
        ]
    )
    assert exactly_one_refused(errors, services.LearningError), errors
    assert ModerationEvent.objects.filter(entry=entry, action="published").count() == 1


def test_withdrawing_twice_at_once_withdraws_once(moderator, another_moderator):
    entry = services.publish_entry(submit(), by=moderator)
    _, errors = run_at_once(
        [
            lambda: services.withdraw_entry(
                Entry.objects.get(pk=entry.pk), by=moderator, note="First"
            ),
            lambda: services.withdraw_entry(
                Entry.objects.get(pk=entry.pk), by=another_moderator, note="Second"
            ),
        ]
    )
    assert exactly_one_refused(errors, services.LearningError), errors
    assert ModerationEvent.objects.filter(entry=entry, action="withdrawn").count() == 1
