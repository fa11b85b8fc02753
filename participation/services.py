"""Writes: opportunities, sign-ups, the waiting list, attendance and profiles.

Every function here does its work in one transaction and raises `ParticipationError` with a
message people can read. Messages to people are written to the notifications outbox inside
the same transaction, so they go out if and only if the change was saved.

Capacity is protected by locking the opportunity's row (SELECT ... FOR UPDATE) before
counting places: two people asking for the last place at once are served one after the
other, so the second sees the first one's booking and joins the waiting list.
"""

import copy
import secrets
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from types import SimpleNamespace

from auditlog.context import disable_auditlog
from auditlog.models import LogEntry
from django.db import transaction
from django.db.models import Case, CharField, Count, Exists, F, Max, OuterRef, Q, Value, When
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils import timezone

from coprod_hub.audit import log_updates, unsaved_entry
from coprod_hub.lib import page_cache
from coprod_hub.lib.money import format_pounds
from coprod_hub.templatetags.hub import hours
from coprod_hub.users.handing_over import lock_account, lock_accounts, lock_and_check_staff
from coprod_hub.users.models import User
from coprod_hub.users.roles import Role
from coprod_hub.users.services import grant_role, keep_email_on_record
from insight.querysets import quarter_floor
from notifications.channels import notify_configured
from notifications.kinds import category_for
from notifications.models import Message, Unsubscribe
from notifications.reminders import REMINDER_KINDS, reminder_key_prefix
from notifications.services import (
    body_in_format,
    choose_channel,
    late_attachment,
    queue_message,
    queue_messages,
    queue_messages_for_events,
    render_message,
    render_text_message,
    withdraw_calls,
)
from projects.ladder import STEP_IN_PLAIN_WORDS
from projects.models import Project

from .models import GroupMessage, Opportunity, Profile, SignUp, Venue

Status = SignUp.Status


class ParticipationError(Exception):
    """Something could not be done; the message says why, in plain words.

    `field`: the form field the message is about, if any, so the view puts the error next to
    it and the error summary links there.
    """

    def __init__(self, message="", *, field=None):
        super().__init__(message)
        self.field = field


# Changing these on a published opportunity tells everyone signed up or waiting: when and
# where it is and how to join, and what taking part offers and how much say it gives, which
# people may have booked for (a session no longer paid, say). A change of words does not.
CHANGES_PEOPLE_MUST_HEAR = (
    "starts_at",
    "ends_at",
    "venue_id",
    "format",
    "online_details",
    "fee_basis",
    "pays_expenses",
    "refreshments",
    "travel_arranged",
    "step",
)

ANSWERED_SESSION_IS_FIXED = (
    "People have already answered the survey about this session, so its project, area, "
    "level and the quarter it is in cannot change. This keeps their answers private."
)


def _survey_total(opportunity) -> tuple:
    """Which total of survey results (insight.cells) answers about the session go into: its
    project, area, level and quarter. Moving a session people have answered about would move
    their answers from one total to another, and comparing the totals before and after would
    show what those few people said."""
    project = opportunity.project
    return (
        opportunity.project_id,
        opportunity.topic_id or (project.service_area_id if project else None),
        project.level if project else opportunity.level,
        quarter_floor(timezone.localtime(opportunity.starts_at).date()),
    )


# Staff on the call list phone or write to people who asked for post or phone.
POST_OR_PHONE_NEEDS_DETAILS = (
    "Enter a phone number or a postal address, so our staff can phone or write to you"
)
TEXTS_UNAVAILABLE = (
    "We cannot send text messages at the moment. Choose email, or post or a phone call"
)
OFFLINE_PERSON_NEEDS_DETAILS = (
    "Enter their phone number or postal address, so our staff can phone or write to them"
)


def _lock(opportunity) -> Opportunity:
    """The opportunity (an instance or its id) loaded again with its row locked until the
    transaction ends (no-op on SQLite, which allows one writer at a time anyway).

    Its venue comes in the same query, for the messages written under the lock (they say
    where; none needs the project, which would add two dozen columns to every sign-up, so
    only whether the project is public comes along); `of=("self",)` keeps the lock on the
    opportunity's row alone. Raises `Opportunity.DoesNotExist` for an id that matches nothing.
    """
    pk = opportunity.pk if isinstance(opportunity, Opportunity) else opportunity
    return (
        Opportunity.objects.select_for_update(of=("self",))
        .select_related("venue")
        .annotate(project_is_public=Coalesce("project__is_published", True))
        .get(pk=pk)
    )


def _event_key(signup, kind) -> str:
    return f"signup:{signup.pk}:{kind}:{signup.status_changed_at:%Y%m%dT%H%M%S%f}"


def _tell(kind, signup, opportunity, *, attach_calendar=False, **context):
    attachments = ()
    if attach_calendar:
        # Built by the delivery task, not here: it took a third of the sign-up request.
        attachments = (late_attachment("signup_calendar", signup=signup.pk),)
    queue_message(
        kind,
        recipient=signup.resident,
        event_key=_event_key(signup, kind),
        context={"signup": signup, "opportunity": opportunity, **context},
        attachments=attachments,
    )


def _set_status(signup, status, now, **fields):
    # Who cancelled and why describe the latest cancellation only: any other change (booked
    # again, or cancelled by nobody, as when an offer runs out) clears them.
    fields.setdefault("cancelled_by", None)
    fields.setdefault("cancel_reason", "")
    signup.status = status
    signup.position = None  # a waiting-list position worked out before no longer holds
    signup.status_changed_at = now
    for name, value in fields.items():
        setattr(signup, name, value)
    signup.save()
    if status == Status.CANCELLED:
        _withdraw_stale_calls(signup.opportunity_id, [signup])


def _end_taxi(signup, *, by, now) -> None:
    # payments builds on participation, so it is imported here, where a place ends.
    from payments.services import withdraw_taxi_with_place

    withdraw_taxi_with_place(signup, by=by, now=now)


# Messages that stay true once a place has ended: they say that it ended. (Staff's list of
# support to undo for a session called off is one, should one of them have a place there too.)
ENDING_KINDS = (
    "signup_cancelled",
    "offer_expired",
    "opportunity_cancelled",
    "access_needs_session_cancelled",
)


def _withdraw_stale_calls(opportunity_id, signups) -> int:
    """Once places end, what staff were to phone through about them (a place held for you, a
    reminder, a change of time) is no longer true: take it off the call list."""
    about = Q()
    for signup in signups:
        keys = [f"signup:{signup.pk}:", f"opportunity:{opportunity_id}:"]
        keys += [reminder_key_prefix(kind, signup.pk) for kind in REMINDER_KINDS]
        starts_with = Q()
        for key in keys:
            starts_with |= Q(event_key__startswith=key)
        about |= Q(recipient_id=signup.resident_id) & starts_with
    if not about:
        return 0
    return withdraw_calls(Message.objects.filter(about).exclude(kind__in=ENDING_KINDS))


# --- Sign-up, waiting list and offers -------------------------------------------------


def _check_can_sign_up(opportunity, *, resident, on_behalf, now):
    if not resident.is_active or not resident.has_role(Role.RESIDENT):
        if on_behalf:
            raise ParticipationError(
                f"{resident} does not have a resident account, so they cannot be signed up."
            )
        raise ParticipationError(
            "Only residents can sign up for opportunities. Your account is for staff work. "
            "If you want to take part yourself, contact the co-production team."
        )
    reason = opportunity.sign_up_closed_reason(now)
    # Staff running the session may still add someone after the deadline or once sign-up
    # has closed (after a phone call, say), but never to a draft, cancelled or past session.
    staff_may_override = (
        on_behalf and opportunity.is_going_ahead and not opportunity.has_started(now)
    )
    if reason and not staff_may_override:
        raise ParticipationError(reason)


JOINING_NEEDED = "Choose how you will join: in person or online"
JOINING_NEEDED_FOR_SOMEONE = "Choose how they will join: in person or online"


def _joining_for(opportunity, joining, *, on_behalf) -> str:
    """What to keep of how the person will join (SignUp.joining): asked of a hybrid session
    only, where it is needed (the room, the joining link), and nothing for any other."""
    if opportunity.format != Opportunity.Format.HYBRID:
        return SignUp.Joining.NOT_SAID
    if joining not in (SignUp.Joining.IN_PERSON, SignUp.Joining.ONLINE):
        raise ParticipationError(
            JOINING_NEEDED_FOR_SOMEONE if on_behalf else JOINING_NEEDED, field="joining"
        )
    return joining


def sign_up(
    opportunity, *, resident, by=None, access_needs_note="", joining="", now=None
) -> SignUp:
    """Book a place, or join the waiting list when it is full.

    `opportunity` is the opportunity or its id: either way it is loaded again under the lock,
    and a draft, cancelled or past one is refused like any other that is closed. Signing up
    again while already booked, offered or waiting changes nothing. `by` is the staff member
    doing it on the person's behalf (None when people do it themselves). `joining`: for a
    hybrid session, how they will join (SignUp.Joining), which it needs; ignored otherwise.
    Checked under the lock, so a session made hybrid while the page was open still asks.
    """
    now = now or timezone.now()
    on_behalf = by is not None and by.pk != resident.pk
    with transaction.atomic():
        opportunity = _lock(opportunity)
        # The places, and this person's own sign-up if they have one (at most one: a unique
        # constraint), in one query under the lock.
        counts = opportunity.signups.aggregate(
            held=Count("pk", filter=Q(status__in=[Status.BOOKED, Status.OFFERED])),
            waiting=Count("pk", filter=Q(status=Status.WAITING)),
            own=Max("pk", filter=Q(resident=resident)),
        )
        existing = SignUp.objects.get(pk=counts["own"]) if counts["own"] else None
        if existing and existing.is_active:
            return existing
        _check_can_sign_up(opportunity, resident=resident, on_behalf=on_behalf, now=now)
        joining = _joining_for(opportunity, joining, on_behalf=on_behalf)

        held = counts["held"]
        if counts["waiting"]:
            # Normally nothing; keeps the queue honest. The checks above passed, so the
            # session is open and has not started: free places go to the people waiting
            # first, and a place still free after that means nobody is left waiting.
            held += len(_offer_free_places(opportunity, now, held=held))
        booked = held < opportunity.capacity

        signup = existing or SignUp(resident=resident)
        signup.opportunity = opportunity  # the locked instance, with its venue
        signup.access_needs_note = access_needs_note.strip()
        signup.joining = joining
        signup.signed_up_by = by if on_behalf else None
        signup.profile_needs_shared = not on_behalf
        signup.attendance = SignUp.Attendance.UNKNOWN
        _set_status(
            signup,
            Status.BOOKED if booked else Status.WAITING,
            now,
            waiting_since=None if booked else now,
            offer_expires_at=None,
        )
        if booked:
            _tell("signup_confirmed", signup, opportunity, attach_calendar=True)
            _tell_runners_of_needs_with_new_places([signup], now=now)
        else:
            _tell("waiting_list_joined", signup, opportunity, position=signup.waiting_position)
        return signup


