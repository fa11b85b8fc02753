from celery import shared_task

from . import reminders, services
from .services import deciders


@shared_task
def delete_unused_receipts():
    """Daily: remove receipts uploaded on a form that was never finished."""
    return services.delete_unused_receipts()


@shared_task
def remind_about_returned_claims():
    """Daily: remind people of a claim we returned two or six weeks ago, not sent again."""
    return reminders.remind_about_returned_claims()


@shared_task
def tell_of_claims_nobody_may_decide():
    """Hourly: tell the administrators of sent claims no commissioner may decide, where the
    check after sending (or after a conflict of interest) was lost (services.deciders)."""
    return deciders.tell_of_every_claim_nobody_may_decide()
