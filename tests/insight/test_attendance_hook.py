from datetime import timedelta

import pytest
from django.utils import timezone

from insight.models import SurveyInvitation
from notifications.models import Message
from participation.services import record_attendance
from tests.participation.factories import OpportunityFactory, SignUpFactory

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
