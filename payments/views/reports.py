"""Reports for commissioners, each also downloadable as CSV."""

from django.db.models import Min, Q
from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone

from coprod_hub.lib.csv_export import csv_response
from coprod_hub.lib.money import pounds_for_spreadsheet
from coprod_hub.lib.pagination import paginate
from coprod_hub.permissions import role_required
from coprod_hub.users.models import real_email_or_blank
from coprod_hub.users.roles import Role
from projects.models import Project

from .. import stats
from ..forms import TaxYearForm
from ..models import Claim, LedgerEntry, PaymentPolicy
from ..querysets import with_budget_use
from ..taxyear import TaxYear, tax_year_for


def tax_year_rows(rows):
    """Add a TaxYear to each row of LedgerEntry tax-year totals, for labels."""
    return [{**row, "year": TaxYear(row["tax_year"])} for row in rows]


# How many tax years before this one are always offered, paid in or not: HMRC can look back
# six years, and "nothing was paid that year" is an answer people ask for too.
RECENT_TAX_YEARS = 6


def known_tax_years():
    """This tax year and the recent ones, and every year back to the first payment, newest
    first. A year with no payment in between is offered too (it shows nothing was paid):
    finding the first payment reads the ledger's date index from its start, where listing
    each year paid in read every payment (18 ms at a million ledger entries, and growing)."""
    this_year = tax_year_for(timezone.localdate())
    first_paid = LedgerEntry.objects.paid_out().aggregate(first=Min("effective_on"))["first"]
    oldest = this_year - RECENT_TAX_YEARS
    if first_paid is not None:
        oldest = min(oldest, tax_year_for(first_paid))
    return [TaxYear(year) for year in range(this_year, oldest - 1, -1)]


def _tax_year_filter(request):
    """(form, year, valid): the chosen tax year, None for all of them. `valid` is False for a
    year not on the list (a hand-edited or old link), which must never fall back to all
    years: the totals would look like one year's."""
    form = TaxYearForm(request.GET or None, years=known_tax_years())
    if form.is_bound and not form.is_valid():
        return form, None, False
    year = form.cleaned_data.get("tax_year") if form.is_bound else None
    return form, year, True


def _no_such_tax_year():
    # Refused rather than an empty file, which would read as "nobody was paid that year" and
    # could be passed on to finance or HMRC as such; nor every year, which would read as one.
    return HttpResponseBadRequest(
        "There is no tax year like that on the report. Go back to the report, choose a tax "
        "year from the list, then download the CSV file again.",
        content_type="text/plain; charset=utf-8",
    )


def year_in_file_name(year) -> str:
    """ "tax-year-2025-to-2026", so files for different years downloaded together stay apart."""
    return f"tax-year-{year}-to-{year + 1}" if year else "all-tax-years"


@role_required(Role.COMMISSIONER)
def overview(request):
    policy = PaymentPolicy.current()
    this_year = TaxYear(tax_year_for(timezone.localdate()))
    paid_this_year = LedgerEntry.objects.paid_out().filter(tax_year=this_year.start_year)
    return render(
        request,
        "payments/reports/overview.html",
        {
            "policy": policy,
            "this_year": this_year,
            "paid_this_year": paid_this_year.balance(),
            "owed_now": LedgerEntry.objects.owed().balance(),
            "days": stats.days_to_pay(Claim.objects.all(), target_days=policy.target_days_to_pay),
            "days_this_year": stats.days_to_pay(
                Claim.objects.filter(
                    paid_on__gte=this_year.starts_on, paid_on__lte=this_year.ends_on
                ),
                target_days=policy.target_days_to_pay,
            ),
        },
    )


def _people_totals(year):
    rows = LedgerEntry.objects.tax_year_totals()
    return rows.filter(tax_year=year) if year else rows


@role_required(Role.COMMISSIONER)
def people(request):
    form, year, valid = _tax_year_filter(request)
    rows = _people_totals(year) if valid else LedgerEntry.objects.none()
    page = paginate(request, rows, 50)
    page.object_list = tax_year_rows(page.object_list)
    return render(
        request,
        "payments/reports/people.html",
        {"form": form, "page_obj": page, "year": year and TaxYear(year), "valid": valid},
    )


