"""The weekly digest is due at 9am (UK time) on Monday, and its task runs every hour: a
Monday missed while the scheduler or worker was down is made up later that week, and
nobody gets two in a week."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from notifications.alerts import send_weekly_digests
from notifications.models import Message
from participation.models import Opportunity, Profile
from projects.models import ServiceArea
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def utc(*args):
    return datetime(*args, tzinfo=UTC)


# Monday 2 March 2026, 9am GMT; Monday 1 June 2026, 9am BST (8am UTC).
MONDAY = utc(2026, 3, 2, 9)
SUMMER_MONDAY = utc(2026, 6, 1, 8)


@pytest.fixture
def carers():
    return ServiceArea.objects.create(name="Carers", slug="carers")


@pytest.fixture
def weekly(carers):
    person = UserFactory()
    Profile.objects.create(user=person, alert_frequency="weekly").interests.set([carers])
    return person


@pytest.fixture
def publish(staff, carers):
    def make(title, *, at):
        with time_machine.travel(at, tick=False):
            return Opportunity.objects.create(
                title=title,
                description="Help us plan short breaks.",
                kind=Opportunity.Kind.PANEL,
                format=Opportunity.Format.ONLINE,
                topic=carers,
                starts_at=at + timedelta(days=20),
                ends_at=at + timedelta(days=20, hours=2),
                capacity=8,
                status=Opportunity.Status.PUBLISHED,
                published_at=timezone.now(),
                created_by=staff,
            )

    return make


def run_at(moment, after_commit):
    with time_machine.travel(moment, tick=False):
        after_commit(send_weekly_digests)


def digests_to(person):
    return list(
        Message.objects.filter(recipient=person, kind="weekly_digest").values_list(
            "event_key", flat=True
        )
    )


def test_running_every_hour_sends_one_digest_a_week(weekly, publish, after_commit):
    publish("Short breaks panel", at=MONDAY - timedelta(days=3))

    for hours in range(0, 24 * 7, 1):
        run_at(MONDAY + timedelta(hours=hours), after_commit)

    assert digests_to(weekly) == ["digest:2026-W10"]
    assert len(mail.outbox) == 1
    assert "Short breaks panel" in mail.outbox[0].body


def test_a_monday_nobody_ran_is_made_up_on_the_wednesday(weekly, publish, after_commit):
    publish("Short breaks panel", at=MONDAY - timedelta(days=3))

    # Beat or the worker was down all Monday: the first run is on Wednesday afternoon.
    run_at(MONDAY + timedelta(days=2, hours=5), after_commit)
    run_at(MONDAY + timedelta(days=2, hours=6), after_commit)

    assert digests_to(weekly) == ["digest:2026-W10"]
    assert len(mail.outbox) == 1
    assert "Short breaks panel" in mail.outbox[0].body


def test_nothing_goes_before_9am_uk_time_on_monday(weekly, publish, after_commit):
    publish("Short breaks panel", at=SUMMER_MONDAY - timedelta(days=3))

    run_at(SUMMER_MONDAY - timedelta(minutes=1), after_commit)  # 8:59am BST
    assert not mail.outbox

    run_at(SUMMER_MONDAY, after_commit)  # 9am BST
    assert len(mail.outbox) == 1


def test_a_late_digest_does_not_list_what_the_next_one_will(weekly, publish, after_commit):
    publish("Short breaks panel", at=MONDAY - timedelta(days=3))
    publish("Respite focus group", at=MONDAY + timedelta(days=1))  # after this week's was due

    run_at(MONDAY + timedelta(days=2), after_commit)
    run_at(MONDAY + timedelta(days=7), after_commit)

    late, next_week = (message.body for message in mail.outbox)
    assert "Short breaks panel" in late and "Respite focus group" not in late
    assert "Respite focus group" in next_week and "Short breaks panel" not in next_week
    assert digests_to(weekly) == ["digest:2026-W11", "digest:2026-W10"]