def _offer_free_places(opportunity, now, *, held=None) -> list[SignUp]:
    """Offer each free place to the next person waiting. The caller holds the lock, and may
    pass the places held if it has just counted them under it."""
    if not opportunity.is_going_ahead:
        return []
    if opportunity.has_started(now):
        return []
    if held is None:
        held = opportunity.signups.holding_place().count()
    free = opportunity.capacity - held
    if free <= 0:
        return []
    offered = []
    # Their profiles in the same query: how each person hears decides how long they have.
    waiting = opportunity.signups.waiting_in_order().select_related("resident__profile")
    for signup in waiting[:free]:
        # Someone staff phone (the call list) has until the next working day to answer.
        on_call_list = choose_channel(signup.resident)[0] == Message.Channel.CALL_LIST
        expires = opportunity.offer_expiry(now, on_call_list=on_call_list)
        _set_status(signup, Status.OFFERED, now, offer_expires_at=expires)
        _tell("place_offered", signup, opportunity)
        offered.append(signup)
    _tell_runners_of_needs_with_new_places(offered, now=now)
    return offered


def cancel_sign_up(signup, *, by, reason="", now=None) -> SignUp:
    """Give up a place or leave the waiting list. Cancelling twice changes nothing.

    `by` is the person themselves or a member of staff; staff give a `reason` (the view asks
    for one), which the person is sent. Both are kept on the sign-up for the staff page.
    """
    now = now or timezone.now()
    reason = reason.strip()
    with transaction.atomic():
        opportunity = _lock(signup.opportunity)
        signup = SignUp.objects.select_related("resident").get(pk=signup.pk)
        if signup.status == Status.CANCELLED:
            return signup
        if opportunity.has_started(now):
            raise ParticipationError(
                "This session has already started, so it cannot be cancelled. "
                "Please tell the contact for the session instead."
            )
        freed_a_place = signup.holds_place
        was_waiting = signup.status == Status.WAITING
        was_offered = signup.status == Status.OFFERED
        by_staff = by is not None and by.pk != signup.resident_id
        _set_status(
            signup,
            Status.CANCELLED,
            now,
            offer_expires_at=None,
            waiting_since=None,
            cancelled_by=by,
            cancel_reason=reason if by_staff else "",
        )
        _end_taxi(signup, by=by or signup.resident, now=now)
        _tell(
            "signup_cancelled",
            signup,
            opportunity,
            by_staff=by_staff,
            was_waiting=was_waiting,
            was_offered=was_offered,
            reason=signup.cancel_reason,
        )
        _tell_runners_place_ended(signup, opportunity, now=now)
        if freed_a_place:
            _offer_free_places(opportunity, now)
        return signup


class OfferExpired(ParticipationError):
    """Raised after the transaction that passed the expired offer on has committed."""


def accept_offer(signup, *, by, now=None) -> SignUp:
    """Say yes to an offered place, before the offer runs out.

    Accepting twice (a double click, or staff and the person at the same moment) books one
    place. An offer that has run out is passed on to the next person, and the caller is told.
    """
    now = now or timezone.now()
    with transaction.atomic():
        opportunity = _lock(signup.opportunity)
        signup = SignUp.objects.select_related("resident").get(pk=signup.pk)
        if signup.status == Status.BOOKED:
            return signup
        if signup.status == Status.WAITING:
            raise ParticipationError(
                "There is no place to accept yet. You are still on the waiting list, and we "
                "will tell you as soon as a place is free."
            )
        if signup.status == Status.CANCELLED:
            raise ParticipationError("This place was cancelled, so there is nothing to accept.")
        if opportunity.status == Opportunity.Status.CANCELLED:
            raise ParticipationError("This opportunity has been cancelled.")
        if opportunity.has_started(now):
            raise ParticipationError(
                "This session has already started, so the place can no longer be accepted."
            )
        expired = not signup.offer_is_live(now)
        if not expired:
            signup.signed_up_by = by if by is not None and by.pk != signup.resident_id else None
            _set_status(signup, Status.BOOKED, now, offer_expires_at=None, waiting_since=None)
            # Said yes: the call to ask them is no longer needed, however they answered.
            withdraw_calls(
                Message.objects.filter(
                    recipient_id=signup.resident_id,
                    event_key__startswith=f"signup:{signup.pk}:place_offered:",
                )
            )
            _tell("signup_confirmed", signup, opportunity, attach_calendar=True)
            return signup
        _expire_offers_for(opportunity, now)
    # Outside the atomic block, so passing the place on is saved before we say so.
    raise OfferExpired(
        "Sorry, the time to accept this place has run out, so we could not keep it for you."
    )


def _expire_offers_for(opportunity, now) -> int:
    """Cancel offers that ran out and pass the places on. The caller holds the lock."""
    expired = list(
        opportunity.signups.offers_expired(now).select_related("resident").order_by("pk")
    )
    for signup in expired:
        _set_status(signup, Status.CANCELLED, now, offer_expires_at=None, waiting_since=None)
        _tell("offer_expired", signup, opportunity, started=opportunity.has_started(now))
        _tell_runners_place_ended(signup, opportunity, now=now)
    if expired:
        _offer_free_places(opportunity, now)
    return len(expired)


def expire_offers(now=None) -> int:
    """The periodic sweep: pass every offer not taken in time to the next person waiting.

    One short transaction per opportunity, so a busy session does not hold up the rest.
    Running it twice, or on two workers at once, does the work once: each opportunity is
    locked and its offers re-read before anything changes.
    """
    now = now or timezone.now()
    opportunity_ids = list(
        SignUp.objects.offers_expired(now)
        .order_by()
        .values_list("opportunity_id", flat=True)
        .distinct()
    )
    count = 0
    for opportunity_id in opportunity_ids:
        with transaction.atomic():
            opportunity = _lock(opportunity_id)
            count += _expire_offers_for(opportunity, now)
    return count


# The message to people still waiting when a session starts, and how long after the start it
# is still news: a sweep missed for a day (beat down) is made up, but the first sweep after
# this was added does not write to everyone ever left waiting.
NO_PLACE_KIND = "waiting_list_no_place"
NO_PLACE_NEWS_FOR = timedelta(days=2)
NO_PLACE_BATCH_SIZE = 500


def _no_place_key(signup_id) -> str:
    return f"signup:{signup_id}:{NO_PLACE_KIND}"


def tell_waiting_no_place_came_up(now=None) -> int:
    """The periodic sweep's other half: once a session has started, everyone still on its
    waiting list is told that no place came up, with other ways to take part. Returns how
    many messages were queued.

    Their sign-ups stay "waiting", the record of what happened. Cancelled sessions are left
    out (their waiting lists ended, and were told, when they were cancelled). Once per sign-up,
    however often it runs and on two workers at once: the outbox keeps one message per key
    and person, and sign-ups already told are not loaded again. Nothing about places changes,
    and once a session has started nobody can join, leave or be offered a place on its
    waiting list, so no lock is needed.
    """
    now = now or timezone.now()
    told = Message.objects.filter(
        # The unique (event_key, recipient) index answers this for each sign-up.
        event_key=Concat(
            Value("signup:"), Cast(OuterRef("pk"), CharField()), Value(f":{NO_PLACE_KIND}")
        ),
        recipient_id=OuterRef("resident_id"),
    )
    signups = (
        SignUp.objects.filter(
            status=Status.WAITING,
            resident__is_active=True,
            opportunity__status__in=Opportunity.GOING_AHEAD,
            opportunity__starts_at__lte=now,
            opportunity__starts_at__gt=now - NO_PLACE_NEWS_FOR,
        )
        .exclude(Exists(told))
        # What the message names (the session, and its topic for the link to others).
        .select_related("resident", "opportunity__topic", "opportunity__project__service_area")
        .order_by("opportunity_id", "pk")
    )
    with transaction.atomic():
        return queue_messages_for_events(
            NO_PLACE_KIND,
            events=(
                (
                    signup.resident,
                    _no_place_key(signup.pk),
                    {"signup": signup, "opportunity": signup.opportunity},
                )
                # One query a batch, as the outbox writes them.
                for signup in signups.iterator(chunk_size=NO_PLACE_BATCH_SIZE)
            ),
        )


# --- Opportunities ---------------------------------------------------------------------


def _no_venue_unless_in_person(opportunity):
    """A session online or by phone has no venue. Moving one online leaves the old venue
    chosen in the form; kept, it would tell people (in messages, calendars and the directory)
    to go to a building where nothing happens."""
    if opportunity.format in (Opportunity.Format.ONLINE, Opportunity.Format.PHONE):
        opportunity.venue = None


def _details_people_hear_about(opportunity) -> dict:
    details = {name: getattr(opportunity, name) for name in CHANGES_PEOPLE_MUST_HEAR}
    # Joining details are shown only when a session is online too: changing them on a session
    # held only in person changes nothing people see, so it is not worth a message.
    details["online_details"] = opportunity.joining_details
    # The fee as the sign-up page gives it, not only how it is worked out: a session paid by
    # the hour that gets longer pays more, and people hear that with its new time.
    details["fee_basis"] = (opportunity.fee_basis, _fee(opportunity))
    # The step people see: the project's when it has one (its own step is then not shown).
    details["step"] = opportunity.effective_step
    return details


def _fee(opportunity):
    """The fee the payment policy pays for taking part (payments.policy.fee_for)."""
    # payments builds on participation, so it is imported here.
    from payments.policy import activity_date, fee_for

    return fee_for(opportunity, activity_date(opportunity))


