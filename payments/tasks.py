from celery import shared_task

from . import reminders, services


@shared_task
def delete_unused_receipts():
    """Daily: remove receipts uploaded on a form that was never finished."""
    return services.delete_unused_receipts()


@shared_task
def remind_about_returned_claims():
    """Daily: remind people of a claim we returned two or six weeks ago, not sent again."""
    return reminders.remind_about_returned_claims()
