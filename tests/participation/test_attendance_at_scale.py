"""Saving the register for a big group: the same few queries for 5 people as for 50, and the
same outcome as saving each person's attendance one at a time did."""

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coprod_hub.lib import page_cache
from insight.models import SurveyInvitation
from notifications.kinds import Category
from notifications.models import Message, Unsubscribe
from participation import services
from participation.models import Opportunity, Profile, SignUp
from tests.factories import UserFactory

from .factories import OpportunityFactory
from .test_staff_pages import url

pytestmark = pytest.mark.django_db

APOLOGIES, CALL_LIST, EASY_READ, NO_CLAIM_MESSAGES, EMAIL = range(5)


def _register(staff, size):
    """A paid session that took place, with `size` people booked on it. Every fifth person
    in turn sent apologies, hears by phone or post, reads easy read, stopped messages about
    claims, or has nothing special: a group of 5 takes every path a group of 50 does."""
    opportunity = OpportunityFactory(created_by=staff, capacity=size, fee_basis="per_hour")
    people = [UserFactory(display_name=f"Person {i:02}") for i in range(size)]
    profiles = {
        CALL_LIST: {"contact_by": Profile.ContactBy.POST_OR_PHONE},
        EASY_READ: {"format": Profile.InformationFormat.EASY_READ},
    }
    Profile.objects.bulk_create(
        [Profile(user=p, **profiles[i % 5]) for i, p in enumerate(people) if i % 5 in profiles]
    )
    Unsubscribe.objects.bulk_create(
        [
            Unsubscribe(user=p, category=Category.CLAIMS)
            for i, p in enumerate(people)
            if i % 5 == NO_CLAIM_MESSAGES
        ]
    )
    signups = SignUp.objects.bulk_create(
        [SignUp(opportunity=opportunity, resident=p, status=SignUp.Status.BOOKED) for p in people]
    )
    Opportunity.objects.filter(pk=opportunity.pk).update(
        starts_at=timezone.now() - timedelta(hours=3), ends_at=timezone.now() - timedelta(hours=1)
    )
    opportunity.refresh_from_db()
    return opportunity, signups


def _apologies(signups) -> dict[int, str]:
    return {s.pk: "apologies" for i, s in enumerate(signups) if i % 5 == APOLOGIES}


def _queries_to_save(client, staff, size) -> int:
    opportunity, signups = _register(staff, size)
    data = {f"signup_{pk}": value for pk, value in _apologies(signups).items()}
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            url("attendance", opportunity), {**data, "everyone_else_attended": "yes"}
        )
    assert response.status_code == 302
    came = SignUp.objects.filter(opportunity=opportunity, attendance="attended")
    assert came.count() == size * 4 // 5
    assert Message.objects.filter(kind="claim_prompt", recipient__signups__in=came).count() == (
        size * 4 // 5
    )
    assert SurveyInvitation.objects.filter(signup__in=came).count() == size * 4 // 5
    return len(queries)


def test_saving_the_register_costs_the_same_queries_for_5_people_as_for_50(client, staff):
    client.force_login(staff)
    # Which table the audit trail's entries are about: looked up once in each process.
    ContentType.objects.get_for_model(SignUp)

    five = _queries_to_save(client, staff, 5)
    fifty = _queries_to_save(client, staff, 50)

    assert five == fifty
    # The view's reads, the lock, the sign-ups, one UPDATE and one INSERT of its audit trail
    # entries, and for each of the two messages (claim prompt, survey) everyone's preferences,
    # the rows and the rows to send; plus the invitations already made and the new ones. It
    # was 60 and 537 saved one person at a time.
    assert fifty <= 17


def test_each_person_who_came_gets_messages_the_way_they_asked(staff):
    opportunity, signups = _register(staff, 5)

    changed = services.record_attendance(
        opportunity, by=staff, marks=_apologies(signups), everyone_else="attended"
    )

    assert changed == 5
    messages = {(m.kind, m.recipient_id): m for m in Message.objects.all()}
    person = [s.resident_id for s in signups]
    assert not any(recipient == person[APOLOGIES] for _, recipient in messages)
    assert not SurveyInvitation.objects.filter(signup=signups[APOLOGIES]).exists()

    claim, survey = (
        messages["claim_prompt", person[EMAIL]],
        messages["outcome_survey", person[EMAIL]],
    )
    assert (claim.channel, claim.status) == (Message.Channel.EMAIL, Message.Status.PENDING)
    assert (survey.channel, survey.status) == (Message.Channel.EMAIL, Message.Status.PENDING)
    assert claim.event_key == f"signup:{signups[EMAIL].pk}:claim_prompt"
    assert survey.event_key == f"signup:{signups[EMAIL].pk}:outcome_survey"
    assert "/survey/" in survey.body_text

    for kind in ("claim_prompt", "outcome_survey"):
        on_list = messages[kind, person[CALL_LIST]]
        assert on_list.status == Message.Status.CALL_LIST
    # The survey's link is for the person alone: never on the call list.
    assert "/survey/" not in messages["outcome_survey", person[CALL_LIST]].body_text

    assert (
        "You can ask for the money here:" in messages["claim_prompt", person[EASY_READ]].body_text
    )

    # Stopped messages about claims: the prompt is written but not sent; the survey still is.
    assert messages["claim_prompt", person[NO_CLAIM_MESSAGES]].status == Message.Status.SKIPPED
    assert messages["outcome_survey", person[NO_CLAIM_MESSAGES]].status == Message.Status.PENDING


