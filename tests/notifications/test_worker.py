"""Delivery through a real Celery worker and a real Redis broker (CI sets REDIS_URL)."""

import logging
import time
from contextlib import contextmanager
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core import mail

from coprod_hub.celery import app
from notifications import services
from notifications.models import Message
from notifications.tasks import deliver_messages, send_due_messages

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs a real broker: set REDIS_URL"),
]


@contextmanager
def broker(url):
    """Point the Celery app at `url` (a real broker, or a dead port) for the test."""
    saved = app.conf.task_always_eager, app.conf.broker_url
    app.conf.task_always_eager = False
    app.conf.broker_url = url
    app._pool = None  # drop pooled connections made for the old URL
    app.amqp._producer_pool = None
    try:
        yield
    finally:
        app.conf.task_always_eager, app.conf.broker_url = saved
        app._pool = None
        app.amqp._producer_pool = None


def queue(resident, key):
    services.queue_message(
        "we_said_we_did",
        recipient=resident,
        event_key=key,
        context={
            "project": SimpleNamespace(title="Respite review", get_absolute_url="/p/"),
            "update": SimpleNamespace(said="s", did="d", next_steps=""),
        },
    )


def wait_for(condition, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_a_real_worker_running_the_task_twice_sends_one_message(resident):
    from celery.contrib.testing.worker import start_worker

    with broker(settings.REDIS_URL), start_worker(app, pool="solo", perform_ping_check=False):
        queue(resident, "update:worker")  # commits, then enqueues through Redis
        message = Message.objects.get()
        deliver_messages.delay([message.pk])
        deliver_messages.delay([message.pk])

        assert wait_for(lambda: Message.objects.get().status == Message.Status.SENT)
        time.sleep(1)  # give the duplicate tasks time to run too

    assert Message.objects.get().attempts == 1
    assert len(mail.outbox) == 1


def test_messages_stay_pending_while_the_broker_is_down_and_go_after_it_returns(resident, caplog):
    # On the logger itself: what other tests leave the root logger's level at does not matter.
    caplog.set_level(logging.WARNING, logger="notifications.services")
    with broker("redis://127.0.0.1:1/0"):  # nothing listens on port 1
        queue(resident, "update:outage")

    assert "Could not reach the task broker" in caplog.text

    assert Message.objects.get().status == Message.Status.PENDING
    assert not mail.outbox

    from celery.contrib.testing.worker import start_worker

    with broker(settings.REDIS_URL), start_worker(app, pool="solo", perform_ping_check=False):
        send_due_messages.delay()
        assert wait_for(lambda: Message.objects.get().status == Message.Status.SENT)

    assert len(mail.outbox) == 1
