from celery import shared_task

from . import services


@shared_task
def expire_offers():
    """Every 10 minutes: offers of a freed place not accepted in time go to the next person,
    and people still waiting for a session that has started are told no place came up.

    Idempotent: each run re-reads the offers under a lock, so a second run finds nothing; and
    each person waiting is told once (services.tell_waiting_no_place_came_up). Returns how
    many offers ran out.
    """
    expired = services.expire_offers()
    services.tell_waiting_no_place_came_up()
    return expired
