from celery import shared_task
from django.utils import timezone

from . import services
from .dashboard import page

# One run invites at most this many people; the next run carries on.
BATCH = 2000


@shared_task
def invite_recent_attendees():
    """Every hour: invite anyone recorded as attending whose survey is still open and who
    has no invitation yet. This catches invitations the attendance hook did not make (an
    older register, a correction, a failed call), so nothing depends on the hook alone."""
    return services.invite_recent_attendees(limit=BATCH)


@shared_task
def keep_dashboard_figures_fresh():
    """Every INSIGHT_CACHE_SECONDS: work out the dashboard's default figures ahead of time.
    First, once a quarter has ended, forget the earlier equality answers kept for it: the
    figures count the changes now (see `EqualityMonitoring`)."""
    now = timezone.now()
    services.forget_superseded_equality_answers(now=now)
    page.keep_default_figures_fresh(now=now)
