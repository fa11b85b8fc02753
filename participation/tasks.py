from celery import shared_task

from . import services


@shared_task
def expire_offers():
    """Every 10 minutes: offers of a freed place not accepted in time go to the next person.

    Idempotent: each run re-reads the offers under a lock, so a second run finds nothing.
    """
    return services.expire_offers()
