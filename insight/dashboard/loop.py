"""Closing the loop: do people hear back ("we said, we did") after a session?

A session counts once it has ended. It is "followed up" if its project posted an update
within 6 weeks of the end; it is "waiting" while those 6 weeks are still running and nothing
is posted yet, and waiting sessions are left out of the shares (they have not failed yet).
"""

from datetime import timedelta

from django.db.models import Count, Exists, F, Max, OuterRef, Q, Subquery
from django.db.models.functions import TruncQuarter
from django.utils import timezone

from participation.models import Opportunity
from projects.models import Project, Update
from projects.querysets import UPDATE_OVERDUE_AFTER

from .. import tables as t
from ..charts import single_series
from ..stats import DaysBetween, median
from . import TABLE_ROWS, Block, Figure, Section, plural, quarter_label, verb

FOLLOW_UP_WITHIN = timedelta(weeks=6)


def sessions_in_view(filters, now):
    first_update = (
        Update.objects.filter(project=OuterRef("project"), posted_at__gte=OuterRef("ends_at"))
        .order_by("posted_at")
        .values("posted_at")[:1]
    )
    return (
        Opportunity.objects.filter(
            filters.opportunity_where(),
            project__isnull=False,
            ends_at__lte=now,
        )
        .exclude(status__in=[Opportunity.Status.DRAFT, Opportunity.Status.CANCELLED])
        .annotate(first_update_at=Subquery(first_update))
    )


def _recent_updates(filters, now) -> tuple[int, int]:
    """(projects running in the dates chosen, those with a "we said, we did" update in the
    12 weeks before the end of the dates, or now if sooner): the rule behind the staff
    project list's "no update for 12 weeks" flag, so both say the same. Counts projects
    with no sessions in the hub too, which the session figures cannot see."""
    until = min(now, filters.end_before)
    recent = Update.objects.filter(
        project=OuterRef("pk"),
        posted_at__gt=until - UPDATE_OVERDUE_AFTER,
        posted_at__lte=until,
    )
    counts = Project.objects.filter(filters.project_active_where()).aggregate(
        running=Count("pk"), recent=Count("pk", filter=Q(Exists(recent)))
    )
    return counts["running"], counts["recent"]


def _conditions(now):
    followed = Q(first_update_at__lte=F("ends_at") + FOLLOW_UP_WITHIN)
    waiting = Q(ends_at__gt=now - FOLLOW_UP_WITHIN, first_update_at__isnull=True)
    due = Q(ends_at__lte=now - FOLLOW_UP_WITHIN) | Q(first_update_at__isnull=False)
    return followed, waiting, due


