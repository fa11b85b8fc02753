"""Factories for payments tests: projects, past opportunities, attended sign-ups, policy."""

from datetime import date, timedelta

import factory
from django.utils import timezone

from participation.models import Opportunity, SignUp
from payments.models import ExpenseCategory, ExpenseRule, FeeRate
from projects.models import Project, ServiceArea
from tests.factories import UserFactory


class ServiceAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceArea
        django_get_or_create = ["slug"]

    name = "Carers"
    slug = "carers"


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    title = factory.Sequence(lambda n: f"Project {n}")
    slug = factory.Sequence(lambda n: f"project-{n}")
    summary = "A project."
    service_area = factory.SubFactory(ServiceAreaFactory)
    level = "service"
    owner = factory.SubFactory(UserFactory, roles=["staff"])
    budget_pence = 100_000


class OpportunityFactory(factory.django.DjangoModelFactory):
    """A session that happened last week: two hours, paid per hour, with expenses."""

    class Meta:
        model = Opportunity

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"Workshop {n}")
    description = "We talk about day services."
    kind = Opportunity.Kind.WORKSHOP
    format = Opportunity.Format.IN_PERSON
    starts_at = factory.LazyFunction(
        lambda: (timezone.now() - timedelta(days=7)).replace(hour=10, minute=0, second=0)
    )
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=2))
    capacity = 10
    fee_basis = Opportunity.FeeBasis.PER_HOUR
    pays_expenses = True
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


POLICY_START = date(2020, 4, 1)


def make_policy(*, by=None, starts_on=POLICY_START):
    """£20 an hour, £50 half day, £90 full day, £25 an activity; expenses with caps."""
    for basis, amount in [
        ("per_hour", 2000),
        ("half_day", 5000),
        ("full_day", 9000),
        ("per_activity", 2500),
    ]:
        FeeRate.objects.create(basis=basis, amount_pence=amount, starts_on=starts_on, created_by=by)
    rules = {
        ExpenseCategory.PUBLIC_TRANSPORT: {"receipt_rule": "over", "receipt_over_pence": 500},
        ExpenseCategory.MILEAGE: {"rate_per_mile_pence": 45, "receipt_rule": "never"},
        ExpenseCategory.TAXI: {
            "cap_pence": 4000,
            "receipt_rule": "always",
            "needs_prior_agreement": True,
        },
        ExpenseCategory.PARKING: {"cap_pence": 1000, "receipt_rule": "never"},
        ExpenseCategory.CARE_COVER: {"cap_pence": 10000, "receipt_rule": "always"},
        ExpenseCategory.CHILDCARE: {"cap_pence": 10000, "receipt_rule": "always"},
        ExpenseCategory.MEALS: {"cap_pence": 1000, "receipt_rule": "always"},
        ExpenseCategory.PHONE_DATA: {"cap_pence": 500, "receipt_rule": "never"},
    }
    for category, fields in rules.items():
        ExpenseRule.objects.create(category=category, starts_on=starts_on, created_by=by, **fields)
