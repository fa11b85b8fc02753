"""Factories for payments tests: projects, past opportunities, attended sign-ups, policy."""

from datetime import date, timedelta

import factory
from django.utils import timezone

from participation.models import Opportunity, SignUp
from payments import services
from payments.models import Claim, ExpenseCategory, ExpenseRule, FeeRate
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


def claim_in_state(person, *, status=Claim.Status.SUBMITTED, reviewer=None, signup=None, bus=460):
    """A claim by `person` in that state, made through the services as people would."""
    signup = signup or SignUpFactory(resident=person)
    claim = services.start_claim(signup, by=person)
    claim = services.update_claim_details(
        claim,
        by=person,
        payment_method=Claim.PaymentMethod.BANK_TRANSFER,
        employed_by_partner=False,
        not_part_of_paid_job=False,
    )
    if bus:
        services.save_expense(
            claim,
            by=person,
            category="public_transport",
            description="Bus",
            amount_pence=bus,
            miles=None,
        )
    claim = Claim.objects.get(pk=claim.pk)
    if status == Claim.Status.DRAFT:
        return claim
    claim = services.submit_claim(claim, by=person, benefits_acknowledged=True)
    if status == Claim.Status.SUBMITTED:
        return claim
    if status == Claim.Status.RETURNED:
        return services.return_claim(claim, by=reviewer, reason="Add a receipt")
    if status == Claim.Status.REJECTED:
        return services.reject_claim(claim, by=reviewer, reason="Not eligible")
    claim = services.approve_claim(claim, by=reviewer)
    if status == Claim.Status.APPROVED:
        return claim
    run = services.create_payment_run(by=reviewer)
    services.confirm_payment_run(run, by=reviewer, paid_on=timezone.localdate())
    return Claim.objects.get(pk=claim.pk)
