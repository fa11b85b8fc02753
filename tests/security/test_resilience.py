"""Outages survived: Redis stopped, PostgreSQL unreachable, a worker killed mid-task.

The Redis tests use a real Redis (REDIS_URL, e.g. redis://127.0.0.1:6379/9) for the part
after the outage, and a port nothing listens on for the outage itself.
"""

import json
import logging
import os
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
import redis
import time_machine
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from coprod_hub.celery import app
from coprod_hub.lib import cache as resilient
from coprod_hub.users.roles import Role
from notifications import services as outbox
from notifications.models import Broadcast, Message
from notifications.tasks import deliver_messages, resume_broadcasts, send_due_messages
from participation.models import SignUp
from payments.models import Claim
from projects.models import Update
from tests.factories import PASSWORD, UserFactory
from tests.notifications.test_worker import broker, queue, wait_for
from tests.participation import factories as participation_factories
from tests.payments import factories as payment_factories

ROOT = Path(__file__).resolve().parents[2]
DEAD = "redis://127.0.0.1:1/0"  # nothing listens on port 1

needs_redis = pytest.mark.skipif(not settings.REDIS_URL, reason="needs a real Redis: REDIS_URL")


def _cache_settings(location):
    return {
        "default": {
            "BACKEND": "coprod_hub.lib.cache.ResilientRedisCache",
            "LOCATION": location,
            "KEY_PREFIX": "hub-resilience-test",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }


@contextmanager
def redis_stopped():
    """The cache and the Celery broker both pointing at a Redis that is not there."""
    resilient._paused_until.clear()
    with override_settings(CACHES=_cache_settings(DEAD)), broker(DEAD):
        yield
    resilient._paused_until.clear()


def sign_in(person) -> Client:
    """Through the real sign-in form, so allauth's rate limits use the cache."""
    client = Client()
    response = client.post(reverse("account_login"), {"login": person.email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


# --- The cache backend on its own ----------------------------------------------------------------


def test_djangos_own_redis_cache_fails_when_redis_is_stopped():
    """Why the hub has its own backend: this is what sign-in used to run into."""
    with (
        override_settings(
            CACHES={
                "default": {
                    **_cache_settings(DEAD)["default"],
                    "BACKEND": "django.core.cache.backends.redis.RedisCache",
                }
            }
        ),
        pytest.raises(redis.exceptions.ConnectionError),
    ):
        cache.get("anything")


def test_the_resilient_cache_answers_as_if_empty_while_redis_is_stopped(caplog):
    with redis_stopped(), caplog.at_level(logging.WARNING, logger="coprod_hub.lib.cache"):
        assert cache.get("missing", "default") == "default"
        assert cache.add("lock", 1) is True  # "stored": locks and counters fail open
        assert cache.incr("counter", 3) == 3
        assert cache.set("key", "value") is None
        assert cache.get_many(["a", "b"]) == {}
        assert cache.has_key("key") is False
        assert cache.delete("key") is False
        assert cache.set_many({"a": 1}) == ["a"]  # the keys that were not stored

    # One warning for the outage, not one per call.
    warnings = [r for r in caplog.records if "Redis cache unavailable" in r.getMessage()]
    assert len(warnings) == 1


def test_it_stops_trying_redis_for_a_few_seconds_after_a_failure(monkeypatch):
    attempts = []
    original = resilient.RedisCache.get

    def counting_get(self, *args, **kwargs):
        attempts.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(resilient.RedisCache, "get", counting_get)
    with redis_stopped():
        for _ in range(5):
            cache.get("key")
        assert len(attempts) == 1  # the other four did not wait on a dead socket

        resilient._paused_until[DEAD] = time.monotonic() - 1  # the pause is over
        cache.get("key")
        assert len(attempts) == 2  # tried again once the pause was over


@needs_redis
def test_the_resilient_cache_is_a_normal_cache_while_redis_is_up():
    with override_settings(CACHES=_cache_settings(settings.REDIS_URL)):
        cache.delete("greeting")
        assert cache.add("greeting", "hello", 30) is True
        assert cache.add("greeting", "again", 30) is False
        assert cache.get("greeting") == "hello"
        cache.set("count", 1, 30)
        assert cache.incr("count") == 2
        cache.delete_many(["greeting", "count"])


# --- Redis stopped: the hub keeps working, and nothing is lost ----------------------------------


@pytest.fixture
def world(db):
    """A published opportunity; a claim ready to send; a project whose update has readers."""
    resident = UserFactory(display_name="Rita Resident", roles=[Role.RESIDENT])
    staff = UserFactory(display_name="Sam Staff", roles=[Role.STAFF])
    opportunity = participation_factories.OpportunityFactory(created_by=staff)
    payment_factories.make_policy()
    attended = payment_factories.SignUpFactory(
        resident=resident,
        opportunity__project__owner=staff,
        opportunity__project__is_published=True,  # its updates go out straight away
    )
    project = attended.opportunity.project
    from payments import services as payments

    claim = payments.start_claim(attended, by=resident)
    payments.update_claim_details(
        claim,
        by=resident,
        payment_method=Claim.PaymentMethod.BANK_TRANSFER,
        employed_by_partner=False,
        not_part_of_paid_job=False,
    )
    return {
        "resident": resident,
        "staff": staff,
        "opportunity": opportunity,
        "claim": claim,
        "project": project,
    }


@needs_redis
@pytest.mark.django_db(transaction=True)
def test_with_redis_stopped_people_still_sign_in_sign_up_claim_and_post_updates(world, caplog):
    resident, staff = world["resident"], world["staff"]

    with redis_stopped(), caplog.at_level(logging.WARNING):
        as_resident = sign_in(resident)
        as_staff = sign_in(staff)

        signed_up = as_resident.post(
            reverse("participation:sign_up", args=[world["opportunity"].pk]),
            {"access_needs_note": ""},
        )
        sent = as_resident.post(
            reverse("payments:submit", args=[world["claim"].pk]), {"acknowledged": "on"}
        )
        posted = as_staff.post(
            reverse("projects:update_create", args=[world["project"].slug]),
            {
                "said": "The letters are hard to read.",
                "did": "We rewrote them with you.",
                "send": "yes",
            },
        )

    assert signed_up.status_code == 302
    assert sent.status_code == 302
    assert posted.status_code == 302
    assert SignUp.objects.get(opportunity=world["opportunity"], resident=resident)
    assert Claim.objects.get(pk=world["claim"].pk).status == Claim.Status.SUBMITTED
    assert Update.objects.get(project=world["project"])
    assert "Redis cache unavailable" in caplog.text
    assert "Could not reach the task broker" in caplog.text

    # Nothing was sent, and nothing was lost: the messages wait in the outbox, and the
    # update's broadcast waits to be written.
    waiting = Message.objects.all()
    assert {m.kind for m in waiting} >= {"signup_confirmed", "claim_submitted"}
    assert all(m.status == Message.Status.PENDING for m in waiting)
    assert Broadcast.objects.get().finished_at is None
    assert not mail.outbox

    from celery.contrib.testing.worker import start_worker

    with broker(settings.REDIS_URL), start_worker(app, pool="solo", perform_ping_check=False):
        resume_broadcasts.delay()
        send_due_messages.delay()
        assert wait_for(
            lambda: (
                Broadcast.objects.get().finished_at is not None
                and not Message.objects.exclude(status=Message.Status.SENT).exists()
            )
        )

    # Everyone heard once: the resident about the place and the claim (and, having
    # attended the project's session, about the update).
    to_resident = sorted(m.kind for m in Message.objects.filter(recipient=resident))
    assert to_resident == sorted(["signup_confirmed", "claim_submitted", "we_said_we_did"])
    assert len(mail.outbox) == Message.objects.count()


# --- PostgreSQL unreachable: a friendly 503, and /health/ says why ------------------------------

PROBE = """
import json, django
django.setup()
from django.test import Client

def visit(client, method, path, **data):
    response = getattr(client, method)(path, data, secure=True)
    return {
        "status": response.status_code,
        "body": response.content.decode(),
        "retry_after": response.get("Retry-After"),
    }

visitor = Client(raise_request_exception=False)
signed_in = Client(raise_request_exception=False)
signed_in.cookies["sessionid"] = "a" * 32  # loading the session needs the database
results = {
    "home": visit(visitor, "get", "/"),
    "directory": visit(visitor, "get", "/opportunities/"),
    "projects": visit(visitor, "get", "/projects/"),
    "guide": visit(visitor, "get", "/guide/"),
    "feed": visit(visitor, "get", "/updates/feed/"),
    "sign in": visit(visitor, "post", "/accounts/login/", login="rita@example.org", password="x"),
    "signed-in page": visit(signed_in, "get", "/claims/"),
    "signed-in home": visit(signed_in, "get", "/"),
    "health": visit(visitor, "get", "/health/"),
}
print(json.dumps(results))
"""


def test_with_the_database_unreachable_pages_say_sorry_and_health_says_why():
    """A real connection to a closed port, in production settings: no mocks."""
    environment = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "x" * 60,
        "ALLOWED_HOSTS": "testserver",
        "DATABASE_URL": "postgres://hub@127.0.0.1:1/hub",  # nothing listens on port 1
        "DB_CONNECT_TIMEOUT": "1",
        "STATIC_MANIFEST": "0",
        "DJANGO_SETTINGS_MODULE": "coprod_hub.settings",
    }
    environment.pop("REDIS_URL", None)
    result = subprocess.run(  # noqa: S603 - our own code with a fixed script
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    pages = json.loads(result.stdout.strip().splitlines()[-1])

    # The home page needs no database, so it still works for visitors.
    assert pages.pop("home")["status"] == 200
    health = pages.pop("health")
    for name, page in pages.items():
        assert page["status"] == 503, (name, page["status"], page["body"][:300])
        assert "Sorry, the service is unavailable" in page["body"]
        assert page["retry_after"] == "60"
    assert health["status"] == 503
    assert json.loads(health["body"]) == {
        "status": "unavailable",
        "checks": {
            "database": {"ok": False, "detail": "unreachable: OperationalError"},
            "redis": {"ok": True, "detail": "not configured (tasks run in-process)"},
        },
    }


# --- A worker killed mid-task loses nothing -----------------------------------------------------


def test_tasks_are_acknowledged_only_when_done():
    """A worker killed mid-task leaves the task on the queue for another worker."""
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
    assert deliver_messages.acks_late is True


@pytest.mark.django_db
def test_a_message_left_sending_by_a_killed_worker_is_sent_once_by_the_sweep(resident):
    queue(resident, "update:killed-worker")
    message = Message.objects.get()
    started = timezone.now()
    # A worker takes the message (the conditional update) and is killed before sending.
    assert outbox._claim(message.pk, started)
    assert Message.objects.get().status == Message.Status.SENDING

    # While its lease runs, the sweep leaves it alone: that worker might still finish.
    assert send_due_messages() == 0
    assert not mail.outbox

    # Once the lease has run out, the sweep sends it; running the sweep again (or a
    # duplicate task arriving late) sends nothing more.
    with time_machine.travel(started + outbox.LEASE + timedelta(seconds=1)):
        assert send_due_messages() == 1
        assert send_due_messages() == 0
        deliver_messages(message_ids=[message.pk])

    sent = Message.objects.get()
    assert sent.status == Message.Status.SENT
    assert sent.attempts == 2  # the killed try and the sweep's
    assert len(mail.outbox) == 1
