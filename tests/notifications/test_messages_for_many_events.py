"""One message per person about their own event (a register saved for a whole group), written
in a few queries: the same rows, and the same delivery, as one `queue_message` per person."""

from types import SimpleNamespace
from unittest import mock

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from notifications import services
from notifications.kinds import category_for
from notifications.models import Message, Unsubscribe
from participation.models import Profile
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

KIND = "we_said_we_did"
COMPARED = ["kind", "category", "event_key", "recipient_id", "channel", "to_address"]
COMPARED += ["subject", "body_text", "attachments", "status"]


def _context(n):
    return {
        "project": SimpleNamespace(title=f"Project {n}", get_absolute_url=f"/projects/{n}/"),
        "update": SimpleNamespace(said="More evening sessions", did="We added two", next_steps=""),
    }


def _people():
    """Someone with nothing special, on the call list, in easy read, unsubscribed, and with
    no email address."""
    plain, posted, easy, stopped, no_email = (UserFactory() for _ in range(5))
    Profile.objects.create(user=posted, contact_by=Profile.ContactBy.POST_OR_PHONE)
    Profile.objects.create(user=easy, format=Profile.InformationFormat.EASY_READ)
    Unsubscribe.objects.create(user=stopped, category=category_for(KIND))
    no_email.email = ""
    no_email.save()
    return [plain, posted, easy, stopped, no_email]


def _events(people):
    return [(p, f"update:{n}:person", _context(n)) for n, p in enumerate(people)]


def _rows():
    return sorted(Message.objects.values_list(*COMPARED))


def test_it_writes_the_rows_queue_message_writes_for_each():
    events = _events(_people())
    with transaction.atomic():
        for recipient, event_key, context in events:
            services.queue_message(KIND, recipient=recipient, event_key=event_key, context=context)
        one_at_a_time = _rows()
        transaction.set_rollback(True)

    services.queue_messages_for_events(KIND, events=events)

    assert _rows() == one_at_a_time
    assert len({row[-1] for row in one_at_a_time}) > 2  # several outcomes compared


def test_it_costs_the_same_queries_for_any_number_of_people():
    few, many = (
        _events([UserFactory() for _ in range(3)]),
        _events([UserFactory() for _ in range(30)]),
    )
    counts = []
    for events in (few, many):
        with CaptureQueriesContext(connection) as queries:
            services.queue_messages_for_events(KIND, events=events)
        counts.append(len(queries))

    assert counts == [3, 3]


def test_the_same_events_again_add_nothing():
    events = _events([UserFactory() for _ in range(3)])

    services.queue_messages_for_events(KIND, events=events)
    services.queue_messages_for_events(KIND, events=events)

    assert Message.objects.count() == 3


def test_only_this_batchs_own_messages_are_handed_for_delivery(
    django_capture_on_commit_callbacks,
):
    ann, bob = UserFactory(), UserFactory()
    # Waiting already: one event's key with the other person, which this batch is not about.
    services.queue_message(KIND, recipient=bob, event_key="update:1:ann", context=_context(1))
    elsewhere = Message.objects.get()

    with (
        mock.patch.object(services, "enqueue_delivery") as enqueue,
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.queue_messages_for_events(
            KIND,
            events=[(ann, "update:1:ann", _context(1)), (bob, "update:1:bob", _context(1))],
        )

    (ids,) = enqueue.call_args.args
    assert sorted(ids) == sorted(
        Message.objects.exclude(pk=elsewhere.pk).values_list("pk", flat=True)
    )
    assert len(ids) == 2