TOPIC_NEEDED = "Choose a topic, so people who follow it hear about this session"


def _check_opportunity(opportunity):
    if opportunity.ends_at < opportunity.starts_at:
        raise ParticipationError("The end time must be after the start time.")
    in_person = opportunity.format in (Opportunity.Format.IN_PERSON, Opportunity.Format.HYBRID)
    if in_person and not opportunity.venue_id:
        raise ParticipationError("Choose a venue for a session that happens in person.")
    if not opportunity.project_id and (not opportunity.level or not opportunity.step):
        raise ParticipationError(
            "An opportunity that is not part of a project needs its own level and step."
        )
    if not opportunity.project_id and not opportunity.topic_id:
        # New sessions reach people through the topics they follow (notifications.alerts):
        # one with no topic would reach nobody's alerts or weekly digest.
        raise ParticipationError(TOPIC_NEEDED, field="topic")
    if not opportunity.project_id and not opportunity.not_coproduction_reason.strip():
        raise ParticipationError(
            "Say why this is not co-production: on its own, an opportunity is at most "
            "engagement, and people are told why.",
            field="not_coproduction_reason",
        )


def _project_closed(project) -> ParticipationError:
    """Closed projects take no new sessions: a project closes once its work with people is
    over (projects.services refuses to close one with sessions still going ahead), and its
    page says so."""
    return ParticipationError(
        f"\u201c{project.title}\u201d is closed, so it cannot have new sessions. Choose another "
        "project, or if it is running again, change its status in its details first.",
        field="project",
    )


def _lock_project_of(opportunity):
    """The opportunity's project, its row locked until the transaction ends; None standing
    alone. Locked before the opportunity, in the order closing (projects.services.
    update_project) and renaming the project (whose search trigger updates its sessions)
    take them, so none waits on another in a circle. FOR NO KEY UPDATE: it waits for a
    project being closed, and closing waits for it, but adding sessions to the project
    (which only needs its key) does not."""
    if not opportunity.project_id:
        return None
    return Project.objects.select_for_update(no_key=True).get(pk=opportunity.project_id)


def create_opportunity(*, by, runner=None, **fields) -> Opportunity:
    """A new draft. Standing alone, `by` runs it, or `runner` if given: it is handed to them in
    the same transaction (recorded as a change of its own), so a session nobody could be given
    is not left behind as a draft."""
    runner = runner or by
    with transaction.atomic():
        opportunity = Opportunity(created_by=by, status=Opportunity.Status.DRAFT, **fields)
        if opportunity.project_id and opportunity.project.is_closed:
            raise _project_closed(opportunity.project)
        if opportunity.project_id and not opportunity.topic_id:
            opportunity.topic_id = opportunity.project.service_area_id
        _no_venue_unless_in_person(opportunity)
        _check_opportunity(opportunity)
        if not opportunity.project_id and not lock_and_check_staff(runner):
            # Their staff role was taken away since the page checked it (handing_over).
            raise _cannot_run(runner)
        opportunity.save()
        if runner.pk != by.pk:
            opportunity = hand_over_opportunity(opportunity, to=runner, by=by)
        return opportunity


def update_opportunity(opportunity, *, by, now=None, **fields) -> Opportunity:
    """Save staff's changes. People booked or waiting hear about a new time or place, or a
    change to what taking part offers or how much say it gives (CHANGES_PEOPLE_MUST_HEAR),
    and extra places go straight to the waiting list."""
    now = now or timezone.now()
    with transaction.atomic():
        _lock_accounts_if_leaving_its_project(opportunity, by=by, fields=fields)
        _lock_claims_for(opportunity)
        locked = _lock(opportunity)
        if locked.status == Opportunity.Status.CANCELLED:
            raise ParticipationError("A cancelled opportunity cannot be changed.")
        before = _details_people_hear_about(locked)
        total = _survey_total(locked)
        project_before = locked.project_id
        for name, value in fields.items():
            setattr(locked, name, value)
        if locked.project_id not in (None, project_before) and locked.project.is_closed:
            # Moved into a closed project: as good as a new session there.
            raise _project_closed(locked.project)
        if locked.project_id and not locked.topic_id:
            locked.topic_id = locked.project.service_area_id
        _no_venue_unless_in_person(locked)
        if _survey_total(locked) != total and locked.survey_responses.exists():
            raise ParticipationError(ANSWERED_SESSION_IS_FIXED)
        _check_opportunity(locked)
        if project_before and not locked.project_id:
            _someone_runs_it_out_of_its_project(locked, by=by)
        # People added on the day (record_walk_in) came without booking: correcting a session
        # afterwards must not ask for more places than were ever booked.
        held = locked.signups.holding_place().filter(added_on_the_day=False).count()
        if locked.capacity < held:
            raise ParticipationError(
                f"{held} places are already taken or offered, so there must be at least {held} "
                "places. Cancel places on people's behalf first if you need fewer.",
                field="capacity",
            )
        locked.save()
        if locked.starts_at != before["starts_at"]:
            # An offer made for the old time must not be open once the new time has come.
            latest = locked.latest_offer_end(now)
            locked.signups.filter(status=Status.OFFERED, offer_expires_at__gt=latest).update(
                offer_expires_at=latest
            )
            # And the call list, which puts calls in order of when the answer is needed.
            Message.objects.filter(
                kind="place_offered",
                opportunity=locked,
                status=Message.Status.CALL_LIST,
                deadline__gt=latest,
            ).update(deadline=latest)
        after = _details_people_hear_about(locked)
        changed = [name for name in CHANGES_PEOPLE_MUST_HEAR if after[name] != before[name]]
        moved_day = timezone.localdate(locked.starts_at) != timezone.localdate(before["starts_at"])
        if "fee_basis" in changed or moved_day:
            _claims_follow_the_session(locked, by=by)
        # Once a session has started, a change puts the record right (its times, say, for
        # the fee claims): it is not news, and asking people who came to "cancel if you can
        # no longer come" would only confuse them. The audit trail keeps what changed.
        still_to_come = before["starts_at"] > now and not locked.has_started(now)
        if changed and locked.is_going_ahead and still_to_come:
            _tell_about_changes(
                locked,
                changed,
                key=f"{locked.updated_at.timestamp():.6f}",
                news=_changes_in_words(changed, before, after),
            )
        _offer_free_places(locked, now)
        return locked


def _lock_accounts_if_leaving_its_project(opportunity, *, by, fields) -> None:
    """Taken out of its project, the session is given to whoever added it or to `by`
    (`_someone_runs_it_out_of_its_project`), whose account rows are then locked. Lock them
    first, before the session's claims and the session: erasing an account locks the
    person's row, then the sessions they are booked on (to give up their places), and
    taking the session first could leave each waiting for the other (a deadlock).

    Whether it is leaving is read before any lock, as saved (`opportunity` may be the form's
    instance, already moved). Should it have gone into a project since (a colleague saving
    it at this moment), the rows are locked later, after the session: as before, and rare."""
    if "project" not in fields or fields["project"] is not None:
        return
    saved = (
        Opportunity.objects.filter(pk=opportunity.pk, project__isnull=False)
        .values_list("created_by_id", flat=True)
        .first()
    )
    if saved is not None:
        lock_accounts(saved, by)


def _someone_runs_it_out_of_its_project(opportunity, *, by) -> None:
    """Taken out of its project, a session is run by whoever its `created_by` names (they added
    it), as for any session standing alone; in the project its owner and team ran it, and
    nobody needed to check that person was still staff. If they no longer are (their role
    taken away, or their account closed or erased), whoever moves it runs it instead.

    Given to whoever moves it, rather than refused: they are staff, they took it out of the
    project so they answer for it, and the form cannot ask who runs it (a session in a project
    has no "Who runs this session" until saved standing alone), so a refusal would leave no
    way to move it. They are told, and can hand it to a colleague from its form afterwards.
    Their row and the creator's are locked and read afresh (handing_over): an administrator
    may be taking either one's staff role away at this moment."""
    if lock_and_check_staff(opportunity.created_by):
        return
    if not lock_and_check_staff(by):
        raise ParticipationError(
            f"{opportunity.created_by} cannot run sessions any more, nor can you, as you are "
            "not a member of staff, so the session cannot leave its project. Ask a member "
            "of staff to move it."
        )
    opportunity.created_by = by


def fee_correction_plan(opportunity, *, by, **fields):
    """What saving these changes (the form's fields, as for `update_opportunity`) would do to
    the claims made for the session, for staff to check before saving: a payments
    FeeCorrectionPlan, or None when the fee stays the same. Nothing is saved."""
    # As saved: a form's instance already holds what was typed once the form is valid.
    saved = Opportunity.objects.get(pk=opportunity.pk)
    proposed = copy.copy(saved)
    for name, value in fields.items():
        setattr(proposed, name, value)
    if (proposed.fee_basis, _fee(proposed)) == (saved.fee_basis, _fee(saved)):
        return None
    # payments builds on participation, so it is imported here.
    from payments.services import plan_fee_correction

    return plan_fee_correction(proposed, by=by, was=saved)


def _lock_claims_for(opportunity) -> None:
    """Lock the claims made for the session before the session itself: the order the payments
    services take them in (a claim, then a message naming its session), so a fee corrected
    while a commissioner approves one of them waits for the approval instead of deadlocking
    with it. One query; none locked for a session nobody has claimed for."""
    # payments builds on participation, so it is imported here.
    from payments.services import lock_claims_for_session

    lock_claims_for_session(opportunity)


def _claims_follow_the_session(opportunity, *, by) -> None:
    """The fee changed (how it is worked out, or the hours of a session paid by the hour), or
    the session moved to another day: claims already made for it follow, their day and fee
    (payments.services.fee_corrections), in this transaction, so the session is never saved
    with claims for the old day or at the old fee."""
    # payments builds on participation, so it is imported here.
    from payments.services import PaymentError, follow_session_fee

    try:
        follow_session_fee(opportunity, by=by)
    except PaymentError as error:
        raise ParticipationError(str(error), field="fee_basis") from None


