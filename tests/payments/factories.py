"""Factories for payments tests: projects, past opportunities, attended sign-ups, policy."""

from datetime import date, timedelta

import factory
from django.utils import timezone

from participation.models import Opportunity, SignUp
from payments.models import ExpenseCategory, ExpenseRule, FeeRate
from tests import factories as shared


class ServiceAreaFactory(shared.ServiceAreaFactory):
    name = "Carers"
    slug = "carers"


class ProjectFactory(shared.ProjectFactory):
    service_area = factory.SubFactory(ServiceAreaFactory)
    is_published = False
    budget_pence = 100_000


class OpportunityFactory(shared.OpportunityFactory):
    """A session that happened last week: two hours, paid per hour, with expenses."""

    project = factory.SubFactory(ProjectFactory)
    format = Opportunity.Format.IN_PERSON
    starts_at = factory.LazyFunction(
        lambda: (timezone.now() - timedelta(days=7)).replace(hour=10, minute=0, second=0)
    )
    fee_basis = Opportunity.FeeBasis.PER_HOUR
    pays_expenses = True
    status = Opportunity.Status.CLOSED


class SignUpFactory(shared.SignUpFactory):
    """An attended place."""

    opportunity = factory.SubFactory(OpportunityFactory)
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
