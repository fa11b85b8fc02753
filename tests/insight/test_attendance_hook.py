from datetime import timedelta

import pytest
from django.utils import timezone

from insight import services
from insight.models import SurveyInvitation
from insight.tokens import survey_url
from notifications.models import Message
from participation.services import record_attendance
from tests.participation.factories import OpportunityFactory, SignUpFactory

from .factories import OpportunityFactory as PastOpportunityFactory
from .factories import SignUpFactory as AttendedSignUpFactory

pytestmark = pytest.mark.django_db


def test_recording_attendance_invites_those_who_came_to_the_survey(staff):
    started = timezone.now() - timedelta(hours=3)
    opportunity = OpportunityFactory(
        created_by=staff, starts_at=started, ends_at=started + timedelta(hours=2)
    )
    came = SignUpFactory(opportunity=opportunity)
    stayed_away = SignUpFactory(opportunity=opportunity)

    record_attendance(opportunity, by=staff, marks={came.pk: "attended", stayed_away.pk: "no_show"})

    assert list(SurveyInvitation.objects.values_list("signup_id", flat=True)) == [came.pk]
    assert Message.objects.filter(kind="outcome_survey", recipient=came.resident).exists()


def test_a_saved_register_invites_each_person_who_came_once(staff):
    opportunity = PastOpportunityFactory(created_by=staff)
    invited_before, newly_came, stayed_away = AttendedSignUpFactory.create_batch(
        3, opportunity=opportunity
    )
    stayed_away.attendance = "no_show"
    services.invite_to_survey(invited_before)

    invited = services.invite_attendees_to_survey([invited_before, newly_came, stayed_away])

    assert invited == 1
    assert sorted(SurveyInvitation.objects.values_list("signup_id", flat=True)) == sorted(
        [invited_before.pk, newly_came.pk]
    )
    surveys = Message.objects.filter(kind="outcome_survey")
    assert sorted(surveys.values_list("event_key", flat=True)) == sorted(
        f"signup:{s.pk}:outcome_survey" for s in (invited_before, newly_came)
    )
    invitation = SurveyInvitation.objects.get(signup=newly_came)
    assert invitation.closes_at == opportunity.ends_at + services.SURVEY_OPEN_FOR
    assert survey_url(newly_came) in surveys.get(recipient=newly_came.resident).body_text


def test_nobody_is_invited_to_a_survey_that_has_closed():
    long_ago = timezone.now() - services.SURVEY_OPEN_FOR - timedelta(days=1)
    signup = AttendedSignUpFactory(opportunity__starts_at=long_ago)

    assert services.invite_attendees_to_survey([signup]) == 0
    assert not SurveyInvitation.objects.exists()
    assert not Message.objects.exists()


def test_a_register_saved_for_a_given_time_dates_the_invitation_then(staff):
    """Services take `now` so a late correction, a replay or a test says when it happened;
    the invitation must follow it, not the clock."""
    started = timezone.now() - timedelta(days=2)
    opportunity = OpportunityFactory(
        created_by=staff, starts_at=started, ends_at=started + timedelta(hours=2)
    )
    came = SignUpFactory(opportunity=opportunity)
    then = started + timedelta(hours=3)

    record_attendance(opportunity, by=staff, marks={came.pk: "attended"}, now=then)

    assert SurveyInvitation.objects.get(signup=came).created_at == then


def _sweep_queries(count):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    opportunity = PastOpportunityFactory()
    AttendedSignUpFactory.create_batch(count, opportunity=opportunity)
    with CaptureQueriesContext(connection) as captured:
        assert services.invite_recent_attendees(limit=100) == count
    return len(captured)


def test_the_periodic_sweep_invites_a_batch_in_a_fixed_number_of_queries():
    few = _sweep_queries(2)
    many = _sweep_queries(12)

    assert few == many
    assert Message.objects.filter(kind="outcome_survey").count() == 14