# What people are told changed, in their words, for each field they must hear about.
CHANGED_IN_WORDS = {
    "starts_at": "the time",
    "ends_at": "the time",
    "venue_id": "the place",
    "format": "the place",
    "online_details": "how to join",
    "fee_basis": "the fee",
    "pays_expenses": "what we pay for expenses",
    "refreshments": "the refreshments",
    "travel_arranged": "the travel we arrange",
    "step": "how much say you have",
    # The venue's own details (save_venue), named "venue.<field>".
    "venue.name": "the name of the place",
    "venue.address": "the address",
    "venue.postcode": "the address",
    **{f"venue.{name}": "access at the place" for name, _ in Venue.ACCESS_FACTS},
}

# What a calendar entry holds: changing these asks people to update theirs.
CHANGES_TO_WHEN_AND_WHERE = (
    "starts_at",
    "ends_at",
    "venue_id",
    "format",
    "online_details",
    "venue.name",
    "venue.address",
    "venue.postcode",
)

# What the message says about something taking part offers that was added, or taken away:
# (now offered, no longer offered), in the sign-up page's words.
OFFER_CHANGES_IN_WORDS = {
    "pays_expenses": (
        "We now pay your expenses, such as travel or care cover.",
        "We no longer pay expenses.",
    ),
    "refreshments": ("There will now be refreshments.", "There will no longer be refreshments."),
    "travel_arranged": ("We can now arrange your travel.", "We can no longer arrange your travel."),
}


# How a fee is worked out, in a sentence, when the policy has no rate for it yet.
FEE_BASIS_IN_WORDS = {
    Opportunity.FeeBasis.PER_HOUR: "paid by the hour",
    Opportunity.FeeBasis.HALF_DAY: "paid for a half day",
    Opportunity.FeeBasis.FULL_DAY: "paid for a full day",
    Opportunity.FeeBasis.PER_ACTIVITY: "paid for the activity",
}


def fee_news(before, after) -> str:
    """What people are told about a new fee: "It is now paid: £30 for your time (2 hours at
    £15 an hour)." The amount is the sign-up page's; without a rate in the payment policy yet,
    the page gives only how the fee is worked out, and so does this. `before` and `after` are
    (fee basis, payments.policy.Fee or None). A new rate in the payment policy says the same
    (payments.services.policy_changes)."""
    (was_basis, _), (basis, fee) = before, after
    if basis == Opportunity.FeeBasis.NONE:
        return "It is no longer paid: there is no fee for your time."
    if fee is None:
        amount, detail = "a fee", FEE_BASIS_IN_WORDS[basis]
    else:
        amount = format_pounds(fee.amount_pence)
        detail = (
            f"{hours(fee.hours)} at {format_pounds(fee.rate_pence)} an hour" if fee.hours else ""
        )
    detail = f" ({detail})" if detail else ""
    if was_basis == Opportunity.FeeBasis.NONE:
        return f"It is now paid: {amount} for your time{detail}."
    if fee is None:
        return f"The fee for your time has changed{detail}."
    return f"The fee for your time is now {amount}{detail}."


def _changes_in_words(changed, before, after) -> list[str]:
    """A sentence for each change to what taking part offers or how much say it gives; the
    new time and place speak for themselves in the message."""
    news = []
    if "fee_basis" in changed:
        news.append(fee_news(before["fee_basis"], after["fee_basis"]))
    for name, (now_offered, no_longer) in OFFER_CHANGES_IN_WORDS.items():
        if name in changed:
            news.append(now_offered if after[name] else no_longer)
    step = after["step"]
    if "step" in changed and step:
        news.append(f"It is now {step.label}: {STEP_IN_PLAIN_WORDS[step]}.")
    return news


def _tell_about_changes(opportunity, changed, *, key, news=()):
    """People with a place get the new joining details too; people offered a place or waiting
    are not sent them (they are for people with a place) and are not asked to cancel one.
    `news`: sentences saying what changed in what taking part offers (`_changes_in_words`)."""
    words = list(dict.fromkeys(CHANGED_IN_WORDS[name] for name in changed))
    what_changed = " and ".join([", ".join(words[:-1]), words[-1]] if len(words) > 1 else words)
    signups = list(
        opportunity.signups.to_message(include_waiting=True)
        .select_related("resident")
        .order_by("pk")
    )
    for has_place in (True, False):
        queue_messages(
            "opportunity_changed",
            recipients=[s.resident for s in signups if (s.status == Status.BOOKED) == has_place],
            event_key=f"opportunity:{opportunity.pk}:opportunity_changed:{key}",
            context={
                "opportunity": opportunity,
                "has_place": has_place,
                "what_changed": what_changed,
                "news": list(news),
                "time_changed": "starts_at" in changed,
                # Only a new time or place (or way to join) asks people to update a calendar.
                "calendar_changed": any(name in CHANGES_TO_WHEN_AND_WHERE for name in changed),
                # The same message goes to everyone, but each person's link opens their own
                # place, where they can cancel it or leave the waiting list: `place_link`.
                "places": {s.resident_id: s.get_absolute_url() for s in signups},
                # And the joining link only to those joining a hybrid session online.
                "joinings": {s.resident_id: s.joining for s in signups},
            },
        )


def _tell_everyone(opportunity, kind, *, key, **context):
    """One message to each person booked, offered or waiting (not to accounts since closed:
    their past places stay for fee claims, but nobody is there to hear)."""
    signups = (
        opportunity.signups.to_message(include_waiting=True)
        .select_related("resident")
        .order_by("pk")
    )
    queue_messages(
        kind,
        recipients=[s.resident for s in signups],
        event_key=f"opportunity:{opportunity.pk}:{kind}:{key}",
        context={"opportunity": opportunity, **context},
    )


def publish_opportunity(opportunity, *, by, now=None) -> Opportunity:
    now = now or timezone.now()
    with transaction.atomic():
        project = _lock_project_of(opportunity)
        locked = _lock(opportunity)
        if locked.status == Opportunity.Status.PUBLISHED:
            return locked
        if locked.status == Opportunity.Status.CANCELLED:
            raise ParticipationError("A cancelled opportunity cannot be published again.")
        if locked.project_id != (project.pk if project else None):
            # Moved to another project since the page was loaded: its lock is not held.
            raise ParticipationError("This opportunity has just been changed. Try again.")
        if project is not None and project.is_closed:
            raise ParticipationError(
                f"\u201c{project.title}\u201d is closed, so its sessions cannot open for "
                "sign-up. If the project is running again, change its status in its details "
                "first."
            )
        if locked.has_started(now):
            raise ParticipationError("This opportunity has already started, so it cannot open.")
        if not locked.project_is_public:
            raise ParticipationError(
                "Publish the project first. People read about the project and its honest step "
                "before they sign up."
            )
        _check_opportunity(locked)
        locked.status = Opportunity.Status.PUBLISHED
        locked.published_at = locked.published_at or now
        locked.save(update_fields=["status", "published_at", "updated_at"])
        _offer_free_places(locked, now)
        return locked


def close_opportunity(opportunity, *, by) -> Opportunity:
    """Stop new sign-ups. People already booked or waiting keep their place."""
    with transaction.atomic():
        locked = _lock(opportunity)
        if locked.status == Opportunity.Status.CLOSED:
            return locked
        if locked.status != Opportunity.Status.PUBLISHED:
            raise ParticipationError("Only a published opportunity can be closed.")
        locked.status = Opportunity.Status.CLOSED
        locked.save(update_fields=["status", "updated_at"])
        return locked


