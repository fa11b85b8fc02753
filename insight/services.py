"""Writes: survey invitations and answers, "We" self-assessments and equality answers.

Each function does its writes in one transaction and raises `InsightError` with a message
people can read when something is not allowed.
"""

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from learning.anonymiser import redact, scan
from notifications.services import queue_messages_for_events

from .equality import QUESTIONS
from .models import EqualityMonitoring, SurveyInvitation, SurveyResponse, WeAssessment
from .querysets import quarter_floor
from .statements import ASKED_NOT_YET, I_KEYS, I_STATEMENTS, NOT_YET, WE_KEYS, Agreement

# People can answer (and change their answers) for 8 weeks after the session ends.
SURVEY_OPEN_FOR = timedelta(weeks=8)


class InsightError(Exception):
    pass


def survey_closes_at(opportunity):
    return opportunity.ends_at + SURVEY_OPEN_FOR


def _attended(signup) -> bool:
    from participation.models import SignUp

    return signup.status == SignUp.Status.BOOKED and signup.attendance == SignUp.Attendance.ATTENDED


def _invitation_message(signup, closes_at) -> tuple:
    """The survey invitation's message for `invite_to_survey` and `invite_attendees_to_survey`:
    (recipient, event_key, context)."""
    from .tokens import survey_url

    return (
        signup.resident,
        # The same key however often this runs: the outbox keeps one message.
        f"signup:{signup.pk}:outcome_survey",
        {
            "opportunity": signup.opportunity,
            "survey_url": survey_url(signup),
            "closes_at": closes_at,
        },
    )


def invite_to_survey(signup, *, now=None) -> SurveyInvitation | None:
    """Invite someone who attended a session to the outcome survey, once. Returns the
    invitation, or None if the person did not attend or the survey has already closed."""
    now = now or timezone.now()
    if not _still_open(signup, now):
        return None
    invite_attendees_to_survey([signup], now=now)
    return SurveyInvitation.objects.get(signup=signup)


def _still_open(signup, now) -> bool:
    return _attended(signup) and survey_closes_at(signup.opportunity) > now


def invite_attendees_to_survey(signups, *, now=None) -> int:
    """Invite each of `signups` (with their opportunity and resident loaded) who attended to
    the outcome survey, once, unless their survey has closed; in a fixed number of queries
    however many there are. Saving the register calls it inside its transaction, and the
    periodic task `invite_recent_attendees` catches up anyone missed. Returns how many were
    newly invited.
    """
    now = now or timezone.now()
    signups = [signup for signup in signups if _still_open(signup, now)]
    if not signups:
        return 0
    # No savepoint: the invitations and their messages stand or fall with the attendance.
    with transaction.atomic(savepoint=False):
        invited = set(
            SurveyInvitation.objects.filter(signup__in=signups)
            .order_by()
            .values_list("signup_id", flat=True)
        )
        new = [signup for signup in signups if signup.pk not in invited]
        # ignore_conflicts: the sweep may invite one of them between the read above and this
        # write. Its invitation stands, and the message below is not doubled: the outbox
        # keeps one per event key.
        SurveyInvitation.objects.bulk_create(
            [
                SurveyInvitation(
                    signup=signup,
                    closes_at=survey_closes_at(signup.opportunity),
                    created_at=now,
                )
                for signup in new
            ],
            ignore_conflicts=True,
        )
        queue_messages_for_events(
            "outcome_survey",
            events=[
                _invitation_message(signup, survey_closes_at(signup.opportunity)) for signup in new
            ],
        )
    return len(new)


def _known_names(signup) -> list[str]:
    """Names the scanner should hide in this person's comment: theirs, the people they took
    part with, and the staff running the session or project. Bounded by the session's size."""
    from django.contrib.auth import get_user_model

    opportunity = signup.opportunity
    User = get_user_model()
    people = User.objects.filter(signups__opportunity=opportunity)
    names = list(people.values_list("display_name", flat=True))
    if opportunity.project_id:
        project = opportunity.project
        names += list(
            User.objects.filter(team_projects=project).values_list("display_name", flat=True)
        )
        names.append(project.owner.display_name)
        names.append(project.contact_name)
    names.append(opportunity.contact_name)
    names.append(opportunity.created_by.display_name)
    return sorted({name for name in names if name})


