from celery import shared_task

from . import services


@shared_task
def delete_unused_receipts():
    """Daily: remove receipts uploaded on a form that was never finished."""
    return services.delete_unused_receipts()
