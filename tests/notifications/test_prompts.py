from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from notifications.models import Message
from notifications.prompts import prompt_for_overdue_updates, prompt_moderators
from participation.models import SignUp
from tests.learning.factories import EntryFactory
from tests.projects.factories import ProjectFactory, UpdateFactory, make_opportunity

pytestmark = pytest.mark.django_db


def attended_session(project, *, weeks_ago):
    session = make_opportunity(project, days_ahead=-7 * weeks_ago, status="closed")
    SignUp.objects.create(
        opportunity=session,
        resident=project.owner,
        status=SignUp.Status.BOOKED,
        attendance=SignUp.Attendance.ATTENDED,
    )
    return session


def test_owners_are_prompted_once_when_no_update_follows_a_session_for_six_weeks():
    project = ProjectFactory()
    attended_session(project, weeks_ago=7)
    quiet = ProjectFactory()
    attended_session(quiet, weeks_ago=3)  # not six weeks yet

    prompt_for_overdue_updates()
    prompt_for_overdue_updates()

    message = Message.objects.get(kind="staff_update_overdue")
    assert message.recipient == project.owner
    assert project.title in message.subject


def test_an_update_after_the_session_stops_the_prompt():
    project = ProjectFactory()
    session = attended_session(project, weeks_ago=7)
    UpdateFactory(project=project, posted_at=session.ends_at + timedelta(days=3))

    prompt_for_overdue_updates()

    assert not Message.objects.filter(kind="staff_update_overdue").exists()


def test_moderators_hear_when_entries_wait_more_than_five_working_days(moderator):
    with time_machine.travel(timezone.now() - timedelta(days=10)):
        EntryFactory()
    EntryFactory()  # shared today: not overdue

    prompt_moderators()
    prompt_moderators()  # once a day at most

    message = Message.objects.get(kind="moderation_overdue")
    assert message.recipient == moderator
    assert "1 practice guide entry is waiting" in message.body_text


def test_moderators_hear_nothing_when_the_queue_is_fresh(moderator):
    EntryFactory()

    assert prompt_moderators() == 0
    assert not Message.objects.exists()
