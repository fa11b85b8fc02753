"""The taxis page's buttons, sent random and hostile input (hypothesis), under the same rules
as every other form in tests/security/test_fuzz_forms.py: never a server error; a page shown
again has the GOV.UK error summary and changed nothing; an accepted note is kept as sent."""

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from participation.models import Opportunity
from payments import services
from payments.models import ClaimLine, TaxiAgreement
from tests.security.fuzz import assert_kept, fuzz_settings
from tests.security.test_fuzz_forms import fuzz_post

from .factories import OpportunityFactory, SignUpFactory

pytestmark = pytest.mark.django_db

TABLES = [TaxiAgreement, ClaimLine, LogEntry]


@pytest.fixture
def place(policy, project_with_team, resident):
    session = OpportunityFactory(
        project=project_with_team,
        starts_at=timezone.now() + timedelta(days=7),
        status=Opportunity.Status.PUBLISHED,
    )
    return SignUpFactory(opportunity=session, resident=resident, attendance="")


def _url(place):
    return reverse("payments:taxis", args=[place.opportunity_id])


@fuzz_settings
@given(data=st.data())
def test_agreeing_a_taxi(data, team_member, place):
    def saved(submission, response):
        agreement = TaxiAgreement.objects.filter(signup=place).first()
        if agreement is not None:
            assert_kept(agreement.note, submission, "note")

    fuzz_post(
        data,
        user=team_member,
        url=_url(place),
        valid={"agree": str(place.pk), "note": "There and back from home"},
        tables=TABLES,
        saved=saved,
    )


@fuzz_settings
@given(data=st.data())
def test_withdrawing_a_taxi(data, team_member, staff, place):
    agreement = TaxiAgreement.objects.live_for(place.pk) or services.agree_taxi(place, by=staff)

    fuzz_post(
        data,
        user=team_member,
        url=_url(place),
        valid={"withdraw": str(agreement.pk)},
        tables=TABLES,
    )
