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
