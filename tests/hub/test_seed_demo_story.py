"""The demo a council sees first tells one consistent story: nothing happens before what it
is about, nothing is dated after today, every rejection fits its claim, and the insight pages
have something to show. The demo is seeded once for the module (it takes several seconds),
inside a transaction rolled back at the end."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from coprod_hub.celery import app as celery_app
from coprod_hub.lib.working_days import WorkingDays
from insight.models import SurveyResponse
from learning.models import Entry
from notifications.models import Message
from participation.models import Opportunity, SignUp, Venue
from payments import demo as payments_demo
from payments.models import Claim, ClaimEvent, LedgerEntry, PaymentRun
from projects.models import Project, StepChange, Update

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True  # as `make run` has it, with no broker
    try:
        with django_db_blocker.unblock(), transaction.atomic():
            call_command("seed_demo", stdout=StringIO())
            yield timezone.now()
            transaction.set_rollback(True)
    finally:
        celery_app.conf.task_always_eager = eager


def test_no_ledger_line_is_dated_before_its_claims_session_or_after_today(seeded):
    today = timezone.localdate(seeded)
    lines = LedgerEntry.objects.select_related("claim")
    assert lines.count() > 50
    for line in lines:
        assert line.claim.activity_date < line.effective_on <= today, line.claim.reference
        assert timezone.localdate(line.created_at) <= today
        # Written on the day it counts from: approvals when approved, payments when paid.
        assert timezone.localdate(line.created_at) == line.effective_on, line.claim.reference


def test_each_claim_happens_in_order_after_its_session(seeded):
    claims = Claim.objects.select_related("opportunity").exclude(status=Claim.Status.DRAFT)
    for claim in claims:
        ref = claim.reference
        assert claim.opportunity.ends_at < claim.created_at <= claim.first_submitted_at, ref
        assert claim.first_submitted_at <= claim.submitted_at <= seeded, ref
        if claim.decided_at:
            assert claim.submitted_at < claim.decided_at <= seeded, ref
        if claim.paid_on:
            assert timezone.localdate(claim.decided_at) <= claim.paid_on, ref
            assert claim.paid_on <= timezone.localdate(seeded), ref
    for event in ClaimEvent.objects.select_related("claim__opportunity"):
        assert event.claim.opportunity.ends_at < event.created_at <= seeded


def test_paid_claims_were_approved_before_their_payment_run_was_made(seeded):
    working = WorkingDays()
    for run in PaymentRun.objects.prefetch_related("claims"):
        assert run.created_at in working and run.paid_on in working, run.reference
        assert run.created_at <= run.confirmed_at <= seeded
        assert timezone.localdate(run.created_at) <= run.paid_on
        for claim in run.claims.all():
            assert claim.decided_at < run.created_at, (claim.reference, run.reference)


def test_no_message_is_sent_in_the_future_or_before_what_it_is_about(seeded):
    messages = Message.objects.filter(event_key__startswith="claim-event:")
    assert messages.count() > 50
    events = ClaimEvent.objects.select_related("claim__opportunity").in_bulk()
    for message in messages:
        # Messages about the demo's past were sent then: seeding sends none of them today.
        assert message.status == Message.Status.SENT, message.kind
        assert message.attempts == 1
        assert message.sent_at <= seeded
        event = events[int(message.event_key.split(":")[1])]
        assert event.created_at <= message.sent_at < event.created_at + timedelta(minutes=1)
        assert event.claim.opportunity.ends_at < message.sent_at


def test_the_rejected_claim_gives_a_reason_that_fits_it(seeded):
    rejected = Claim.objects.get(status=Claim.Status.REJECTED)
    assert rejected.reason == payments_demo.REJECT_REASON
    # The reason is about the fee and the bus fare paid already: the claim asks for both.
    assert rejected.fee_pence > 0
    assert rejected.lines.filter(description="Bus there and back").exists()
    assert "part of your paid job" not in rejected.reason
    # It says nothing the claim contradicts: the person does not work for a partner.
    assert rejected.employed_by_partner is False
    returned = Claim.objects.get(status=Claim.Status.RETURNED)
    assert "bus" in returned.reason and returned.lines.filter(category="public_transport")


def test_places_were_booked_before_the_session_and_published_before_that(seeded):
    past = Opportunity.objects.filter(starts_at__lt=seeded)
    assert past.count() >= 20
    for opportunity in past:
        assert opportunity.published_at < opportunity.starts_at, opportunity.title
        assert opportunity.created_at < opportunity.published_at, opportunity.title
    late = SignUp.objects.filter(created_at__gt=F("opportunity__starts_at"))
    assert not late.exists()


def test_people_joined_waiting_lists_one_working_day_after_another_before_the_session(seeded):
    # Each place page says "Joined the waiting list" with its date: not all the seeding day.
    working = WorkingDays()
    full = Opportunity.objects.filter(signups__waiting_since__isnull=False).distinct()
    assert full.count() >= 3
    for opportunity in full:
        queued = opportunity.signups.exclude(waiting_since=None)
        queue = list(queued.order_by("waiting_since", "pk"))
        days = [timezone.localdate(signup.waiting_since) for signup in queue]
        assert days == sorted(set(days)), opportunity.title  # in line, one a day
        places = opportunity.signups.filter(waiting_since=None)
        last_booked = max(signup.created_at for signup in places)
        for signup in queue:
            assert signup.waiting_since in working, opportunity.title
            assert last_booked < signup.waiting_since < opportunity.starts_at, opportunity.title
            assert timezone.localdate(signup.waiting_since) < timezone.localdate(seeded)
            assert signup.created_at == signup.waiting_since, opportunity.title


def test_no_venue_says_it_has_step_free_access_but_not_a_ground_floor_or_lift(seeded):
    # Step-free means getting in and reaching the room without steps: a room upstairs with
    # no lift is not step-free, and the two facts side by side on a page would puzzle people.
    venues = Venue.objects.all()
    assert venues.filter(step_free=True).count() >= 3
    assert not venues.filter(step_free=True, ground_floor_or_lift=False).exists()


def test_people_joined_the_hub_before_anything_they_did_on_it(seeded):
    # Their data download and the admin say when they joined: never after their own history.
    for signup in SignUp.objects.select_related("resident"):
        assert signup.resident.date_joined < signup.created_at, signup.resident.email
    for claim in Claim.objects.select_related("claimant"):
        assert claim.claimant.date_joined < claim.created_at, claim.reference
    for project in Project.objects.select_related("owner"):
        assert project.owner.date_joined < project.created_at, project.title


def test_every_projects_sessions_fall_within_its_dates(seeded):
    for project in Project.objects.all():
        for opportunity in project.opportunities.all():
            # Put on the hub after the project it belongs to was.
            assert project.created_at < opportunity.created_at, opportunity.title
    for project in Project.objects.exclude(start_date=None):
        for opportunity in project.opportunities.all():
            day = timezone.localdate(opportunity.starts_at)
            assert project.start_date <= day, (project.title, opportunity.title)
            if project.end_date:
                assert day <= project.end_date, (project.title, opportunity.title)
    closed = Project.objects.filter(status=Project.Status.CLOSED)
    assert all(p.end_date and p.end_date < timezone.localdate(seeded) for p in closed)


def test_sessions_are_on_working_days_and_projects_were_last_changed_before_today(seeded):
    working = WorkingDays()
    for opportunity in Opportunity.objects.all():
        assert opportunity.starts_at in working, opportunity.title
    for project in Project.objects.all():
        assert project.created_at <= project.updated_at < seeded - timedelta(days=7)
        if project.step_recorded_at:
            gap = abs(project.updated_at - project.step_recorded_at)
            assert gap < timedelta(minutes=1), project.title


def _office_hours(seeded):
    """A test: was a moment in office hours on a working day, before the demo was seeded?"""
    working = WorkingDays()
    return lambda at: at in working and 9 <= timezone.localtime(at).hour < 17 and at < seeded


def test_staff_record_steps_and_post_updates_in_office_hours(seeded):
    in_office_hours = _office_hours(seeded)
    updates = Update.objects.select_related("project")
    assert updates.count() >= 5
    for update in updates:
        assert in_office_hours(update.posted_at), update.project.title
    for change in StepChange.objects.select_related("project"):
        assert in_office_hours(change.changed_at), change.project.title
    for project in Project.objects.all():
        assert in_office_hours(project.created_at) and in_office_hours(project.updated_at)


def test_practice_guide_entries_were_sent_and_moderated_in_office_hours_in_order(seeded):
    in_office_hours = _office_hours(seeded)
    entries = Entry.objects.prefetch_related("events")
    assert entries.count() >= 10
    for entry in entries:
        title = entry.title
        stamps = [entry.submitted_at, entry.decided_at, entry.published_at, entry.updated_at]
        assert all(in_office_hours(at) for at in stamps if at), title
        if entry.published_at:
            # Sent in, then checked and published on a later working day, as the trail says.
            assert timezone.localdate(entry.submitted_at) < timezone.localdate(entry.decided_at)
            assert entry.decided_at == entry.published_at <= entry.updated_at, title
        events = list(entry.events.all())
        assert [event.pk for event in events] == sorted(event.pk for event in events), title
        assert events[0].action == "submitted", title
        assert abs(events[0].at - entry.submitted_at) < timedelta(minutes=1), title
        assert all(in_office_hours(event.at) for event in events), title
        if entry.published_at:
            assert abs(events[-1].at - entry.published_at) < timedelta(minutes=1), title
    guide_messages = Message.objects.filter(event_key__startswith="guide-event:")
    assert all(in_office_hours(message.created_at) for message in guide_messages)


def test_the_insight_page_has_outcomes_budgets_and_equality_to_show(seeded, client):
    from coprod_hub.users.models import User

    client.force_login(User.objects.get(email="commissioner@example.org"))
    page = client.get("/insight/").content.decode()

    # Outcomes: whole past quarters with 10 or more people answering show their results.
    assert SurveyResponse.objects.filter(submitted_at__lt=seeded - timedelta(days=120)).count()
    assert "% agree" in page
    assert "Across 4 quarters, the share of answers that agree" in page
    # Reciprocity: money was paid over the year, and budgets have been spent from.
    assert "Nothing has been paid out from these budgets yet." not in page
    assert "Nothing to chart yet" not in page.split('id="reciprocity_budgets"')[1][:600]
    assert "% spent" in page
    # Reach: people come back, and some equality groups are big enough to show.
    assert "Taken part before" in page
    assert "(0 people)" not in page
    # Wording: sessions still waiting for an update are "their" 6 weeks, never "its".
    assert "are still within its 6 weeks" not in page


def test_no_survey_comment_contradicts_the_session_it_is_about(seeded):
    from insight import demo as insight_demo

    answers = SurveyResponse.objects.select_related("opportunity__project")
    decided = answers.filter(comment=insight_demo.DECIDED_ALREADY)
    assert decided.exists()
    for answer in decided:
        step = answer.opportunity.effective_step
        assert step <= 5, answer.opportunity.title  # never said of co-design or co-production
    for answer in answers.filter(comment=insight_demo.EASY_READ):
        assert answer.opportunity.project.slug in insight_demo.EASY_READ_PROJECTS


def test_running_it_again_changes_nothing(seeded):
    def snapshot():
        return (
            Claim.objects.count(),
            LedgerEntry.objects.count(),
            PaymentRun.objects.count(),
            Message.objects.count(),
            SignUp.objects.count(),
            Opportunity.objects.count(),
            SurveyResponse.objects.count(),
        )

    first = snapshot()
    with transaction.atomic():
        call_command("seed_demo", stdout=StringIO())
        assert snapshot() == first
        transaction.set_rollback(True)