@role_required(Role.COMMISSIONER)
def people_csv(request):
    _, year, valid = _tax_year_filter(request)
    if not valid:
        return _no_such_tax_year()
    rows = (
        (
            TaxYear(row["tax_year"]).short_label,
            row["person__display_name"],
            real_email_or_blank(row["person__email"]),
            pounds_for_spreadsheet(row["fee"]),
            pounds_for_spreadsheet(row["expenses"]),
            pounds_for_spreadsheet(row["total"]),
        )
        for row in _people_totals(year).iterator(chunk_size=2000)
    )
    return csv_response(
        f"payments-by-person-{year_in_file_name(year)}.csv",
        ["Tax year", "Name", "Email", "Fees paid (£)", "Expenses paid (£)", "Total paid (£)"],
        rows,
    )


def _budget_projects():
    # Projects with a budget, or with any money against them (a semi-join, not a join, so
    # millions of ledger rows do not multiply the projects).
    projects = Project.objects.filter(
        Q(budget_pence__isnull=False)
        | Q(pk__in=LedgerEntry.objects.filter(project__isnull=False).values("project"))
    )
    return with_budget_use(projects).order_by("title", "pk")


@role_required(Role.COMMISSIONER)
def budgets(request):
    page = paginate(request, _budget_projects(), 50)
    unassigned = LedgerEntry.objects.filter(project__isnull=True)
    return render(
        request,
        "payments/reports/budgets.html",
        {
            "page_obj": page,
            "unassigned_spent": unassigned.paid_out().balance(),
            "unassigned_committed": unassigned.owed().balance(),
        },
    )


@role_required(Role.COMMISSIONER)
def budgets_csv(request):
    def rows():
        for project in _budget_projects().iterator(chunk_size=2000):
            yield (
                project.title,
                pounds_for_spreadsheet(project.budget_pence),
                pounds_for_spreadsheet(project.spent_pence),
                pounds_for_spreadsheet(project.committed_pence),
                pounds_for_spreadsheet(project.remaining_pence),
            )

    return csv_response(
        "budget-and-spend-by-project.csv",
        ["Project", "Budget (£)", "Spent (£)", "Committed (£)", "Remaining (£)"],
        rows(),
    )


@role_required(Role.COMMISSIONER)
def owed(request):
    page = paginate(request, LedgerEntry.objects.owed_by_person(), 50)
    return render(
        request,
        "payments/reports/owed.html",
        {"page_obj": page, "total": LedgerEntry.objects.owed().balance()},
    )


@role_required(Role.COMMISSIONER)
def owed_csv(request):
    rows = (
        (
            row["person__display_name"],
            real_email_or_blank(row["person__email"]),
            pounds_for_spreadsheet(row["owed"]),
        )
        for row in LedgerEntry.objects.owed_by_person().iterator(chunk_size=2000)
    )
    return csv_response("owed-to-each-person.csv", ["Name", "Email", "Owed (£)"], rows)


def _paid_claims(year):
    claims = Claim.objects.paid()
    if year:
        tax_year = TaxYear(year)
        claims = claims.filter(paid_on__gte=tax_year.starts_on, paid_on__lte=tax_year.ends_on)
    return claims


@role_required(Role.COMMISSIONER)
def days_to_pay(request):
    form, year, valid = _tax_year_filter(request)
    policy = PaymentPolicy.current()
    claims = _paid_claims(year) if valid else Claim.objects.none()
    return render(
        request,
        "payments/reports/days_to_pay.html",
        {
            "form": form,
            "valid": valid,
            "year": TaxYear(year) if year else None,
            "policy": policy,
            "days": stats.days_to_pay(claims, target_days=policy.target_days_to_pay),
            "page_obj": paginate(
                request,
                claims.with_related().order_by("-days_to_pay", "-paid_on", "-pk"),
                50,
            ),
        },
    )


@role_required(Role.COMMISSIONER)
def days_to_pay_csv(request):
    _, year, valid = _tax_year_filter(request)
    if not valid:
        return _no_such_tax_year()
    claims = _paid_claims(year).with_related().order_by("paid_on", "pk")
    rows = (
        (
            claim.reference,
            claim.claimant.display_name,
            claim.project.title if claim.project else "",
            timezone.localdate(claim.first_submitted_at) if claim.first_submitted_at else "",
            claim.paid_on,
            claim.days_to_pay,
        )
        for claim in claims.iterator(chunk_size=2000)
    )
    return csv_response(
        f"days-to-pay-{year_in_file_name(year)}.csv",
        ["Claim", "Name", "Project", "First sent", "Paid", "Days to pay"],
        rows,
    )