def cancel_opportunity(opportunity, *, by, reason="", now=None) -> Opportunity:
    """Call the session off and tell everyone booked, offered or waiting."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock(opportunity)
        if locked.status == Opportunity.Status.CANCELLED:
            return locked
        if locked.has_ended(now):
            raise ParticipationError("This opportunity has already taken place.")
        locked.status = Opportunity.Status.CANCELLED
        locked.cancelled_at = now
        locked.cancellation_reason = reason.strip()
        locked.save(update_fields=["status", "cancelled_at", "cancellation_reason", "updated_at"])
        if locked.published_at:
            _tell_everyone(locked, "opportunity_cancelled", key="cancelled", reason=reason)
        # Read before offers and waiting lists end below: everyone taking part until now.
        taking_part = list(locked.signups.active().select_related("resident"))
        _tell_runners_session_cancelled(locked, taking_part, by=by, now=now)
        # Offers and waiting lists end with the session (it cannot be published again):
        # nobody should be asked to accept a place, or shown a queue, for a session called off.
        # People with a place keep it, marked "Cancelled by us", as the record of what happened.
        _withdraw_stale_calls(locked.pk, taking_part)
        locked.signups.filter(status__in=[Status.OFFERED, Status.WAITING]).update(
            status=Status.CANCELLED,
            status_changed_at=now,
            offer_expires_at=None,
            waiting_since=None,
        )
        return locked


def _cannot_run(person) -> ParticipationError:
    return ParticipationError(
        f"{person} cannot run sessions, as they are not a member of staff. Choose a member "
        "of staff",
        field="created_by",
    )


def hand_over_opportunity(opportunity, *, to, by) -> Opportunity:
    """Give a session standing alone to another member of staff to run (its `created_by`):
    from now on they see the access needs of the people booked, take the register and get
    its prompts. `by` runs it, or is a commissioner or an admin (permissions.can_run, checked
    by the view). The audit trail records who changed it, from whom to whom. Nobody booked is
    told, and calendars are not asked to update: nothing they see changes."""
    with transaction.atomic():
        # Their account row before the session's, the order erasing their account takes them
        # in (it gives up the places they booked): a session handed to someone booked on it as
        # they erase their account would otherwise leave each waiting for the other.
        lock_account(to)
        locked = _lock(opportunity)
        if locked.project_id:
            raise ParticipationError(
                "A session in a project is run by the project’s owner and team.",
                field="created_by",
            )
        if locked.created_by_id == to.pk:
            return locked
        if locked.status == Opportunity.Status.CANCELLED:
            raise ParticipationError("A cancelled opportunity cannot be changed.")
        # Locked and read afresh: an administrator may be taking their staff role away at this
        # moment (handing_over), and the form's list of staff was read before either began.
        if not lock_and_check_staff(to):
            raise _cannot_run(to)
        locked.created_by = to
        locked.save(update_fields=["created_by"])
        return locked


# --- Attendance ------------------------------------------------------------------------


def record_attendance(
    opportunity, *, by, marks: dict[int, str], everyone_else: str = "", now=None
) -> int:
    """Record who came, by sign-up id. Returns how many records changed.

    `everyone_else`: what to record for each other person with a place who has nothing
    recorded yet, so staff with a big group mark only the few who did not come. Who has
    nothing recorded is read under the lock: what someone else saved meanwhile stands.

    Attendance is what fee and expense claims are based on, so it can only be recorded once
    the session has started, only for people who had a place, and never by the person
    themselves (staff who also take part): someone else running the session records theirs.
    """
    now = now or timezone.now()
    allowed = {choice for choice in SignUp.Attendance.values if choice}
    with transaction.atomic():
        locked = _lock(opportunity)
        if not locked.has_started(now):
            raise ParticipationError("You can take attendance once the session has started.")
        if locked.status == Opportunity.Status.CANCELLED:
            raise ParticipationError("This opportunity was cancelled, so nobody attended.")
        chosen = Q(pk__in=marks)
        if everyone_else:
            chosen |= Q(attendance=SignUp.Attendance.UNKNOWN)
        signups = locked.signups.filter(chosen, status=Status.BOOKED).select_related("resident")
        changed, before = [], {}
        for signup in signups:
            value = marks.get(signup.pk, everyone_else)
            if value not in allowed or value == signup.attendance:
                continue
            if signup.resident_id == by.pk:
                if signup.pk in marks:
                    raise ParticipationError(
                        "You cannot record your own attendance, as it is what your claim is "
                        "paid on. Ask someone else running the session."
                    )
                continue  # "everyone else attended" means everyone but them
            before[signup.pk] = (signup.attendance, signup.attendance_recorded_by_id)
            signup.attendance = value
            signup.attendance_recorded_at = now
            signup.attendance_recorded_by = by
            signup.opportunity = locked
            changed.append(signup)
        if changed:
            _save_attendance(changed, now=now, by=by, before=before)
        came = [signup for signup in changed if signup.attendance == SignUp.Attendance.ATTENDED]
        _tell_people_who_came(came, locked, now=now)
        return len(changed)


def _tell_people_who_came(came, opportunity, *, now) -> None:
    """What people newly marked as attended hear, however they came to be on the register:
    how to claim, when the session pays anything, and the survey about how it went."""
    if came and opportunity.pays_anything:
        # One prompt per attendance, however often staff correct the register: the key
        # is the sign-up's, and the outbox keeps one message per key and person.
        queue_messages_for_events(
            "claim_prompt",
            events=[
                (
                    signup.resident,
                    f"signup:{signup.pk}:claim_prompt",
                    {"signup": signup, "opportunity": opportunity},
                )
                for signup in came
            ],
        )
    if came:
        # Everyone who took part is asked how it went ("I" statements survey).
        from insight.services import invite_attendees_to_survey

        invite_attendees_to_survey(came, now=now)


def _save_attendance(signups, *, now, by, before) -> None:
    """Save what `record_attendance` set on `signups`: one UPDATE for the whole register.

    The rows differ only in what was recorded, so a CASE on the few values (not on each
    row, as `bulk_update` would write it) keeps the statement short for a big group. An
    UPDATE sends no signals, so what the audit trail and the public pages' copies would hear
    from a save is told here. `before`: each sign-up's (attendance, recorded by) until now."""
    updated_at = timezone.now()  # what `auto_now` would have set on save()
    by_value = {}
    for signup in signups:
        by_value.setdefault(signup.attendance, []).append(signup.pk)
        signup.updated_at = updated_at
    SignUp.objects.filter(pk__in=[signup.pk for signup in signups]).update(
        attendance=Case(
            *(When(pk__in=pks, then=Value(value)) for value, pks in by_value.items()),
            default=F("attendance"),
        ),
        attendance_recorded_at=now,
        attendance_recorded_by=by,
        updated_at=updated_at,
    )
    page_cache.changed_without_signals(SignUp)
    changes = []
    for signup in signups:
        was, was_recorded_by = before[signup.pk]
        changed = {"attendance": [was, signup.attendance]}
        if was_recorded_by != by.pk:
            changed["attendance_recorded_by"] = [was_recorded_by, by.pk]
        changes.append((signup, changed))
    log_updates(changes, by=by)


# --- People who came without a place --------------------------------------------------


def walk_in_closed_reason(opportunity, now=None) -> str:
    """Why staff cannot put someone on this session's register as having come
    (`record_walk_in`), in words for them; "" when they can. The pages that add people ask it
    before anything is typed, so they say what will happen: before the session starts, staff
    sign people up instead (`sign_up`), as always."""
    if opportunity.status == Opportunity.Status.CANCELLED:
        return "This opportunity was cancelled, so nobody can be recorded as having come."
    if not opportunity.has_started(now):
        return (
            "You can add someone who came once the session has started. Until then, sign them up."
        )
    if opportunity.status == Opportunity.Status.DRAFT:
        return "This session was never published, so nobody can be recorded as having come."
    return ""


def record_walk_in(opportunity, *, person, by, now=None) -> SignUp:
    """Put `person` on the register of a session that has started, as having come, though
    they had no place: they turned up on the day, or were still on the waiting list, offered
    a place or had cancelled. Their sign-up (a person has at most one) becomes a booked place
    marked "attended", added on the day by `by` (`added_on_the_day`, `signed_up_by`), so they
    can claim, are asked how it went and hear "we said, we did" like everyone else who came.
    Someone who had a place already is marked as attended. Returns the sign-up.

    Nobody is told they "have a place": the session has happened. Recording the same person
    twice (two staff at once) changes nothing more: the session's row lock puts the second
    after the first, which then finds them on the register.
    """
    now = now or timezone.now()
    if person.pk == by.pk:
        raise ParticipationError(
            "You cannot record that you came yourself, as it is what your claim is paid on. "
            "Ask someone else running the session."
        )
    with transaction.atomic():
        locked = _lock(opportunity)
        reason = walk_in_closed_reason(locked, now)
        if reason:
            raise ParticipationError(reason)
        if not person.is_active or not person.has_role(Role.RESIDENT):
            raise ParticipationError(
                f"{person} does not have a resident account, so they cannot be recorded as "
                "having come."
            )
        signup = SignUp.objects.filter(opportunity=locked, resident=person).first()
        created = signup is None
        before = {
            "attendance": "" if created else signup.attendance,
            "attendance_recorded_by": None if created else signup.attendance_recorded_by_id,
            "added_on_the_day": not created and signup.added_on_the_day,
        }
        if signup is not None and signup.status == Status.BOOKED:
            if signup.attendance == SignUp.Attendance.ATTENDED:
                return signup
        else:
            if signup is not None:
                # What staff were to phone through about the place they waited for, were
                # offered or cancelled (or that no place came up) is no longer true.
                withdraw_calls(
                    Message.objects.filter(
                        recipient_id=person.pk, event_key__startswith=f"signup:{signup.pk}:"
                    )
                )
            # Not checked against the session's places, on purpose: they limit how many
            # people book ahead, not who came. A full session still takes people who turn up,
            # and nobody else loses a place (update_opportunity leaves these out of the count).
            signup = signup or SignUp(resident=person, profile_needs_shared=False)
            signup.opportunity = locked
            signup.added_on_the_day = True
            signup.signed_up_by = by
        signup.attendance = SignUp.Attendance.ATTENDED
        signup.attendance_recorded_at = now
        signup.attendance_recorded_by = by
        # The audit entry is written below, naming `by`: auditlog's own would name nobody
        # when no request is behind the change.
        with disable_auditlog():
            if signup.status == Status.BOOKED:
                signup.save(
                    update_fields=[
                        "attendance",
                        "attendance_recorded_at",
                        "attendance_recorded_by",
                        "updated_at",
                    ]
                )
            else:
                _set_status(signup, Status.BOOKED, now, waiting_since=None, offer_expires_at=None)
        _audit_walk_in(signup, by=by, before=before, created=created)
        signup.opportunity = locked
        _tell_people_who_came([signup], locked, now=now)
        return signup


def _audit_walk_in(signup, *, by, before, created) -> None:
    """The audit trail's entry for `record_walk_in`: what auditlog records of a sign-up (its
    attendance, who recorded it, whether they were added on the day), as it would write it."""
    after = {
        "attendance": signup.attendance,
        "attendance_recorded_by": by.pk,
        "added_on_the_day": signup.added_on_the_day,
    }
    changes = {
        name: [before[name], value] for name, value in after.items() if before[name] != value
    }
    action = LogEntry.Action.CREATE if created else LogEntry.Action.UPDATE
    unsaved_entry(signup, action=action, changes=changes, by=by).save()


def add_person_who_came(
    opportunity,
    *,
    by,
    display_name,
    email="",
    phone="",
    postal_address="",
    contact_by=Profile.ContactBy.EMAIL,
    now=None,
) -> SignUp:
    """`add_person_and_sign_up` for a session that has started: an account for someone who
    came and is not on the hub, put on the register as having come (`record_walk_in`), in one
    transaction, so a refusal leaves no account behind."""
    with transaction.atomic():
        person = _add_person(
            display_name=display_name,
            email=email,
            phone=phone,
            postal_address=postal_address,
            contact_by=contact_by,
        )
        return record_walk_in(opportunity, person=person, by=by, now=now)


def claims_against_the_register(opportunity) -> list:
    """Claims for this session that were approved or paid though the register no longer
    says their person attended: staff corrected it afterwards. The register should say what
    happened, so the change stands; the money is for a commissioner to correct, and staff
    are told so. One query."""
    from payments.models import Claim

    return list(
        Claim.objects.filter(
            signup__opportunity=opportunity,
            status__in=[Claim.Status.APPROVED, Claim.Status.PAID],
        )
        .exclude(signup__attendance=SignUp.Attendance.ATTENDED)
        .select_related("signup__resident")
        .order_by("signup__resident__display_name", "pk")
    )


# --- Messages to the group -------------------------------------------------------------

GROUP_MESSAGE = "group_message"
UNSUBSCRIBED = "unsubscribed"

# How each way of hearing reads in a sentence, in the order staff see them.
HOW_PEOPLE_HEAR = {
    Message.Channel.EMAIL: "by email",
    Message.Channel.SMS: "by text message",
    Message.Channel.CALL_LIST: "by phone or post (on the staff call list)",
    UNSUBSCRIBED: "will not get it (they turned off messages about sessions)",
}