def build(filters, *, now) -> Section:
    sessions = sessions_in_view(filters, now)
    followed, waiting, due = _conditions(now)

    totals = sessions.aggregate(
        due=Count("pk", filter=due),
        followed=Count("pk", filter=followed),
        waiting=Count("pk", filter=waiting),
    )
    per_project = (
        sessions.order_by()
        .values("project")
        .annotate(due_n=Count("pk", filter=due), followed_n=Count("pk", filter=followed))
    )
    projects = per_project.aggregate(
        projects=Count("project", filter=Q(due_n__gt=0)),
        closed=Count("project", filter=Q(followed_n__gt=0)),
    )
    median_days = median(sessions, DaysBetween("first_update_at", "ends_at"))
    running, recently_updated = _recent_updates(filters, now)
    project_rows = list(
        sessions.order_by()
        .values("project", "project__title")
        .annotate(
            due_n=Count("pk", filter=due),
            followed_n=Count("pk", filter=followed),
            waiting_n=Count("pk", filter=waiting),
            last_session=Max("ends_at"),
        )
        .order_by("project__title", "project")
    )
    quarters = list(
        sessions.annotate(quarter=TruncQuarter("starts_at", tzinfo=timezone.get_current_timezone()))
        .order_by()
        .values("quarter")
        .annotate(
            due_n=Count("pk", filter=due),
            followed_n=Count("pk", filter=followed),
            waiting_n=Count("pk", filter=waiting),
        )
        .order_by("quarter")
    )

    n_projects, n_closed = projects["projects"], projects["closed"]
    project_table = t.Table(
        "loop_projects",
        "Sessions followed by a \u201cwe said, we did\u201d update within 6 weeks, by project",
        ["Project", "Sessions", "Followed up within 6 weeks", "Share", "Still within 6 weeks"],
    )

    def cells(row):
        return [
            t.text(row["project__title"]),
            t.number(row["due_n"]),
            t.number(row["followed_n"]),
            t.percent(row["followed_n"], row["due_n"]),
            t.number(row["waiting_n"]),
        ]

    # The CSV lists every project by title; the page shows the busiest, where a missing
    # update lets down the most people.
    busiest = sorted(project_rows, key=lambda row: -(row["due_n"] + row["waiting_n"]))
    project_table.shorten(
        [cells(row) for row in project_rows],
        [cells(row) for row in busiest[:TABLE_ROWS]],
        which="projects with the most sessions",
        noun="projects",
    )
    project_summary = (
        f"{plural(n_closed, 'project')} of {n_projects:,} ({_pct(n_closed, n_projects)}) "
        "posted a \u201cwe said, we did\u201d update within 6 weeks of a session."
        if n_projects
        else "No project in this view has a session that ended more than 6 weeks ago or "
        "has been followed up."
    )

    quarter_table = t.Table(
        "loop_quarters",
        "Sessions followed up within 6 weeks, by quarter of the session",
        ["Quarter", "Sessions", "Followed up within 6 weeks", "Share", "Still within 6 weeks"],
    )
    chart_rows = []
    for row in quarters:
        label = quarter_label(timezone.localtime(row["quarter"]).date())
        quarter_table.rows.append(
            [
                t.text(label),
                t.number(row["due_n"]),
                t.number(row["followed_n"]),
                t.percent(row["followed_n"], row["due_n"]),
                t.number(row["waiting_n"]),
            ]
        )
        share = 100 * row["followed_n"] / row["due_n"] if row["due_n"] else 0
        chart_rows.append((label, share, _pct(row["followed_n"], row["due_n"])))
    quarter_chart = single_series(
        "loop-quarters",
        "Share of sessions followed up within 6 weeks, by quarter",
        "Bar chart of the percentage of sessions in each quarter whose project posted a "
        "\u201cwe said, we did\u201d update within 6 weeks.",
        chart_rows,
        max_value=100,
    )
    waiting = totals["waiting"]
    quarter_summary = (
        f"Of {plural(totals['due'], 'session')}, {totals['followed']:,} "
        f"({_pct(totals['followed'], totals['due'])}) "
        f"{verb(totals['followed'], 'was', 'were')} followed up within 6 weeks."
    )
    if waiting:
        # One sentence for one session or many: "its 6 weeks" read wrongly after "sessions".
        quarter_summary += (
            f" {plural(waiting, 'more session')} ended less than 6 weeks ago and "
            f"{verb(waiting, 'has', 'have')} no update yet, so "
            f"{verb(waiting, 'it is', 'they are')} not counted until "
            f"{verb(waiting, 'its', 'their')} 6 weeks are up."
        )

    days_text = f"{median_days:.0f} days" if median_days is not None else "None yet"
    return Section(
        slug="loop",
        title="Closing the loop",
        intro=(
            "Whether people hear back about what changed. A session is followed up when its "
            "project posts a \u201cwe said, we did\u201d update within 6 weeks of it ending. "
            "Sessions less than 6 weeks old with no update yet are not counted against anyone. "
            "Projects with an update in the last 12 weeks count every project running, "
            "as the staff list of projects does."
        ),
        figures=[
            Figure(
                "Projects with an update in the last 12 weeks",
                _pct(recently_updated, running),
                f"{recently_updated:,} of {running:,} projects running",
            ),
            Figure(
                "Projects that closed the loop",
                _pct(n_closed, n_projects),
                f"{n_closed:,} of {n_projects:,} projects",
            ),
            Figure(
                "Sessions followed up within 6 weeks",
                _pct(totals["followed"], totals["due"]),
                f"{totals['followed']:,} of {totals['due']:,} sessions",
            ),
            Figure("Median days from session to update", days_text),
        ],
        blocks=[
            Block("By quarter", quarter_summary, quarter_table, quarter_chart),
            Block("By project", project_summary, project_table),
        ],
        extra={"median_days": median_days},
    )


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "No data"
