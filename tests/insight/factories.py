"""Factories for insight tests, and helpers that build large datasets quickly."""

from datetime import date, timedelta

import factory
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from coprod_hub.users.models import User
from insight.models import SurveyInvitation, SurveyResponse
from insight.services import SURVEY_OPEN_FOR
from participation.models import Opportunity, SignUp
from projects.models import Project
from tests import factories as shared


class ServiceAreaFactory(shared.ServiceAreaFactory):
    name = factory.Sequence(lambda n: f"Area {n}")
    slug = factory.LazyAttribute(lambda o: o.name.lower().replace(" ", "-"))


class ProjectFactory(shared.ProjectFactory):
    service_area = factory.SubFactory(ServiceAreaFactory)
    status = Project.Status.ACTIVE
    # Running through the years the tests look at (undated projects count from when they
    # were logged, which is the real today).
    start_date = date(2024, 4, 1)


class OpportunityFactory(shared.OpportunityFactory):
    """A two-hour session that happened a week ago."""

    project = factory.SubFactory(ProjectFactory)
    format = Opportunity.Format.IN_PERSON
    starts_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=7))
    capacity = 20
    status = Opportunity.Status.CLOSED


class SignUpFactory(shared.SignUpFactory):
    """An attended place."""

    opportunity = factory.SubFactory(OpportunityFactory)
    attendance = SignUp.Attendance.ATTENDED


def invitation_for(signup, *, closes_at=None):
    return SurveyInvitation.objects.create(
        signup=signup,
        closes_at=closes_at or signup.opportunity.ends_at + SURVEY_OPEN_FOR,
    )


def response_for(signup, *, rating=4, comment="", not_yet=(), **ratings):
    """`not_yet`: the keys of statements answered "not yet" (paid_fairly, heard_back)."""
    values = {
        key: ratings.get(key, rating)
        for key in ["valued", "strengths", "respect", "shaped", "paid_fairly", "heard_back"]
    }
    for key in not_yet:
        values[key] = None
        values[f"{key}_not_yet"] = True
    return SurveyResponse.objects.create(
        signup=signup, opportunity=signup.opportunity, comment=comment, **values
    )


_PASSWORD = make_password(None)


def bulk_people(count: int, prefix: str = "bulk") -> list[User]:
    """Many residents at once, without hashing a password for each."""
    User.objects.bulk_create(
        [
            User(email=f"{prefix}{i}@example.org", display_name=f"Person {i}", password=_PASSWORD)
            for i in range(count)
        ],
        batch_size=1000,
    )
    return list(User.objects.filter(email__startswith=prefix).order_by("pk"))
