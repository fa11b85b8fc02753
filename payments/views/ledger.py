"""The ledger itself, for commissioners: every entry, filtered, totalled and downloadable,
so any figure on the reports can be traced back to the claims behind it."""

from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest
from django.shortcuts import render

from coprod_hub.lib.csv_export import csv_response
from coprod_hub.lib.money import pounds_for_spreadsheet
from coprod_hub.permissions import role_required
from coprod_hub.users.roles import Role

from ..forms import LedgerFilterForm
from ..models import Claim, LedgerEntry, PaymentRun
from ..taxyear import TaxYear
from .reports import known_tax_years, year_in_file_name

PER_PAGE = 50


def _filtered(request):
    """(form, entries): the entries the filters choose, newest first; None if the filters
    are wrong, which must never fall back to the whole ledger (its totals would pass for
    the filtered ones)."""
    form = LedgerFilterForm(request.GET or None, years=known_tax_years())
    if form.is_bound and not form.is_valid():
        return form, None
    filters = form.cleaned_data if form.is_bound else {}
    entries = LedgerEntry.objects.for_ledger_filters(**filters).newest_first()
    return form, entries


def _page(request, entries, count):
    """One page of entries. The page's ids come from the date index alone, then the rows for
    those ids: a deep page skips index entries rather than whole rows (page 20,000 of a
    million took a second the other way), and the planner is not tempted to walk the whole
    index for a filter such as one old payment run's few hundred entries."""
    paginator = Paginator(entries.values_list("pk", flat=True), PER_PAGE)
    # Known already from the totals: Django's own count would read the rows a second time.
    paginator.count = count
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = list(
        LedgerEntry.objects.filter(pk__in=list(page.object_list))
        .select_related("person", "project", "created_by")
        .newest_first()
    )
    return page


@role_required(Role.COMMISSIONER)
def ledger(request):
    form, entries = _filtered(request)
    context = {"form": form, "valid": entries is not None, "kind_meanings": _kind_meanings()}
    if entries is not None:
        totals = entries.totals_by_account()
        tax_year = form.cleaned_data.get("tax_year") if form.is_bound else None
        context.update(
            totals=totals,
            page_obj=_page(request, entries, totals["entries"]),
            person=form.person,
            year=TaxYear(tax_year) if tax_year else None,
        )
    return render(request, "payments/reports/ledger.html", context)


def _kind_meanings():
    return [
        (LedgerEntry.Kind(kind).label, meaning)
        for kind, meaning in LedgerEntry.KIND_MEANINGS.items()
    ]


CSV_HEADER = [
    "Date",
    "Claim",
    "Person",
    "Project",
    "Kind",
    "Account",
    "Component",
    "Amount (£)",
    "Payment run",
    "Made by",
    "Note",
]


def _file_name(data) -> str:
    """ "ledger-from-2025-04-06-to-2026-04-05.csv": the dates filtered on, and the tax year,
    so files downloaded for different periods stay apart."""
    parts = []
    if data.get("from_date"):
        parts.append(f"from-{data['from_date']:%Y-%m-%d}")
    if data.get("to_date"):
        parts.append(f"to-{data['to_date']:%Y-%m-%d}")
    if data.get("tax_year"):
        parts.append(year_in_file_name(data["tax_year"]))
    return f"ledger-{'-'.join(parts) or 'all-dates'}.csv"


@role_required(Role.COMMISSIONER)
def ledger_csv(request):
    form, entries = _filtered(request)
    if entries is None:
        # Refused rather than every entry or none: either file would read as the one asked for.
        return HttpResponseBadRequest(
            "The filters have a mistake in them. Go back to the ledger, correct the filters, "
            "then download the CSV file again.",
            content_type="text/plain; charset=utf-8",
        )
    kinds, accounts, components = (
        dict(choices)
        for choices in (
            LedgerEntry.Kind.choices,
            LedgerEntry.Account.choices,
            LedgerEntry.Component.choices,
        )
    )
    columns = entries.values_list(
        "effective_on",
        "claim_id",
        "person__display_name",
        "person__email",
        "project__title",
        "kind",
        "account",
        "component",
        "amount_pence",
        "payment_run_id",
        "created_by__display_name",
        "created_by__email",
        "note",
    )
    rows = (
        (
            on,
            Claim.reference_for(claim_id),
            name or email,  # as User.__str__ names people everywhere else
            project or "",
            kinds[kind],
            accounts[account],
            components[component],
            pounds_for_spreadsheet(amount),
            PaymentRun.reference_for(run_id) if run_id else "",
            by_name or by_email,
            note,
        )
        # Plain rows, in chunks from a server-side cursor: a million entries never sit in
        # memory, and no model objects are built for them.
        for (
            on,
            claim_id,
            name,
            email,
            project,
            kind,
            account,
            component,
            amount,
            run_id,
            by_name,
            by_email,
            note,
        ) in columns.iterator(chunk_size=2000)
    )
    data = form.cleaned_data if form.is_bound else {}
    return csv_response(_file_name(data), CSV_HEADER, rows)
