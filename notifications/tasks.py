from celery import shared_task
from django.utils import timezone

from coprod_hub.lib.working_days import is_working_day

from . import alerts, broadcasts, prompts, reminders, services
from .models import Message


@shared_task(acks_late=True)
def deliver_messages(message_ids):
    for message_id in message_ids:
        services.deliver_message(message_id)


@shared_task
def send_due_messages():
    """Every minute: deliver what is pending (after a broker outage, or a retry's backoff)."""
    due = Message.objects.due().order_by("next_attempt_at").values_list("pk", flat=True)
    ids = list(due[:2000])  # bounded so one run finishes well within a minute
    for message_id in ids:
        services.deliver_message(message_id)
    return len(ids)


@shared_task
def send_due_reminders():
    """Every 15 minutes: reminders two days before and on the morning of each session."""
    return reminders.send_due_reminders()


@shared_task
def send_new_opportunity_alerts():
    return alerts.send_immediate_alerts()


@shared_task
def send_weekly_digests():
    """Every hour: this week's digest to anyone who has not had it, from Monday 9am (UK time)
    on, so a Monday the worker or scheduler missed is made up later that week."""
    return alerts.send_weekly_digests()


@shared_task(acks_late=True)
def run_broadcast(broadcast_id):
    return broadcasts.run_broadcast(broadcast_id)


@shared_task
def resume_broadcasts():
    """Every few minutes: finish any broadcast a worker left half-way (or never started)."""
    return broadcasts.resume_unfinished()


@shared_task
def prompt_for_overdue_updates():
    return prompts.prompt_for_overdue_updates()


def _staff_are_in() -> bool:
    """Beat runs the staff prompts below on weekdays (CELERY_BEAT_SCHEDULE), and cannot know
    bank holidays or the council's closure days: on those nobody is in to act on a prompt, and
    the next working day's would repeat it."""
    return is_working_day(timezone.localdate())


@shared_task
def prompt_moderators():
    if not _staff_are_in():
        return 0
    return prompts.prompt_moderators()


@shared_task
def prompt_for_registers():
    return prompts.prompt_for_registers()


@shared_task
def prompt_commissioners_about_claims():
    if not _staff_are_in():
        return 0
    return prompts.prompt_commissioners_about_claims()
