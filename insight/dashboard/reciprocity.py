"""Reciprocity: what people were paid for their time and costs, how quickly, and how each
project's spending compares with its budget. Read from the payments ledger and claims.

Kept to this one module so it changes only if the payments app's records change.
"""

from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, TruncQuarter

from payments.models import Claim, LedgerEntry, PaymentPolicy
from projects.models import Project

from .. import tables as t
from ..charts import Bar, BarChart, Item, single_series
from ..stats import percentiles
from . import TABLE_ROWS, Block, Figure, Section, plural, quarter_label, verb


def _ledger_in_view(filters):
    return LedgerEntry.objects.filter(
        filters.opportunity_where("claim__opportunity__", dates=False),
        account=LedgerEntry.Account.PAID,
        effective_on__gte=filters.start,
        effective_on__lte=filters.end,
    )


def _claims_in_view(filters):
    return Claim.objects.filter(
        filters.opportunity_where("opportunity__", dates=False),
        paid_on__gte=filters.start,
        paid_on__lte=filters.end,
    )


def _target_days() -> int:
    target = PaymentPolicy.objects.filter(pk=1).values_list("target_days_to_pay", flat=True)
    return next(iter(target), PaymentPolicy._meta.get_field("target_days_to_pay").default)


def _project_sum(account):
    total = (
        LedgerEntry.objects.filter(project=OuterRef("pk"), account=account)
        .order_by()
        .values("project")
        .annotate(total=Sum("amount_pence"))
        .values("total")
    )
    return Coalesce(Subquery(total, output_field=IntegerField()), Value(0))


def _days_to_pay(filters, target: int) -> dict:
    """Paid claims in the dates: how many, the median and 90th percentile of days from
    sending to payment (as PERCENTILE_CONT works them out, like the payments reports), and
    how many took longer than the target."""
    paid = _claims_in_view(filters).filter(status=Claim.Status.PAID, days_to_pay__isnull=False)
    counts = paid.aggregate(
        count=Count("pk"), over_target=Count("pk", filter=Q(days_to_pay__gt=target))
    )
    spread = percentiles(paid, F("days_to_pay"), (0.5, 0.9))
    return {**counts, "median": spread[0.5], "p90": spread[0.9]}