@dataclass
class Reach:
    """Who a message to the group would reach, and how, worked out before it is sent."""

    people: list[tuple[SignUp, str]] = field(default_factory=list)  # (sign-up, channel)
    easy_read: int = 0  # how many of them get it by email in easy read

    def __len__(self) -> int:
        return len(self.people)

    def __add__(self, other: "Reach") -> "Reach":
        return Reach(self.people + other.people, self.easy_read + other.easy_read)

    def hearing(self, how: str) -> int:
        """How many of them hear this way (a channel, or UNSUBSCRIBED)."""
        return sum(1 for _, channel in self.people if channel == how)

    @property
    def by_text(self) -> int:
        return self.hearing(Message.Channel.SMS)

    @property
    def on_call_list(self) -> int:
        return self.hearing(Message.Channel.CALL_LIST)

    def summary(self) -> str:
        """For example "12 people: 9 by email, 2 by text message, 1 by phone or post"."""
        if not self.people:
            return "Nobody"
        total = len(self.people)
        return f"{total} {'person' if total == 1 else 'people'}: {self.ways()}"

    def ways(self) -> str:
        """For example "9 by email, 2 by text message"."""
        counts = Counter(how for _, how in self.people)
        return ", ".join(
            f"{counts[how]} {words}" for how, words in HOW_PEOPLE_HEAR.items() if counts[how]
        )

    @property
    def gets_texts(self) -> bool:
        return any(how == Message.Channel.SMS for _, how in self.people)

    def rows(self) -> list[tuple[SignUp, str]]:
        """(sign-up, how they hear, in words), for the list of names."""
        return [(signup, HOW_PEOPLE_HEAR[how]) for signup, how in self.people]


def group_message_reach(opportunity) -> tuple[Reach, Reach]:
    """(people with a place, people waiting): who a message to the group would reach and by
    which channel, as the outbox will choose it. Two queries, however many people."""
    signups = list(
        opportunity.signups.to_message(include_waiting=True)
        .select_related("resident__profile")
        .order_by("resident__display_name", "pk")
    )
    unsubscribed = set(
        Unsubscribe.objects.filter(
            category=category_for(GROUP_MESSAGE), user_id__in=[s.resident_id for s in signups]
        ).values_list("user_id", flat=True)
    )
    held, waiting = Reach(), Reach()
    for signup in signups:
        if signup.resident_id in unsubscribed:
            how = UNSUBSCRIBED
        else:
            how = choose_channel(signup.resident)[0]
        reach = held if signup.holds_place else waiting
        reach.people.append((signup, how))
        if how == Message.Channel.EMAIL and _wants_easy_read(signup.resident):
            reach.easy_read += 1
    return held, waiting


def _wants_easy_read(person) -> bool:
    try:
        return person.profile.format == Profile.InformationFormat.EASY_READ
    except Profile.DoesNotExist:
        return False


