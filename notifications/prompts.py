"""Prompts for staff: close the loop with participants, take registers, and keep the moderation
and claims queues moving."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone

from coprod_hub.users.roles import Role

from .models import Message
from .services import queue_message, queue_messages, queue_messages_for_events

UPDATE_DUE_AFTER = timedelta(weeks=6)
# Sessions older than this are not chased any more (the staff overview still flags them).
STOP_CHASING_AFTER = timedelta(weeks=12)

# Registers: asked for once a day has passed since the session ended (time to get back and
# write it up), once more a week after that if it is still not taken (people cannot claim
# until it is), and no longer after 60 days, when nobody will remember who came.
REGISTER_DUE_AFTER = timedelta(days=1)
REGISTER_ASKED_AGAIN_AFTER = timedelta(weeks=1)
STOP_CHASING_REGISTER_AFTER = timedelta(days=60)
# A register prompt's event key names the sessions it lists, so that each person hears about
# each session at most twice; a second ask has a key of its own. Event keys hold 200
# characters: one message lists at most this many, and any more come the next day.
REGISTER_KEY = "register-not-taken:"
REGISTER_AGAIN_KEY = REGISTER_KEY + "again:"
MOST_REGISTERS_IN_ONE_PROMPT = 15


def prompt_for_overdue_updates(now=None) -> int:
    """Project owners whose session ended 6+ weeks ago with no "we said, we did" since; and
    whoever runs a session standing alone (its `created_by`) that ended 6+ weeks ago with no
    update about it since. Each is told once, about the project's most recent such session or
    about the session.

    A session standing alone is asked about only if the person running it is still active
    staff (participation.permissions.running_in_person): nothing is sent about one whose
    runner has left, as their account could not act on it (and an erased person's message
    would land on the call list). Commissioners find such sessions on the staff list ("Nobody
    runs it") and hand them over; the new runner is asked from then on."""
    from participation.models import Opportunity
    from participation.permissions import running_in_person
    from projects.models import Update

    now = now or timezone.now()
    due = Opportunity.objects.filter(
        ends_at__lte=now - UPDATE_DUE_AFTER,
        ends_at__gt=now - STOP_CHASING_AFTER,
        signups__attendance="attended",
    )
    latest_update = (
        Update.objects.filter(project=OuterRef("project_id"))
        .order_by("-posted_at")
        .values("posted_at")[:1]
    )
    sessions = (
        due.filter(project__isnull=False)
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
                context={
                    "project": session.project,
                    "session": session,
                    "session_date": session.ends_at,
                },
            )
    # Standing alone: an update about the session itself, posted after it, is what counts.
    latest_session_update = (
        Update.objects.filter(project__isnull=True, opportunities=OuterRef("pk"))
        .order_by("-posted_at")
        .values("posted_at")[:1]
    )
    standing_alone = (
        due.filter(project__isnull=True)
        .exclude(status__in=[Opportunity.Status.DRAFT, Opportunity.Status.CANCELLED])
        .annotate(latest_update=Subquery(latest_session_update))
        .filter(Q(latest_update__isnull=True) | Q(latest_update__lt=F("ends_at")))
        .order_by("pk")
        .distinct()
    )
    standing_alone = list(standing_alone)
    runners = running_in_person(standing_alone)
    told = 0
    for session in standing_alone:
        if not runners[session.pk]:
            continue  # nobody runs it now: see the docstring
        told += 1
        with transaction.atomic():
            queue_message(
                "staff_update_overdue",
                recipient=runners[session.pk][0],
                event_key=f"update-overdue:session:{session.pk}",
                context={"project": None, "session": session, "session_date": session.ends_at},
            )
    return len(prompted) + told


def prompt_moderators(now=None) -> int:
    """Once a day at most: tell moderators when entries have waited over 5 working days."""
    from learning.models import Entry

    now = now or timezone.now()
    overdue = Entry.objects.overdue_for_moderation(now)
    count = overdue.count()
    if not count:
        return 0
    oldest = overdue.oldest_submitted_first().values_list("submitted_at", flat=True).first()
    moderators = get_user_model().objects.holding(Role.MODERATOR)
    with transaction.atomic():
        return queue_messages(
            "moderation_overdue",
            recipients=moderators.select_related("profile"),
            event_key=f"moderation-overdue:{timezone.localdate(now).isoformat()}",
            context={"count": count, "oldest": oldest},
        )


def _sessions_in_key(event_key: str) -> list[int]:
    listed = event_key.removeprefix(REGISTER_AGAIN_KEY).removeprefix(REGISTER_KEY)
    return [int(pk) for pk in listed.split("-") if pk.isdigit()]


def prompt_for_registers(now=None) -> int:
    """The staff who run a session (the project's owner and team, or whoever made a session
    standing alone: participation.permissions.can_run, less the commissioners and admins who
    may run every session) hear when it ended a day or more ago and someone with a booked
    place has nothing on the register. One message a person, listing each such session they
    have not yet been told about, or were told about only once, a week or more ago; never
    about their own place, which they cannot record."""
    from participation.models import Opportunity, SignUp
    from participation.permissions import running_in_person

    now = now or timezone.now()
    sessions = {
        session.pk: session
        for session in Opportunity.objects.register_not_taken(now - REGISTER_DUE_AFTER)
        .filter(ends_at__gt=now - STOP_CHASING_REGISTER_AFTER)
        .select_related("project")
        .order_by("ends_at", "pk")
    }
    if not sessions:
        return 0
    not_recorded = SignUp.objects.filter(
        opportunity_id__in=sessions,
        status=SignUp.Status.BOOKED,
        attendance=SignUp.Attendance.UNKNOWN,
    ).values_list("opportunity_id", "resident_id")
    people_not_recorded = {}
    for session_id, resident_id in not_recorded:
        people_not_recorded.setdefault(session_id, []).append(resident_id)
    people = {}  # id: person
    runners = {}  # person's id: the sessions they run, in the order they ended
    for session_id, running in running_in_person(sessions.values()).items():
        for person in running:
            people[person.pk] = person
            runners.setdefault(person.pk, []).append(sessions[session_id])
    people = [people[pk] for pk in sorted(people)]
    asked = {}  # person's id: {session's id: when they were asked, each time}
    earlier = Message.objects.filter(
        kind="register_not_taken",
        recipient_id__in=[person.pk for person in people],
        event_key__startswith=REGISTER_KEY,
        # Only sessions that ended since then are still chased.
        created_at__gt=now - STOP_CHASING_REGISTER_AFTER,
    ).values_list("recipient_id", "event_key", "created_at")
    for person_id, event_key, asked_at in earlier:
        for session_id in _sessions_in_key(event_key):
            asked.setdefault(person_id, {}).setdefault(session_id, []).append(asked_at)
    events = []
    for person in people:
        listed = []
        for session in runners[person.pk]:
            others = [pk for pk in people_not_recorded.get(session.pk, ()) if pk != person.pk]
            times_asked = asked.get(person.pk, {}).get(session.pk, [])
            due = not times_asked or (
                len(times_asked) == 1 and times_asked[0] <= now - REGISTER_ASKED_AGAIN_AFTER
            )
            if others and due:
                listed.append(
                    {
                        "opportunity": session,
                        "not_recorded": len(others),
                        "asked_on": times_asked[0] if times_asked else None,
                    }
                )
        listed = listed[:MOST_REGISTERS_IN_ONE_PROMPT]
        if listed:
            # A message that asks again about any session has a key of its own, as its list
            # may be the same as an earlier one's.
            again = any(item["asked_on"] for item in listed)
            key = (REGISTER_AGAIN_KEY if again else REGISTER_KEY) + "-".join(
                str(item["opportunity"].pk) for item in listed
            )
            events.append((person, key, {"sessions": listed}))
    with transaction.atomic():
        return queue_messages_for_events("register_not_taken", events=events)


# A returned claim waits on the person; one still not sent again after this long may need
# someone to help them (they are reminded themselves at two and six weeks: payments.reminders).
RETURNED_CLAIMS_CHASED_AFTER = timedelta(weeks=4)


def prompt_commissioners_about_claims(now=None) -> int:
    """Once a day at most (weekdays, on the beat schedule): tell commissioners how many claims
    waiting for a decision are past or close to the target days to pay, how many approved
    claims the next payment run would pay, how many approved claims no run takes until a
    commissioner decides about a fee correction on them, and how many claims we returned over
    four weeks ago are not sent again. Nothing when all are none."""
    from payments.models import NEARING_DAYS, Claim, PaymentPolicy

    now = now or timezone.now()
    today = timezone.localdate(now)
    target_days = PaymentPolicy.current().target_days_to_pay
    waiting = Claim.objects.filter(status=Claim.Status.SUBMITTED)
    overdue, nearing = (
        waiting.flagged(
            flag, target_days=target_days, today=today, nearing_days=NEARING_DAYS
        ).count()
        for flag in ("overdue", "nearing")
    )
    # A claim held from payment runs (an overpayment on it to decide) waits on a commissioner,
    # not on a run: counted apart, so "make a payment run" is not the advice for it.
    not_in_run = Claim.objects.waiting_for_a_run().count()
    held = Claim.objects.approved_unpaid_not_in_run().held_from_payment_runs().count()
    returned = Claim.objects.returned_before(now - RETURNED_CLAIMS_CHASED_AFTER).count()
    if not (overdue or nearing or not_in_run or held or returned):
        return 0
    commissioners = get_user_model().objects.holding(Role.COMMISSIONER)
    with transaction.atomic():
        return queue_messages(
            "claims_waiting",
            recipients=commissioners,
            event_key=f"claims-waiting:{today.isoformat()}",
            context={
                "overdue": overdue,
                "nearing": nearing,
                "not_in_run": not_in_run,
                "held": held,
                "returned": returned,
                "returned_weeks": RETURNED_CLAIMS_CHASED_AFTER.days // 7,
                "target_days": target_days,
                "nearing_days": NEARING_DAYS,
            },
        )