def build(filters, *, now) -> Section:
    ledger = _ledger_in_view(filters)
    fee = Q(component=LedgerEntry.Component.FEE)
    expenses = Q(component=LedgerEntry.Component.EXPENSES)
    paid = ledger.aggregate(
        fees=Coalesce(Sum("amount_pence", filter=fee), 0),
        expenses=Coalesce(Sum("amount_pence", filter=expenses), 0),
        people=Count("person", distinct=True),
    )
    quarters = list(
        ledger.annotate(quarter=TruncQuarter("effective_on"))
        .order_by()
        .values("quarter")
        .annotate(
            fees=Coalesce(Sum("amount_pence", filter=fee), 0),
            expenses=Coalesce(Sum("amount_pence", filter=expenses), 0),
        )
        .order_by("quarter")
    )
    target = _target_days()
    timing = _days_to_pay(filters, target)
    budgets = list(
        Project.objects.filter(filters.project_active_where(), budget_pence__isnull=False)
        .annotate(
            spent=_project_sum(LedgerEntry.Account.PAID),
            owed=_project_sum(LedgerEntry.Account.OWED),
        )
        .order_by("-budget_pence", "title")
        .values("title", "budget_pence", "spent", "owed")
    )

    total_paid = paid["fees"] + paid["expenses"]

    # 1. Paid, by quarter.
    paid_table = t.Table(
        "reciprocity_paid",
        "Fees and expenses paid, by quarter",
        ["Quarter", "Fees", "Expenses", "Total"],
    )
    paid_items = []
    for row in quarters:
        label = quarter_label(row["quarter"])
        paid_table.rows.append(
            [
                t.text(label),
                t.money_cell(row["fees"]),
                t.money_cell(row["expenses"]),
                t.money_cell(row["fees"] + row["expenses"]),
            ]
        )
        paid_items.append(
            Item(
                label,
                [
                    Bar("Fees", row["fees"], f"Fees: {t.money_cell(row['fees']).text}", 0),
                    Bar(
                        "Expenses",
                        row["expenses"],
                        f"Expenses: {t.money_cell(row['expenses']).text}",
                        1,
                    ),
                ],
            )
        )
    paid_table.rows.append(
        [
            t.text("All quarters"),
            t.money_cell(paid["fees"]),
            t.money_cell(paid["expenses"]),
            t.money_cell(total_paid),
        ]
    )
    paid_chart = BarChart(
        "reciprocity-paid",
        "Fees and expenses paid, by quarter",
        "Paired bar chart: for each quarter, the fees and the expenses paid to people who "
        "took part.",
        paid_items,
    )
    paid_summary = (
        f"{t.money_cell(total_paid).text} paid to {plural(paid['people'], 'person', 'people')}: "
        f"{t.money_cell(paid['fees']).text} in fees and {t.money_cell(paid['expenses']).text} in "
        "expenses."
        if total_paid
        else "Nothing was paid out in these dates."
    )

    # 2. How quickly.
    median_text = f"{timing['median']:.1f}" if timing["median"] is not None else "No data"
    timing_table = t.Table(
        "reciprocity_days",
        "Days from sending a claim to payment",
        ["Measure", "Value"],
        rows=[
            [t.text("Claims paid"), t.number(timing["count"])],
            [t.text("Median days"), t.decimal(timing["median"])],
            [t.text("90th percentile days"), t.decimal(timing["p90"])],
            [t.text(f"Paid later than the {target}-day target"), t.number(timing["over_target"])],
        ],
    )
    within = timing["count"] - timing["over_target"]
    timing_summary = (
        f"Half of the {plural(timing['count'], 'claim')} paid were paid within {median_text} "
        f"days of being sent; {within:,} ({_pct(within, timing['count'])}) within the "
        f"{target}-day target."
        if timing["count"]
        else "No claims were paid in these dates."
    )

    # 3. Budget against spend.
    budget_table = t.Table(
        "reciprocity_budgets",
        "Budget against spend, by project (all payments to date)",
        ["Project", "Budget", "Paid out", "Approved, not yet paid", "Left", "Share spent"],
    )
    all_rows = []
    chart_rows = []
    for row in budgets:
        budget, spent, owed = row["budget_pence"], row["spent"], row["owed"]
        all_rows.append(
            [
                t.text(row["title"]),
                t.money_cell(budget),
                t.money_cell(spent),
                t.money_cell(owed),
                t.money_cell(budget - spent - owed),
                t.percent(spent, budget),
            ]
        )
        if len(chart_rows) < TABLE_ROWS:
            share = 100 * spent / budget if budget else 0
            chart_rows.append((row["title"], share, _pct(spent, budget) + " spent"))
    budget_table.shorten(all_rows, all_rows[:TABLE_ROWS], which="largest budgets", noun="projects")
    over = [r for r in budgets if r["spent"] + r["owed"] > r["budget_pence"]]
    overspent = (
        "none has spent or committed more than its budget"
        if not over
        else f"{len(over):,} {verb(len(over), 'has', 'have')} spent or committed more than "
        f"{verb(len(over), 'its budget', 'their budgets')}"
    )
    budget_summary = (
        f"{plural(len(budgets), 'project')} with a budget; {overspent}."
        if budgets
        else "No project in this view has a budget set."
    )
    budget_chart = single_series(
        "reciprocity-budgets",
        "Share of each project's budget paid out",
        f"Bar chart of the percentage of the budget paid out so far, for the "
        f"{plural(len(chart_rows), 'project')} with the largest budgets, largest first.",
        chart_rows,
        max_value=100,
        # With budgets but nothing paid out yet, the filters are not why there is no chart.
        empty_text="Nothing has been paid out from these budgets yet." if budgets else None,
    )

    return Section(
        slug="reciprocity",
        title="Reciprocity",
        intro=(
            "Whether people are paid fairly and on time for their time and costs. Payments "
            "count on the day they were paid; budgets compare everything paid to date."
        ),
        figures=[
            Figure("Fees paid", t.money_cell(paid["fees"]).text),
            Figure("Expenses paid", t.money_cell(paid["expenses"]).text),
            Figure("People paid", f"{paid['people']:,}"),
            Figure("Median days to pay", median_text, f"target {target} days"),
        ],
        blocks=[
            Block("Paid, by quarter", paid_summary, paid_table, paid_chart),
            Block("How quickly people are paid", timing_summary, timing_table),
            Block("Budget against spend", budget_summary, budget_table, budget_chart),
        ],
    )


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "No data"