def message_group(
    opportunity,
    *,
    by,
    token,
    subject,
    text,
    easy_read_text="",
    include_waiting=False,
    now=None,
) -> tuple[GroupMessage, bool]:
    """Send staff's message to everyone with a place (booked or offered) and, if asked, to the
    waiting list; never to people who cancelled. Returns (the record, whether it was sent now).
    People who asked for easy read get `easy_read_text` instead of `text` when there is one.

    `token` comes from the form. The same form sent again (a double click, the browser
    sending it again) finds the first record and sends nothing. The opportunity's row lock
    makes a second request wait until the first has committed, so it sees that record; the
    outbox's unique (event key, person) would stop a second copy even without it.

    Allowed after the session (to thank people, say) and after cancelling (a new date).
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock(opportunity)
        earlier = GroupMessage.objects.filter(token=token).first()
        if earlier is not None:
            if earlier.opportunity_id != locked.pk:
                raise ParticipationError(
                    "This form was for another opportunity. Open the page again and send your "
                    "message from there."
                )
            return earlier, False
        signups = list(
            locked.signups.to_message(include_waiting=include_waiting)
            .select_related("resident__profile")
            .order_by("pk")
        )
        if not signups:
            raise ParticipationError(
                "Nobody has a place or is on the waiting list, so there is nobody to send this to."
                if include_waiting
                else "Nobody has a place, so there is nobody to send this to."
            )
        record = GroupMessage.objects.create(
            opportunity=locked,
            token=token,
            sent_by=by,
            include_waiting=include_waiting,
            subject=subject.strip(),
            text=text.strip(),
            easy_read_text=easy_read_text.strip(),
            recipient_count=len(signups),
            created_at=now,
        )
        # People waiting are told they have no place yet, so they cannot mistake it for one.
        for waiting in (False, True):
            recipients = [s.resident for s in signups if (s.status == Status.WAITING) == waiting]
            if recipients:
                queue_messages(
                    GROUP_MESSAGE,
                    recipients=recipients,
                    event_key=record.event_key,
                    context={
                        **_group_message_context(
                            locked, by, record.subject, record.text, record.easy_read_text, waiting
                        ),
                        # Each person's link opens their own place (`place_link`), and
                        # says where they go or that they join online (`recipient_where`).
                        "places": {s.resident_id: s.get_absolute_url() for s in signups},
                        "joinings": {s.resident_id: s.joining for s in signups},
                    },
                )
        return record, True


def _group_message_context(opportunity, sender, subject, text, easy_read_text, waiting):
    return {
        "opportunity": opportunity,
        "sender": sender,
        "subject": subject,
        "text": text,
        "easy_read_text": easy_read_text,
        "waiting": waiting,
    }


# Stands in for each person in a preview: the message greets them by name.
_ANYONE = SimpleNamespace(get_short_name="[their name]")


def preview_group_message(opportunity, *, by, subject, text, easy_read_text="") -> dict:
    """The message as people with a place will get it, by email, in easy read and by text,
    for staff to check before sending: {"subject", "body", "easy_read_body", "text_message"}.
    """
    context = _group_message_context(
        opportunity, by, subject.strip(), text.strip(), easy_read_text.strip(), False
    )
    context["recipient"] = _ANYONE
    subject, body = render_message(GROUP_MESSAGE, context)
    return {
        "subject": subject,
        "body": body,
        "easy_read_body": body_in_format(GROUP_MESSAGE, "easy_read.txt", context, body),
        "text_message": render_text_message(GROUP_MESSAGE, context, email_body=body),
    }


def on_call_list(record: GroupMessage) -> int:
    """How many people staff must phone or write to for this message."""
    return Message.objects.filter(
        event_key=record.event_key, status=Message.Status.CALL_LIST
    ).count()


# --- People added by staff -------------------------------------------------------------


def add_person_and_sign_up(
    opportunity,
    *,
    by,
    display_name,
    email="",
    phone="",
    postal_address="",
    contact_by=Profile.ContactBy.EMAIL,
    access_needs_note="",
    joining="",
) -> SignUp:
    """Create a resident account for someone who is not online and sign them up, in one
    transaction: if the sign-up is refused, no account is left behind to trip up the next
    try ("someone already has an account with that email address").

    They have no password until they ask to reset it. Without an email address they get a
    placeholder under the reserved ".invalid" domain (which can never receive mail) and are
    contacted by post or phone through the staff call list.
    """
    with transaction.atomic():
        person = _add_person(
            display_name=display_name,
            email=email,
            phone=phone,
            postal_address=postal_address,
            contact_by=contact_by,
        )
        return sign_up(
            opportunity,
            resident=person,
            by=by,
            access_needs_note=access_needs_note,
            joining=joining,
        )


def _add_person(*, display_name, email, phone, postal_address, contact_by) -> User:
    email, phone, postal_address = email.strip().lower(), phone.strip(), postal_address.strip()
    if not email and contact_by == Profile.ContactBy.EMAIL:
        contact_by = Profile.ContactBy.POST_OR_PHONE
    if contact_by == Profile.ContactBy.TEXT and not notify_configured():
        raise ParticipationError(TEXTS_UNAVAILABLE)
    if contact_by == Profile.ContactBy.POST_OR_PHONE and not (phone or postal_address):
        raise ParticipationError(OFFLINE_PERSON_NEEDS_DETAILS)
    with transaction.atomic():
        if email and User.objects.filter(email__iexact=email).exists():
            raise ParticipationError(
                "Someone already has an account with that email address. Find them by their "
                "email address instead."
            )
        if not email:
            email = f"no-email-{secrets.token_hex(8)}@people.invalid"
        user = User.objects.create_user(email=email, password=None, display_name=display_name)
        keep_email_on_record(user)
        grant_role(user, Role.RESIDENT)
        Profile.objects.create(
            user=user, phone=phone, postal_address=postal_address, contact_by=contact_by
        )
        return user


# --- Profile ---------------------------------------------------------------------------


def update_interests(profile, *, interests, preferred_levels, preferred_formats) -> Profile:
    with transaction.atomic():
        profile.preferred_levels = list(preferred_levels)
        profile.preferred_formats = list(preferred_formats)
        profile.save(update_fields=["preferred_levels", "preferred_formats", "updated_at"])
        profile.interests.set(interests)
        return profile


def set_access_needs(profile, *, access_needs, consent, now=None) -> Profile:
    """Keep access needs only with explicit consent; without it we keep nothing."""
    now = now or timezone.now()
    access_needs = access_needs.strip()
    if access_needs and not consent:
        raise ParticipationError(
            "Tick the box to agree that we can keep your access needs, or leave them empty."
        )
    with transaction.atomic():
        changed = access_needs != profile.access_needs
        profile.access_needs = access_needs
        profile.access_needs_consent_at = (
            (profile.access_needs_consent_at or now) if (access_needs) else None
        )
        profile.save(update_fields=["access_needs", "access_needs_consent_at", "updated_at"])
        if changed:
            _tell_runners_of_sessions_soon(profile.user_id, now=now)
        return profile


def _tell_runners_of_sessions_soon(person_id, *, now) -> None:
    """The person's profile needs changed: tell the staff running the sessions they booked in
    the next two weeks that show those needs (not ones staff booked them onto, until shared)."""
    soon = SignUp.objects.filter(
        resident_id=person_id,
        status__in=[Status.BOOKED, Status.OFFERED],
        profile_needs_shared=True,
        opportunity__status__in=Opportunity.GOING_AHEAD,
        opportunity__starts_at__gt=now,
        opportunity__starts_at__lte=now + timedelta(days=NEEDS_NEWS_DAYS_AHEAD),
    ).select_related("opportunity__project", "resident")
    _tell_runners_needs_changed(list(soon), now=now)


def delete_access_needs(profile) -> Profile:
    """Forget everything the person told us about their access needs, including the notes
    they added to single sessions."""
    with transaction.atomic():
        had_needs = bool(profile.access_needs)
        profile.access_needs = ""
        profile.access_needs_consent_at = None
        profile.save(update_fields=["access_needs", "access_needs_consent_at", "updated_at"])
        SignUp.objects.filter(resident_id=profile.user_id).exclude(access_needs_note="").update(
            access_needs_note=""
        )
        if had_needs:
            _tell_runners_of_sessions_soon(profile.user_id, now=timezone.now())
        return profile


def share_profile_needs(signup, *, by) -> SignUp:
    """The person lets the staff running a session they were booked onto see the access
    needs in their profile. Only the person may: it is their consent to give."""
    if by.pk != signup.resident_id:
        raise ParticipationError("Only the person who has this place can share their needs.")
    if not signup.is_active:
        raise ParticipationError("This place was cancelled, so there is nothing to share.")
    with transaction.atomic():
        signup.profile_needs_shared = True
        signup.save(update_fields=["profile_needs_shared", "updated_at"])
        _tell_runners_of_needs_soon([signup], now=timezone.now(), reason="shared")
    return signup


def _lock_place_still_to_come(signup, now):
    """Lock the session, then read the place afresh, for a change to a place before its
    session: refused once the place is cancelled, or the session cancelled or started."""
    opportunity = _lock(signup.opportunity)
    signup = SignUp.objects.select_related("resident").get(pk=signup.pk)
    if not signup.is_active:
        raise ParticipationError("This place was cancelled, so there is nothing to change.")
    if opportunity.status == Opportunity.Status.CANCELLED:
        raise ParticipationError("This session has been cancelled.")
    if opportunity.has_started(now):
        raise ParticipationError(
            "This session has already started. Please tell the contact for the session."
        )
    return opportunity, signup


def change_session_needs(signup, *, by, note, now=None) -> SignUp:
    """The person changes what they told us they need for this session alone (SPEC 4.2:
    needs "can be added to per sign-up"), until it starts. Only the person may: it is theirs
    to tell. Returns the place; saving the same words again changes nothing."""
    now = now or timezone.now()
    if by.pk != signup.resident_id:
        raise ParticipationError("Only the person who has this place can change what they need.")
    with transaction.atomic():
        opportunity, signup = _lock_place_still_to_come(signup, now)
        note = note.strip()
        if note == signup.access_needs_note:
            return signup
        signup.access_needs_note = note
        signup.save(update_fields=["access_needs_note", "updated_at"])
        signup.opportunity = opportunity
        _tell_runners_needs_changed([signup], now=now)
    return signup


def change_joining(signup, *, by, joining, now=None) -> SignUp:
    """Say again how someone will join a hybrid session (SignUp.joining), until it starts:
    the person from their place's page, or staff running it (the view checks, as for the
    page), say after a phone call. Their reminders then say where to go or how to join
    online. Returns the place; choosing the same again changes nothing.

    Joining online, nobody travels: a taxi agreed for them is withdrawn with the change, and
    they are told why (payments.services.withdraw_taxi_for_joining_online). The place comes
    back with `taxi_withdrawn` set to that agreement (None when there was none), for the page
    to say so. Coming in person again brings nothing back by itself: staff agree a taxi
    anew if one is needed. Either way, the staff who may have arranged something for the
    old way of joining are told (`_tell_staff_joining_changed`)."""
    from payments.services import withdraw_taxi_for_joining_online

    now = now or timezone.now()
    with transaction.atomic():
        # Agreeing a taxi takes the same lock on the session (payments.services.agree_taxi),
        # so an agreement made at the same moment is either here to withdraw below, or
        # waits and then finds they join online, and is refused.
        opportunity, signup = _lock_place_still_to_come(signup, now)
        if opportunity.format != Opportunity.Format.HYBRID:
            raise ParticipationError(
                f"This session is {opportunity.get_format_display().lower()} only, so there "
                "is no choice to make."
            )
        joining = _joining_for(opportunity, joining, on_behalf=by.pk != signup.resident_id)
        signup.opportunity = opportunity
        signup.taxi_withdrawn = None
        if joining == signup.joining:
            return signup
        signup.joining = joining
        signup.save(update_fields=["joining", "updated_at"])
        if joining == SignUp.Joining.ONLINE:
            signup.taxi_withdrawn = withdraw_taxi_for_joining_online(signup, by=by, now=now)
        _tell_staff_joining_changed(signup, by=by, taxi=signup.taxi_withdrawn, now=now)
    return signup


JOINING_CHANGED = "joining_changed"


def staff_told_of_joining(signup, *, now=None) -> list[User]:
    """The staff who would hear, besides about a taxi, that this person changed how they will
    join: those who may have arranged support for the way they join now (an interpreter in
    the room, say). That is anyone we told about their needs (as when the place ends,
    `_tell_runners_place_ended`), and, within two weeks of the session, everyone running it,
    if the person has needs staff can see (as for a change to their needs). The joining page
    reads it to say so before the person chooses."""
    from .permissions import running_in_person

    now = now or timezone.now()
    opportunity = signup.opportunity
    if opportunity.has_started(now) or not signup.holds_place:
        return []  # staff plan for the places held, not the waiting list
    people = {person.pk: person for person in _staff_told_of_needs(signup, opportunity)}
    soon = opportunity.starts_at <= now + timedelta(days=NEEDS_NEWS_DAYS_AHEAD)
    if soon and (signup.access_needs_note or signup.needs_for_staff):
        for person in running_in_person([opportunity])[opportunity.pk]:
            people.setdefault(person.pk, person)
    return [person for pk, person in sorted(people.items()) if pk != signup.resident_id]


def _tell_staff_joining_changed(signup, *, by, taxi, now) -> int:
    """Tell staff, once each, what changes for them when someone changes how they join: a taxi
    withdrawn (to the person who agreed it and everyone running the session, so a cab booked
    is cancelled) and support they may have arranged (`staff_told_of_joining`). Not what the
    person needs: special category data stays out of emails. Not the member of staff who
    made the change: they have just read it on the page. The caller holds the locks."""
    from .permissions import running_in_person

    opportunity = signup.opportunity
    about_needs = {person.pk: person for person in staff_told_of_joining(signup, now=now)}
    about_taxi = {}
    if taxi is not None:
        if taxi.agreed_by.is_active:
            about_taxi[taxi.agreed_by_id] = taxi.agreed_by
        for person in running_in_person([opportunity])[opportunity.pk]:
            about_taxi.setdefault(person.pk, person)
    # A taxi is told once (its agreement). Otherwise each change is told: staff must know the
    # latest way, even after someone changes their mind twice in a day. Choosing the same
    # again changes nothing, so tells nobody.
    key = (
        f"signup:{signup.pk}:{JOINING_CHANGED}:taxi:{taxi.pk}"
        if taxi is not None
        else f"signup:{signup.pk}:{JOINING_CHANGED}:{now:%Y%m%dT%H%M%S%f}"
    )
    changed_by = by if by.pk != signup.resident_id else None
    events = []
    for pk, person in sorted({**about_needs, **about_taxi}.items()):
        if pk in (signup.resident_id, by.pk):
            continue
        context = {
            "signup": signup,
            "opportunity": opportunity,
            "changed_by": changed_by,
            "taxi": taxi if pk in about_taxi else None,
            "about_needs": pk in about_needs,
        }
        events.append((person, key, context))
    return queue_messages_for_events(JOINING_CHANGED, events=events)


# Staff are told when someone's profile needs change this close to a session they booked:
# later changes reach the session's page in time, and they read it before the day.
NEEDS_NEWS_DAYS_AHEAD = 14


def _tell_runners_of_needs_with_new_places(signups, *, now) -> int:
    """People who get a place (booked, or offered from the waiting list) within two weeks of
    a session and have told us what they need: its staff may have planned the day already,
    so they hear as they would of a change. What people waiting need matters from here."""
    return _tell_runners_of_needs_soon(signups, now=now, reason="new_place")


def _tell_runners_of_needs_soon(signups, *, now, reason) -> int:
    """Tell the staff running sessions that start within two weeks about places there whose
    needs staff can see (`SignUp.needs_for_staff`, or a note for the session)."""
    soon = [
        signup
        for signup in signups
        if signup.opportunity.starts_at <= now + timedelta(days=NEEDS_NEWS_DAYS_AHEAD)
    ]
    # The person's profile: loaded with the places offered from the waiting list, else one
    # query for the one place booked or shared.
    with_needs = [signup for signup in soon if signup.access_needs_note or signup.needs_for_staff]
    return _tell_runners_needs_changed(with_needs, now=now, reason=reason)


def _tell_runners_needs_changed(signups, *, now, reason="changed") -> int:
    """Tell the staff running each session (permissions.running_in_person) that someone with a
    place there changed what they need (or, by `reason`, has just got a place, or let them
    see their profile's needs): not what it is (special category data stays out of emails),
    only a link to their place. Places held (booked or offered) only; at most one message a
    place a day, however often the person edits."""
    from .permissions import running_in_person

    signups = [signup for signup in signups if signup.holds_place]
    if not signups:
        return 0
    runners = running_in_person({signup.opportunity for signup in signups})
    events = []
    for signup in signups:
        for person in runners[signup.opportunity.pk]:
            if person.pk == signup.resident_id:
                continue  # their own place: they know what they need
            key = f"signup:{signup.pk}:needs_changed:{timezone.localdate(now).isoformat()}"
            context = {"signup": signup, "opportunity": signup.opportunity, "reason": reason}
            events.append((person, key, context))
    return queue_messages_for_events("access_needs_changed", events=events)


NEEDS_NEWS = "access_needs_changed"
NEEDS_PLACE_ENDED = "access_needs_place_ended"
# Messages that never reached the staff member: they were not told.
NOT_TOLD = (Message.Status.SKIPPED, Message.Status.WITHDRAWN, Message.Status.FAILED)


def _tell_runners_place_ended(signup, opportunity, *, now, erased=False) -> int:
    """The place of someone whose needs the staff running the session were told about
    (`_tell_runners_needs_changed`) has ended before it starts: tell those same staff, once,
    so support arranged for them (an interpreter, say) is not kept for nobody. Nobody hears
    when no staff were told, nor again until they are told about needs again (after booking
    once more, say). `erased`: the person's account is being erased, and with it their place's
    page, so the message points to the session's page instead. The caller holds the lock."""
    if opportunity.has_started(now):
        return 0
    runners = _staff_told_of_needs(signup, opportunity)
    context = {"signup": signup, "opportunity": opportunity, "erased": erased}
    return queue_messages_for_events(
        NEEDS_PLACE_ENDED,
        events=[(person, _event_key(signup, NEEDS_PLACE_ENDED), context) for person in runners],
    )


def _staff_told_of_needs(signup, opportunity) -> list[User]:
    """The staff we told about this place's needs, and have not told since that it ended."""
    # The messages about this place to staff, in the order they were written; the opportunity
    # (an indexed column) narrows them to one session's before the key is read.
    told = (
        Message.objects.filter(
            opportunity_id=opportunity.pk,
            kind__in=[NEEDS_NEWS, NEEDS_PLACE_ENDED],
            event_key__startswith=f"signup:{signup.pk}:",
            recipient__is_active=True,
        )
        .exclude(status__in=NOT_TOLD)
        .select_related("recipient")
        .order_by("pk")
    )
    latest = {message.recipient_id: message for message in told}
    return [message.recipient for message in latest.values() if message.kind == NEEDS_NEWS]


NEEDS_SESSION_CANCELLED = "access_needs_session_cancelled"


def _told_about(event_key) -> int | None:
    """The place a message to staff about needs is about: its key starts "signup:<id>:"."""
    kind, _, rest = event_key.partition(":")
    place_id = rest.partition(":")[0]
    return int(place_id) if kind == "signup" and place_id.isdigit() else None


def _tell_runners_session_cancelled(opportunity, signups, *, by, now) -> int:
    """The whole session is called off: each member of staff told about the needs of people
    taking part in it (`_tell_runners_needs_changed`), and not told since that their place
    ended, gets one message linking to those people's places (never naming them, as the
    message about one place ending does not), so they can cancel the interpreters, taxis
    or hearing loops they booked. `signups`: the places booked, offered or waiting until now.
    The caller holds the lock, and has just marked the session cancelled, so a second
    cancellation (a double click, two staff at once) returns before this; the event key,
    one per session and person, would drop a second message anyway.

    Whoever cancelled it is told too, when they were told about someone's needs. Cancelling
    is a page they leave at once, and nothing on it says whose support was arranged; the
    message is the list of support to undo, kept in their inbox for when they make the calls.
    A colleague on the team may have booked the interpreter, but each of them may have, and
    nobody else is sent anything, so this is one message each, at most, and only to people
    who have something to undo."""
    if opportunity.has_started(now):
        return 0  # support arranged for the day is already there, or on its way
    places = {signup.pk: signup for signup in signups}
    told = (
        Message.objects.filter(
            opportunity_id=opportunity.pk,
            kind__in=[NEEDS_NEWS, NEEDS_PLACE_ENDED],
            recipient__is_active=True,
        )
        .exclude(status__in=NOT_TOLD)
        .select_related("recipient")
        .order_by("pk")
    )
    latest = {}  # (place id, staff id): the last message that person had about that place
    for message in told:
        place_id = _told_about(message.event_key)
        if place_id in places:
            latest[place_id, message.recipient_id] = message
    to_undo = {}  # staff id: (the staff member, [places whose needs they were told of])
    for (place_id, _), message in latest.items():
        if message.kind == NEEDS_NEWS:
            person, their_places = to_undo.setdefault(message.recipient_id, (message.recipient, []))
            their_places.append(places[place_id])
    events = []
    for person, their_places in to_undo.values():
        context = {
            "opportunity": opportunity,
            "places": sorted(their_places, key=lambda s: (str(s.resident).lower(), s.pk)),
            "cancelled_by": by,
        }
        events.append((person, f"opportunity:{opportunity.pk}:{NEEDS_SESSION_CANCELLED}", context))
    return queue_messages_for_events(NEEDS_SESSION_CANCELLED, events=events)


def update_contact_preferences(profile, *, contact_by, phone, postal_address, format, large_print):
    """How we reach the person, and how information should be written for them: the words
    (`format`: standard or easy read) and, apart from them, large print."""
    phone, postal_address = phone.strip(), postal_address.strip()
    if contact_by == Profile.ContactBy.TEXT and not notify_configured():
        # Saved, it would quietly become email or the call list (choose_channel).
        raise ParticipationError(TEXTS_UNAVAILABLE)
    if contact_by == Profile.ContactBy.TEXT and not phone:
        raise ParticipationError("Enter a mobile phone number so we can send text messages.")
    if contact_by == Profile.ContactBy.POST_OR_PHONE and not (phone or postal_address):
        raise ParticipationError(POST_OR_PHONE_NEEDS_DETAILS)
    profile.contact_by = contact_by
    profile.phone = phone
    profile.postal_address = postal_address
    profile.format = format
    profile.large_print = large_print
    profile.save(
        update_fields=[
            "contact_by",
            "phone",
            "postal_address",
            "format",
            "large_print",
            "updated_at",
        ]
    )
    return profile


def update_alert_frequency(profile, alert_frequency) -> Profile:
    """How often the person hears about new opportunities that match their interests."""
    profile.alert_frequency = alert_frequency
    profile.save(update_fields=["alert_frequency", "updated_at"])
    return profile


def new_calendar_link(profile) -> Profile:
    """Stop the old personal calendar link working and make a new one."""
    profile.calendar_key = secrets.token_urlsafe()
    profile.save(update_fields=["calendar_key", "updated_at"])
    return profile


# --- Venues ----------------------------------------------------------------------------


# A change to these at a venue is news for everyone with a place at a session still to come
# there, as a move to another venue is (CHANGES_PEOPLE_MUST_HEAR): someone who booked because
# the page said "step-free access" must not find out at the door. The area (for searching)
# and the access notes (words, like a session's description) are not.
VENUE_CHANGES_PEOPLE_MUST_HEAR = (
    "name",
    "address",
    "postcode",
    *(name for name, _ in Venue.ACCESS_FACTS),
)


def _in_one_line(text) -> str:
    return " ".join(str(text).split())


def _address_in_one_line(venue) -> str:
    lines = [_in_one_line(line) for line in venue.address.splitlines()]
    return ", ".join(part for part in [*lines, venue.postcode] if part)


def save_venue(venue=None, *, by, now=None, **fields) -> Venue:
    """Save a venue. A change to its name, address or access facts is told to everyone
    booked, offered a place or waiting at the sessions still to come there, and those
    sessions' calendar files change with it. Venues are shared, so the staff running those
    sessions may not know of the change themselves."""
    now = now or timezone.now()
    with transaction.atomic():
        before = None
        if venue is not None and venue.pk:
            # Read again, as saved: the form has already put the new values on `venue`. Locked,
            # so when two people save it at once the second sees the first's change, and each
            # change is told once.
            before = Venue.objects.select_for_update().get(pk=venue.pk)
        venue = venue or Venue()
        for name, value in fields.items():
            setattr(venue, name, value)
        venue.save()
        if before is not None:
            changed = [
                name
                for name in VENUE_CHANGES_PEOPLE_MUST_HEAR
                if _in_one_line(getattr(before, name)) != _in_one_line(getattr(venue, name))
            ]
            if changed:
                _tell_about_venue_changes(venue, changed, now=now)
        return venue


def _venue_changes_in_words(venue, changed) -> list[str]:
    """ "The address is now 1 Mill Lane, AT1 1AA."; "Step-free access: no longer." """
    news = []
    if "name" in changed:
        news.append(f"The place is now called {_in_one_line(venue.name)}.")
    if "address" in changed or "postcode" in changed:
        news.append(f"The address is now {_address_in_one_line(venue)}.")
    for name, label in Venue.ACCESS_FACTS:
        if name in changed:
            news.append(f"{label}: {'yes, now' if getattr(venue, name) else 'no longer'}.")
    return news


def _tell_about_venue_changes(venue, changed, *, now) -> int:
    """Tell the people at each session still to come at `venue` (see `save_venue`), with
    the message a change to the session itself sends. Returns how many sessions."""
    sessions = list(
        Opportunity.objects.going_ahead_at(venue, now)
        .select_for_update(of=("self",))
        .order_by("pk")
    )
    if not sessions:
        return 0
    # A new SEQUENCE and LAST-MODIFIED in their calendar files (calendar._event), so
    # calendar apps take the new address; what `auto_now` would set on a save.
    updated_at = timezone.now()
    Opportunity.objects.filter(pk__in=[s.pk for s in sessions]).update(updated_at=updated_at)
    page_cache.changed_without_signals(Opportunity)
    news = _venue_changes_in_words(venue, changed)
    for session in sessions:
        session.updated_at = updated_at
        session.venue = venue
        _tell_about_changes(
            session,
            [f"venue.{name}" for name in changed],
            key=f"venue-{venue.pk}-{updated_at.timestamp():.6f}",
            news=news,
        )
    return len(sessions)


# --- Erasure ---------------------------------------------------------------------------


def withdraw_for_erasure(user, *, now=None) -> None:
    """Free the places of someone whose account is being erased, and pass them on.

    No message goes to the person: their contact details are being removed.
    """
    now = now or timezone.now()
    opportunity_ids = list(
        SignUp.objects.filter(resident=user, opportunity__starts_at__gt=now)
        .active()
        .values_list("opportunity_id", flat=True)
    )
    for opportunity_id in opportunity_ids:
        with transaction.atomic():
            opportunity = _lock(opportunity_id)
            signup = SignUp.objects.get(opportunity=opportunity, resident=user)
            freed_a_place = signup.holds_place
            _set_status(signup, Status.CANCELLED, now, offer_expires_at=None, waiting_since=None)
            _tell_runners_place_ended(signup, opportunity, now=now, erased=True)
            if freed_a_place:
                _offer_free_places(opportunity, now)
