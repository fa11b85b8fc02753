"""New-opportunity alerts for residents who asked for them, matched on their interests and on
the levels and ways of taking part they chose (nothing chosen means any will do).

People choose (on their profile) to hear straight away or once a week. A periodic task does
the matching, so publishing an opportunity never waits for hundreds of messages to be
written, and a task that runs twice adds nothing (each alert and digest has its own key).

The weekly digest is due at 9am (UK time) on Monday. Its task runs every hour and sends each
person this week's digest if they have not had it yet, so a worker or scheduler that was
down on Monday morning sends it when it is back, later that week, and never twice.
"""

from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.http import urlencode

from .models import AlertedOpportunity, Message
from .reminders import UK
from .services import queue_messages, queue_messages_for_events

LOOK_BACK = timedelta(days=2)  # opportunities published before this are not news any more
DIGEST_SEND_TIME = time(9, 0)  # on Mondays, UK time

# Stored values of Opportunity.Format (this app loads participation's models only inside
# functions). For each format of session: the ways of taking part, as a person
# ticks them on their profile, that it suits. A hybrid session can be joined
# in person or online, so it suits people who chose either; someone who chose "In person or
# online" is happy with either, so sessions held only one of those ways suit them too.
IN_PERSON, ONLINE, PHONE, HYBRID = "in_person", "online", "phone", "hybrid"
FORMATS_SUITED = {
    IN_PERSON: {IN_PERSON, HYBRID},
    ONLINE: {ONLINE, HYBRID},
    HYBRID: {IN_PERSON, ONLINE, HYBRID},
    PHONE: {PHONE},
}


def _topic_id(opportunity):
    if opportunity.topic_id:
        return opportunity.topic_id
    return opportunity.project.service_area_id if opportunity.project_id else None


def suits(profile, opportunity) -> bool:
    """Is the opportunity at a level, and held in a way, the person chose? A person who chose
    no levels (or no ways) hears about any. An opportunity with no level is at none of them,
    as the directory's level filter treats it."""
    levels = profile.preferred_levels
    if levels and opportunity.effective_level not in levels:
        return False
    formats = profile.preferred_formats
    suited = FORMATS_SUITED.get(opportunity.format, {opportunity.format})
    return not formats or bool(suited.intersection(formats))


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
            # Levels and formats are lists in a JSON field, which SQLite cannot search:
            # they are checked here, on people loaded (with their profiles) in one query.
            people = _people_wanting("immediately").filter(profile__interests=topic_id)
            count += queue_messages(
                "new_opportunity_alert",
                recipients=[person for person in people if suits(person.profile, opportunity)],
                event_key=f"opportunity:{opportunity.pk}:alert",
                context={"opportunity": opportunity},
            )
    return count


def digest_due(now: datetime) -> datetime:
    """When this week's digest is due: 9am UK time on the Monday of the week `now` is in."""
    local = now.astimezone(UK)
    monday = local.date() - timedelta(days=local.weekday())
    return datetime.combine(monday, DIGEST_SEND_TIME, tzinfo=UK)


def digest_event_key(due: datetime) -> str:
    year, week, _ = due.isocalendar()
    return f"digest:{year}-W{week:02d}"


def send_weekly_digests(now=None) -> int:
    """Each person who wants a weekly message and has not had this week's yet gets one,
    listing what was published in the week before it was due and matches them. Returns how
    many were written to send (not counting the staff call list)."""
    from participation.models import Opportunity

    now = now or timezone.now()
    due = digest_due(now)
    if now < due:
        # Monday before 9am: this week's is not due yet. Last week's is not sent this late.
        return 0
    # The week before it was due, whenever it is sent: a digest sent late does not repeat
    # what the next one lists.
    new_this_week = list(
        Opportunity.objects.filter(
            status=Opportunity.Status.PUBLISHED,
            published_at__gte=due - timedelta(days=7),
            published_at__lt=due,
            starts_at__gt=now,
        )
        .on_public_projects()
        .select_related("project", "venue")
        .order_by("starts_at")[:500]
    )
    if not new_this_week:
        return 0
    topic_ids = {_topic_id(o) for o in new_this_week} - {None}
    event_key = digest_event_key(due)
    # Served by the outbox's unique (event_key, recipient) index. Without it every hourly run
    # would write everyone's digest again only for the insert to drop it.
    had_it = Message.objects.filter(recipient=OuterRef("pk"), event_key=event_key)
    people = (
        _people_wanting("weekly")
        .filter(Q(profile__interests__in=topic_ids), ~Exists(had_it))
        .distinct()
        .prefetch_related("profile__interests")
    )

    def digests():
        for person in people:
            interests = {topic.pk for topic in person.profile.interests.all()}
            matches = [
                o for o in new_this_week if _topic_id(o) in interests and suits(person.profile, o)
            ]
            if matches:
                # The text message has room for one link: the directory showing the topics
                # the sessions it lists are about.
                topics = {_topic_id(o) for o in matches}
                slugs = sorted(t.slug for t in person.profile.interests.all() if t.pk in topics)
                directory_query = urlencode([("topic", slug) for slug in slugs])
                yield (
                    person,
                    event_key,
                    {"opportunities": matches, "directory_query": directory_query},
                )

    with transaction.atomic():
        return queue_messages_for_events("weekly_digest", events=digests())
