from celery import shared_task

from . import reminders, services
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
