"""Prompts for staff: close the loop with participants, and keep the moderation queue moving."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone

from coprod_hub.users.roles import Role

from .services import queue_message, queue_messages

UPDATE_DUE_AFTER = timedelta(weeks=6)
# Sessions older than this are not chased any more (the staff overview still flags them).
STOP_CHASING_AFTER = timedelta(weeks=12)


def prompt_for_overdue_updates(now=None) -> int:
    """Project owners whose session ended 6+ weeks ago with no "we said, we did" since."""
    from participation.models import Opportunity
    from projects.models import Update

    now = now or timezone.now()
    latest_update = (
        Update.objects.filter(project=OuterRef("project_id"))
        .order_by("-posted_at")
        .values("posted_at")[:1]
    )
    sessions = (
        Opportunity.objects.filter(
            project__isnull=False,
            ends_at__lte=now - UPDATE_DUE_AFTER,
            ends_at__gt=now - STOP_CHASING_AFTER,
            signups__attendance="attended",
        )
        .annotate(latest_update=Subquery(latest_update))
        .filter(Q(latest_update__isnull=True) | Q(latest_update__lt=F("ends_at")))
        .select_related("project__owner")
        .order_by("project_id", "-ends_at")
        .distinct()
    )
    prompted = set()
    for session in sessions:
        if session.project_id in prompted:
            continue  # one prompt per project: about its most recent session
        prompted.add(session.project_id)
        with transaction.atomic():
            queue_message(
                "staff_update_overdue",
                recipient=session.project.owner,
                event_key=f"update-overdue:{session.project_id}:{session.pk}",
                context={"project": session.project, "session_date": session.ends_at},
            )
    return len(prompted)


def prompt_moderators(now=None) -> int:
    """Once a day at most: tell moderators when entries have waited over 5 working days."""
    from learning.models import Entry

    now = now or timezone.now()
    overdue = Entry.objects.overdue_for_moderation(now)
    count = overdue.count()
    if not count:
        return 0
    oldest = overdue.oldest_submitted_first().values_list("submitted_at", flat=True).first()
    moderators = get_user_model().objects.filter(
        Q(groups__name=Role.MODERATOR) | Q(is_superuser=True), is_active=True
    )
    with transaction.atomic():
        return queue_messages(
            "moderation_overdue",
            recipients=moderators.distinct().select_related("profile"),
            event_key=f"moderation-overdue:{timezone.localdate(now).isoformat()}",
            context={"count": count, "oldest": oldest},
        )
