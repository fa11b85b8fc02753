"""Every periodic notifications task is on the beat schedule, under its real name."""

import pytest
from celery.schedules import crontab

from notifications import tasks

PERIODIC = [
    tasks.send_due_messages,
    tasks.send_due_reminders,
    tasks.send_new_opportunity_alerts,
    tasks.send_weekly_digests,
    tasks.resume_broadcasts,
    tasks.prompt_for_overdue_updates,
    tasks.prompt_moderators,
    tasks.prompt_for_registers,
    tasks.prompt_commissioners_about_claims,
]


@pytest.mark.parametrize("task", PERIODIC, ids=lambda task: task.name)
def test_each_periodic_task_is_on_the_beat_schedule(settings, task):
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert task.name in scheduled


def test_the_weekly_digest_is_tried_every_hour_so_a_missed_monday_is_made_up(settings):
    (entry,) = [
        entry
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == tasks.send_weekly_digests.name
    ]

    assert entry["schedule"] == crontab(minute=0)


def _schedule_of(settings, task):
    (entry,) = [
        entry for entry in settings.CELERY_BEAT_SCHEDULE.values() if entry["task"] == task.name
    ]
    return entry["schedule"]


def test_registers_are_asked_for_every_day(settings):
    schedule = _schedule_of(settings, tasks.prompt_for_registers)

    assert schedule.day_of_week == set(range(7))
    assert len(schedule.hour) == 1 and len(schedule.minute) == 1  # once a day


def test_commissioners_hear_about_claims_on_weekdays_only(settings):
    schedule = _schedule_of(settings, tasks.prompt_commissioners_about_claims)

    assert schedule.day_of_week == {1, 2, 3, 4, 5}  # Monday to Friday
    assert len(schedule.hour) == 1 and len(schedule.minute) == 1  # once a day