def test_correcting_the_register_back_and_forth_sends_nothing_twice(staff):
    opportunity, signups = _register(staff, 5)
    everyone = {s.pk: "attended" for s in signups}
    services.record_attendance(opportunity, by=staff, marks=everyone)
    invited_at = dict(SurveyInvitation.objects.values_list("signup_id", "created_at"))

    assert services.record_attendance(opportunity, by=staff, marks=everyone) == 0
    no_shows = {signups[0].pk: "no_show", signups[1].pk: "apologies"}
    assert services.record_attendance(opportunity, by=staff, marks=no_shows) == 2
    assert services.record_attendance(opportunity, by=staff, marks=everyone) == 2
    assert (
        services.record_attendance(opportunity, by=staff, marks={}, everyone_else="attended") == 0
    )

    for kind in ("claim_prompt", "outcome_survey"):
        per_person = Message.objects.filter(kind=kind).values_list("recipient_id", flat=True)
        assert sorted(per_person) == sorted(s.resident_id for s in signups)
    assert dict(SurveyInvitation.objects.values_list("signup_id", "created_at")) == invited_at


def test_attended_then_not_is_saved_with_who_recorded_it_and_when(staff, other_staff):
    opportunity, signups = _register(staff, 3)
    first = opportunity.starts_at + timedelta(hours=1)
    services.record_attendance(
        opportunity, by=staff, marks={s.pk: "attended" for s in signups}, now=first
    )
    before = SignUp.objects.get(pk=signups[2].pk).updated_at

    later = first + timedelta(hours=1)
    services.record_attendance(
        opportunity,
        by=other_staff,
        marks={signups[0].pk: "no_show", signups[1].pk: "attended"},
        now=later,
    )

    rows = {s.pk: s for s in SignUp.objects.filter(opportunity=opportunity)}
    corrected, unchanged, untouched = (rows[s.pk] for s in signups)
    assert corrected.attendance == "no_show"
    assert (corrected.attendance_recorded_by, corrected.attendance_recorded_at) == (
        other_staff,
        later,
    )
    assert corrected.updated_at > before
    assert (unchanged.attendance_recorded_by, unchanged.attendance_recorded_at) == (staff, first)
    assert untouched.updated_at == before


def test_messages_go_out_only_once_the_register_is_saved(staff, django_capture_on_commit_callbacks):
    opportunity, signups = _register(staff, 5)

    with django_capture_on_commit_callbacks(execute=True):
        services.record_attendance(opportunity, by=staff, marks={s.pk: "attended" for s in signups})
        assert not mail.outbox

    # Everyone came. By email: both messages to everyone but the person on the call list
    # (whose copies wait for staff) and the one who stopped messages about claims.
    emailed = {m.to[0] for m in mail.outbox}
    sent = set(
        Message.objects.filter(status=Message.Status.SENT).values_list("kind", "recipient_id")
    )
    people = [s.resident for s in signups]
    assert emailed == {p.email for i, p in enumerate(people) if i % 5 != CALL_LIST}
    assert len(mail.outbox) == len(sent) == 7
    assert ("outcome_survey", people[NO_CLAIM_MESSAGES].pk) in sent
    assert ("claim_prompt", people[NO_CLAIM_MESSAGES].pk) not in sent


def test_saving_the_register_replaces_the_public_pages_copies_as_a_save_did(
    staff, django_capture_on_commit_callbacks
):
    opportunity, signups = _register(staff, 2)
    page_cache.start_new_generation(page_cache.PUBLIC)
    key = f"page-generation:{page_cache.PUBLIC}"
    before = cache.get(key)

    with django_capture_on_commit_callbacks(execute=True):
        services.record_attendance(opportunity, by=staff, marks={signups[0].pk: "attended"})
        during = cache.get(key)

    assert before != during != cache.get(key)


def test_the_register_and_each_correction_to_it_are_in_the_audit_trail(staff, other_staff):
    """Claims are paid on what the register says: who marked whom, and any change since,
    is kept, though the register is saved in one UPDATE that django-auditlog does not see."""
    opportunity, signups = _register(staff, 2)
    first, second = signups

    services.record_attendance(opportunity, by=staff, marks={}, everyone_else="attended")
    services.record_attendance(opportunity, by=other_staff, marks={first.pk: "no_show"})

    trail = LogEntry.objects.get_for_object(first).order_by("pk")
    assert [(e.actor, e.changes_dict) for e in trail] == [
        (staff, {"attendance": ["", "attended"], "attendance_recorded_by": [None, staff.pk]}),
        (
            other_staff,
            {
                "attendance": ["attended", "no_show"],
                "attendance_recorded_by": [staff.pk, other_staff.pk],
            },
        ),
    ]
    assert LogEntry.objects.get_for_object(second).count() == 1
    # Booking a place adds no entry: nothing is recorded about attendance yet.
    assert not LogEntry.objects.get_for_object(
        opportunity.signups.create(resident=UserFactory(), status=SignUp.Status.BOOKED)
    ).exists()
