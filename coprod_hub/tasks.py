"""Nightly retention tasks (coprod_hub.retention). Scheduled in settings.CELERY_BEAT_SCHEDULE."""

from celery import shared_task

from . import retention


@shared_task
def delete_unconfirmed_accounts():
    return retention.delete_unconfirmed_accounts()


@shared_task
def blank_old_message_bodies():
    return retention.blank_old_message_bodies()


@shared_task
def purge_expired_financial_records():
    return retention.purge_expired_financial_records()


@shared_task
def forget_session_access_needs():
    return retention.forget_session_access_needs()


@shared_task
def clear_expired_sessions():
    return retention.clear_expired_sessions()
