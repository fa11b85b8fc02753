"""Two moderators acting on one entry at the same moment end with one decision."""

import threading

import pytest
from django.db import connection

from learning import services
from learning.models import Entry, ModerationEvent

from .factories import submit

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(*actions):
    """Run the actions in threads released together; return what each raised (or None)."""
    barrier = threading.Barrier(len(actions))
    outcomes = [None] * len(actions)

    def run(index, action):
        try:
            barrier.wait()
            action()
        except services.LearningError as error:
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_publish_and_reject_at_once_end_with_one_decision(moderator, another_moderator):
    entry = submit(contact_email="sharer@example.org")
    outcomes = _race(
        lambda: services.publish_entry(Entry.objects.get(pk=entry.pk), by=moderator),
        lambda: services.reject_entry(Entry.objects.get(pk=entry.pk), by=another_moderator),
    )
    assert sum(outcome is None for outcome in outcomes) == 1
    loser = next(outcome for outcome in outcomes if outcome is not None)
    assert "already been dealt with" in str(loser)
    entry.refresh_from_db()
    decisions = ModerationEvent.objects.filter(entry=entry).exclude(action="submitted")
    assert decisions.count() == 1
    assert decisions.get().action == entry.status


def test_two_moderators_publishing_at_once_publish_once(moderator, another_moderator):
    entry = submit()
    outcomes = _race(
        lambda: services.publish_entry(Entry.objects.get(pk=entry.pk), by=moderator),
        lambda: services.publish_entry(Entry.objects.get(pk=entry.pk), by=another_moderator),
    )
    assert sum(outcome is None for outcome in outcomes) == 1
    assert ModerationEvent.objects.filter(entry=entry, action="published").count() == 1


def test_withdrawing_twice_at_once_withdraws_once(moderator, another_moderator):
    entry = services.publish_entry(submit(), by=moderator)
    outcomes = _race(
        lambda: services.withdraw_entry(Entry.objects.get(pk=entry.pk), by=moderator, note="First"),
        lambda: services.withdraw_entry(
            Entry.objects.get(pk=entry.pk), by=another_moderator, note="Second"
        ),
    )
    assert sum(outcome is None for outcome in outcomes) == 1
    assert ModerationEvent.objects.filter(entry=entry, action="withdrawn").count() == 1
