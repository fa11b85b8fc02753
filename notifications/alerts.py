"""New-opportunity alerts for residents who asked for them, matched on their interests.

People choose (on their profile) to hear straight away or once a week. A periodic task does
the matching, so publishing an opportunity never waits for hundreds of messages to be
written, and a task that runs twice adds nothing (each alert and digest has its own key).
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import AlertedOpportunity
from .services import queue_message, queue_messages

LOOK_BACK = timedelta(days=2)  # opportunities published before this are not news any more


def _topic_id(opportunity):
    if opportunity.topic_id:
        return opportunity.topic_id
    return opportunity.project.service_area_id if opportunity.project_id else None


def _people_wanting(frequency):
    return (
        get_user_model()
        .objects.filter(is_active=True, profile__alert_frequency=frequency)
        .select_related("profile")
    )


def send_immediate_alerts(now=None) -> int:
    from participation.models import Opportunity

    now = now or timezone.now()
    fresh = (
        Opportunity.objects.filter(
            status=Opportunity.Status.PUBLISHED,
            published_at__gte=now - LOOK_BACK,
            starts_at__gt=now,
        )
        .on_public_projects()
        .exclude(pk__in=AlertedOpportunity.objects.values("opportunity_id"))
        .select_related("project", "venue")
        .order_by("published_at")
    )
    count = 0
    for opportunity in fresh:
        with transaction.atomic():
            _, created = AlertedOpportunity.objects.get_or_create(opportunity=opportunity)
            if not created:
                continue  # another worker got here first
            topic_id = _topic_id(opportunity)
            if topic_id is None:
                continue
            count += queue_messages(
                "new_opportunity_alert",
                recipients=_people_wanting("immediately").filter(profile__interests=topic_id),
                event_key=f"opportunity:{opportunity.pk}:alert",
                context={"opportunity": opportunity},
            )
    return count


def send_weekly_digests(now=None) -> int:
    """One message per person listing this week's new opportunities that match them."""
    from participation.models import Opportunity

    now = now or timezone.now()
    week = now.isocalendar()
    new_this_week = list(
        Opportunity.objects.filter(
            status=Opportunity.Status.PUBLISHED,
            published_at__gte=now - timedelta(days=7),
            starts_at__gt=now,
        )
        .on_public_projects()
        .select_related("project", "venue")
        .order_by("starts_at")[:500]
    )
    if not new_this_week:
        return 0
    topic_ids = {_topic_id(o) for o in new_this_week} - {None}
    people = (
        _people_wanting("weekly")
        .filter(Q(profile__interests__in=topic_ids))
        .distinct()
        .prefetch_related("profile__interests")
    )
    count = 0
    for person in people:
        interests = {topic.pk for topic in person.profile.interests.all()}
        matches = [o for o in new_this_week if _topic_id(o) in interests]
        if not matches:
            continue
        with transaction.atomic():
            queue_message(
                "weekly_digest",
                recipient=person,
                event_key=f"digest:{week.year}-W{week.week:02d}",
                context={"opportunities": matches},
            )
        count += 1
    return count
