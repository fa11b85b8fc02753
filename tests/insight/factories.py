"""Factories for insight tests, and helpers that build large datasets quickly."""

from datetime import date, timedelta

import factory
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from coprod_hub.users.models import User
from insight.models import SurveyInvitation, SurveyResponse
from insight.services import SURVEY_OPEN_FOR
from participation.models import Opportunity, SignUp
from projects.models import Project, ServiceArea
from tests.factories import UserFactory


class ServiceAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceArea
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Area {n}")
    slug = factory.LazyAttribute(lambda o: o.name.lower().replace(" ", "-"))


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    title = factory.Sequence(lambda n: f"Project {n}")
    slug = factory.Sequence(lambda n: f"project-{n}")
    summary = "A project."
    service_area = factory.SubFactory(ServiceAreaFactory)
    level = "service"
    owner = factory.SubFactory(UserFactory, roles=["staff"])
    status = Project.Status.ACTIVE
    is_published = True
    # Running through the years the tests look at (undated projects count from when they
    # were logged, which is the real today).
    start_date = date(2024, 4, 1)


class OpportunityFactory(factory.django.DjangoModelFactory):
    """A two-hour session that happened a week ago."""

    class Meta:
        model = Opportunity

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"Workshop {n}")
    description = "We talk about day services."
    kind = Opportunity.Kind.WORKSHOP
    format = Opportunity.Format.IN_PERSON
    starts_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=7))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=2))
    capacity = 20
    status = Opportunity.Status.CLOSED
    created_by = factory.SubFactory(UserFactory, roles=["staff"])


class SignUpFactory(factory.django.DjangoModelFactory):
    """An attended place."""

    class Meta:
        model = SignUp

    opportunity = factory.SubFactory(OpportunityFactory)
    resident = factory.SubFactory(UserFactory)
    status = SignUp.Status.BOOKED
    attendance = SignUp.Attendance.ATTENDED


def invitation_for(signup, *, closes_at=None):
    return SurveyInvitation.objects.create(
        signup=signup,
        closes_at=closes_at or signup.opportunity.ends_at + SURVEY_OPEN_FOR,
    )


def response_for(signup, *, rating=4, comment="", **ratings):
    values = {
        key: ratings.get(key, rating)
        for key in ["valued", "strengths", "respect", "shaped", "paid_fairly", "heard_back"]
    }
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