def save_survey_response(signup, *, answers: dict, comment: str, now=None) -> SurveyResponse:
    """Record (or change) one person's answers about one session.

    `answers` maps each "I" statement key to 1-5, None for "prefer not to say", or NOT_YET
    where the statement offers it. The comment goes through the personal-data scanner first;
    only the redacted text is stored.
    """
    now = now or timezone.now()
    missing = [key for key in I_KEYS if key not in answers]
    if missing:
        raise InsightError("Answer every question, or choose \u201cPrefer not to say\u201d.")
    for statement in I_STATEMENTS:
        allowed = [None, *Agreement.values, *([NOT_YET] if statement.not_yet else [])]
        if answers[statement.key] not in allowed:
            raise InsightError(f"\u201c{statement.text}\u201d has no such answer.")
    with transaction.atomic():
        invitation = SurveyInvitation.objects.select_for_update().filter(signup=signup).first()
        if invitation is None or not invitation.is_open(now):
            raise InsightError("This survey has closed, so your answers were not saved.")
        comment = comment.strip()
        findings = scan(comment, _known_names(signup)) if comment else []
        fields = {key: answers[key] for key in I_KEYS}
        for statement in ASKED_NOT_YET:
            fields[statement.not_yet_field] = fields[statement.key] == NOT_YET
            if fields[statement.not_yet_field]:
                fields[statement.key] = None
        fields.update(
            comment=redact(comment, findings) if findings else comment,
            comment_redactions=len(findings),
            updated_at=now,
            opportunity_id=signup.opportunity_id,
        )
        response, created = SurveyResponse.objects.update_or_create(
            signup=signup, defaults=fields, create_defaults={**fields, "submitted_at": now}
        )
    return response


def save_we_assessment(project, *, quarter_start, by, ratings: dict, evidence: dict, now=None):
    """Record (or change) a project team's "We" ratings for one quarter."""
    now = now or timezone.now()
    if quarter_start.day != 1 or quarter_start.month not in (1, 4, 7, 10):
        raise InsightError("Choose a quarter to rate.")
    fields = {}
    for key in WE_KEYS:
        rating, text = ratings.get(key), (evidence.get(key) or "").strip()
        if rating not in range(1, 6) or not text:
            raise InsightError("Rate every statement and give your evidence for each.")
        fields[key] = rating
        fields[f"{key}_evidence"] = text
    fields.update(assessed_by=by, updated_at=now)
    with transaction.atomic():
        assessment, _ = WeAssessment.objects.update_or_create(
            project=project,
            quarter_start=quarter_start,
            defaults=fields,
            create_defaults={**fields, "created_at": now},
        )
    return assessment


def equality_answers_for(person) -> EqualityMonitoring | None:
    return EqualityMonitoring.objects.filter(person=person).first()


def counted_as_at(now) -> date:
    """The day the dashboard's equality figures stand at: the first of the current quarter,
    that is the end of the last whole quarter (see `insight.dashboard.reach`)."""
    return quarter_floor(timezone.localdate(now))


def start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def save_equality_answers(person, *, answers: dict, now=None) -> EqualityMonitoring:
    """Save a person's own equality answers. Empty answers mean "not answered".

    Answers given before this quarter began are the ones counted until the next quarter, so
    the first change this quarter keeps them (as `counted_*`); later changes leave them be.
    """
    now = now or timezone.now()
    fields = {}
    for question in QUESTIONS:
        value = answers.get(question.field) or ""
        if value and value not in question.choices.values:
            raise InsightError(f"Choose one of the answers given: {question.text}")
        fields[question.field] = value
    as_at = counted_as_at(now)
    with transaction.atomic():
        record, created = EqualityMonitoring.objects.select_for_update().get_or_create(
            person=person, defaults={**fields, "updated_at": now}
        )
        if created:
            return record
        if record.updated_at < start_of(as_at):
            for question in QUESTIONS:
                setattr(record, f"counted_{question.field}", getattr(record, question.field))
            record.counted_at = as_at
        for field, value in fields.items():
            setattr(record, field, value)
        record.updated_at = now
        record.save()
    return record


def forget_superseded_equality_answers(*, now=None) -> int:
    """Empty the kept earlier answers of people whose changes are now counted: those who
    changed their answers before this quarter began. Returns how many were emptied."""
    now = now or timezone.now()
    return EqualityMonitoring.objects.filter(
        updated_at__lt=start_of(counted_as_at(now)), counted_at__isnull=False
    ).update(counted_at=None, **{f"counted_{q.field}": "" for q in QUESTIONS})


def delete_equality_answers(person) -> bool:
    """Delete everything the person told us for equality monitoring. True if there was any."""
    deleted, _ = EqualityMonitoring.objects.filter(person=person).delete()
    return bool(deleted)


def invite_recent_attendees(*, limit: int, now=None) -> int:
    """Invite attended sign-ups whose survey is still open and who have no invitation yet.
    Returns how many were invited."""
    from participation.models import SignUp

    now = now or timezone.now()
    waiting = (
        SignUp.objects.filter(
            status=SignUp.Status.BOOKED,
            attendance=SignUp.Attendance.ATTENDED,
            opportunity__ends_at__gt=now - SURVEY_OPEN_FOR,
            survey_invitation__isnull=True,
        )
        .select_related("opportunity", "resident")
        .order_by("pk")[:limit]
    )
    return invite_attendees_to_survey(list(waiting), now=now)
