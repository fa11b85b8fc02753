"""Reciprocity on a known ledger: paid out, days to pay, budget against spend."""

from dataclasses import replace
from datetime import date

import pytest

from insight.dashboard import reciprocity
from payments.models import Claim, LedgerEntry
from projects.models import Project

from .conftest import NOW, YEAR, at, csv_rows
from .factories import OpportunityFactory, ProjectFactory, ServiceAreaFactory, SignUpFactory

pytestmark = pytest.mark.django_db


def _claim(project, *, paid_on=None, days=None, status=Claim.Status.PAID):
    signup = SignUpFactory(
        opportunity=OpportunityFactory(project=project, starts_at=at(2025, 5, 1))
    )
    return Claim.objects.create(
        claimant=signup.resident,
        signup=signup,
        opportunity=signup.opportunity,
        project=project,
        activity_date=date(2025, 5, 1),
        status=status,
        started_by=signup.resident,
        paid_on=paid_on,
        days_to_pay=days,
    )


def _entry(claim, account, component, pence, on, kind=LedgerEntry.Kind.PAYMENT):
    LedgerEntry.objects.create(
        kind=kind,
        account=account,
        component=component,
        amount_pence=pence,
        claim=claim,
        person=claim.claimant,
        project=claim.project,
        effective_on=on,
        created_by=claim.claimant,
    )


PAID, OWED = LedgerEntry.Account.PAID, LedgerEntry.Account.OWED
FEE, EXPENSES = LedgerEntry.Component.FEE, LedgerEntry.Component.EXPENSES


@pytest.fixture
def ledger():
    area = ServiceAreaFactory(name="Carers", slug="carers")
    budgeted = ProjectFactory(title="Budgeted", budget_pence=10_000, service_area=area)
    other = ProjectFactory(title="Other", budget_pence=None, service_area=area)
    c1 = _claim(budgeted, paid_on=date(2025, 6, 10), days=10)
    c2 = _claim(budgeted, paid_on=date(2025, 7, 1), days=20)
    c3 = _claim(budgeted, paid_on=date(2025, 12, 1), days=40)
    c4 = _claim(other, paid_on=date(2024, 12, 1), days=5)  # before the year
    c5 = _claim(budgeted, status=Claim.Status.APPROVED)  # approved, not yet paid
    _entry(c1, PAID, FEE, 2000, date(2025, 6, 10))
    _entry(c1, PAID, EXPENSES, 500, date(2025, 6, 10))
    _entry(c2, PAID, FEE, 3000, date(2025, 7, 1))
    _entry(c3, OWED, EXPENSES, 1200, date(2025, 11, 20), kind=LedgerEntry.Kind.APPROVAL)
    _entry(c3, OWED, EXPENSES, -1200, date(2025, 12, 1))
    _entry(c3, PAID, EXPENSES, 1200, date(2025, 12, 1))
    _entry(c4, PAID, FEE, 9999, date(2024, 12, 1))
    _entry(c5, OWED, FEE, 700, date(2026, 3, 1), kind=LedgerEntry.Kind.APPROVAL)


def test_it_totals_fees_and_expenses_paid_in_the_dates(ledger):
    section = reciprocity.build(YEAR, now=NOW)
    figures = {f.label: f.value for f in section.figures}
    assert figures["Fees paid"] == "£50"
    assert figures["Expenses paid"] == "£17"
    assert figures["People paid"] == "3"
    assert csv_rows(section, "reciprocity_paid") == [
        ["Apr to Jun 2025", "20.00", "5.00", "25.00"],
        ["Jul to Sep 2025", "30.00", "0.00", "30.00"],
        ["Oct to Dec 2025", "0.00", "12.00", "12.00"],
        ["All quarters", "50.00", "17.00", "67.00"],
    ]


def test_it_gives_the_median_days_from_claim_to_payment(ledger):
    section = reciprocity.build(YEAR, now=NOW)
    assert {f.label: f.value for f in section.figures}["Median days to pay"] == "20.0"
    assert csv_rows(section, "reciprocity_days") == [
        ["Claims paid", "3"],
        ["Median days", "20.0"],
        ["90th percentile days", "36.0"],
        ["Paid later than the 28-day target", "1"],
    ]


def test_it_compares_each_budget_with_what_was_paid_and_committed(ledger):
    section = reciprocity.build(YEAR, now=NOW)
    # Paid 20 + 5 + 30 + 12 = £67; £7 approved and not yet paid; £26 left.
    assert csv_rows(section, "reciprocity_budgets") == [
        ["Budgeted", "100.00", "67.00", "7.00", "26.00", "67.0"]
    ]
    assert section.blocks[2].chart.items[0].bars[0].display == "67% spent"


def test_the_budget_summary_agrees_with_how_many_projects_went_over(ledger):
    section = reciprocity.build(YEAR, now=NOW)
    assert section.blocks[2].summary == (
        "1 project with a budget; none has spent or committed more than its budget."
    )
    Project.objects.filter(title="Budgeted").update(budget_pence=1_000)
    ProjectFactory(title="Not started", budget_pence=50_000)

    section = reciprocity.build(YEAR, now=NOW)

    assert section.blocks[2].summary == (
        "2 projects with a budget; 1 has spent or committed more than its budget."
    )


def test_budgets_with_nothing_paid_from_them_say_so_instead_of_blaming_the_filters():
    ProjectFactory(title="Budgeted", budget_pence=10_000)

    section = reciprocity.build(YEAR, now=NOW)

    chart = section.blocks[2].chart
    assert chart.is_empty
    assert chart.empty_text == "Nothing has been paid out from these budgets yet."


def test_a_level_filter_with_nothing_in_it_is_empty(ledger):
    section = reciprocity.build(replace(YEAR, level="strategic"), now=NOW)
    assert {f.label: f.value for f in section.figures}["Fees paid"] == "£0"
    assert section.blocks[0].summary == "Nothing was paid out in these dates."
    assert section.blocks[1].summary == "No claims were paid in these dates."


# --- the percentile helper on its own (PostgreSQL's PERCENTILE_CONT, or SQLite's fallback) ---


def test_percentiles_interpolate_like_percentile_cont():
    from django.db.models import F

    from insight.stats import percentiles

    project = ProjectFactory()
    for days in (4, 1, 10, 7):
        _claim(project, paid_on=date(2025, 6, 1), days=days)
    _claim(project, paid_on=date(2025, 6, 1), days=None)  # no days: left out
    found = percentiles(Claim.objects.all(), F("days_to_pay"), (0.5, 0.9, 0.0, 1.0))
    # Sorted 1, 4, 7, 10: the median is half way between 4 and 7; the 90th percentile is 70%
    # of the way from 7 to 10.
    assert found[0.5] == pytest.approx(5.5)
    assert found[0.9] == pytest.approx(9.1)
    assert (found[0.0], found[1.0]) == (1, 10)


def test_percentiles_of_nothing_are_none():
    from django.db.models import F

    from insight.stats import percentiles

    assert percentiles(Claim.objects.all(), F("days_to_pay"), (0.5, 0.9)) == {0.5: None, 0.9: None}
