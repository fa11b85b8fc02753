"""Outcomes: what participants said about taking part ("I" statements), over time and by
project, set beside what project teams said about themselves ("We" statements).

The survey promises that staff see answers only added together. So results for any group
fewer than `SUPPRESS_BELOW` people answered (the whole view, a quarter, a project) are not
shown, and comments appear only from sessions that many people answered. How many
responses there were is still shown: it says nothing about what anyone said.
"""

from django.db.models import Avg, Count, OuterRef, Q, Subquery
from django.db.models.functions import TruncQuarter
from django.utils import timezone

from projects.models import Project

from .. import tables as t
from ..charts import Bar, BarChart, Item, single_series
from ..models import SurveyInvitation, SurveyResponse, WeAssessment
from ..statements import AGREES_FROM, I_STATEMENTS, WE_STATEMENTS, WE_TESTED_BY
from ..stats import SUPPRESS_BELOW, TOO_FEW_ANSWERED
from . import TABLE_ROWS, Block, Figure, Section, plural, quarter_label

LATEST_COMMENTS = 5


def _statement_aggregates():
    # Whether results may be shown depends on how many people answered: one person who
    # came to three sessions gives three responses, but is still one person.
    aggregates = {"responses": Count("pk"), "people": Count("signup__resident", distinct=True)}
    for s in I_STATEMENTS:
        aggregates[f"{s.key}_answered"] = Count(s.key)
        aggregates[f"{s.key}_agree"] = Count("pk", filter=Q(**{f"{s.key}__gte": AGREES_FROM}))
        aggregates[f"{s.key}_avg"] = Avg(s.key)
    return aggregates


def _too_few(people: int) -> bool:
    """Whether results from this many people must not be shown (nobody at all hides
    nothing: there is nothing to show)."""
    return 0 < people < SUPPRESS_BELOW


def _statement_cells(counts: dict) -> list:
    """The share agreeing with each statement, then with all of them: hidden for too few."""
    if _too_few(counts["people"]):
        return [t.suppressed() for _ in range(len(I_STATEMENTS) + 1)]
    agree, answered = _pooled(counts)
    return [
        *[t.percent(counts[f"{s.key}_agree"], counts[f"{s.key}_answered"]) for s in I_STATEMENTS],
        t.percent(agree, answered),
    ]


def _pooled(prefix_counts: dict) -> tuple[int, int]:
    answered = sum(prefix_counts[f"{s.key}_answered"] or 0 for s in I_STATEMENTS)
    agree = sum(prefix_counts[f"{s.key}_agree"] or 0 for s in I_STATEMENTS)
    return agree, answered


def _pooled_average(counts: dict, keys) -> float | None:
    values = [counts[f"{key}_avg"] for key in keys if counts.get(f"{key}_avg") is not None]
    return sum(values) / len(values) if values else None


def latest_we_assessments(filters, projects):
    """The latest "We" assessment in the date range for each project in `projects`."""
    latest_quarter = (
        WeAssessment.objects.in_range(filters.start, filters.end)
        .filter(project=OuterRef("project"))
        .order_by("-quarter_start")
        .values("quarter_start")[:1]
    )
    return (
        WeAssessment.objects.in_range(filters.start, filters.end)
        .filter(project__in=projects, quarter_start=Subquery(latest_quarter))
        .select_related("project")
        .order_by("project__title", "project")
    )


def build(filters, *, now) -> Section:
    responses = SurveyResponse.objects.in_view(filters)
    overall = responses.aggregate(**_statement_aggregates())
    quarters = list(
        responses.annotate(
            quarter=TruncQuarter("opportunity__starts_at", tzinfo=timezone.get_current_timezone())
        )
        .order_by()
        .values("quarter")
        .annotate(**_statement_aggregates())
        .order_by("quarter")
    )
    by_project = list(
        responses.filter(opportunity__project__isnull=False)
        .order_by()
        .values("opportunity__project", "opportunity__project__title")
        .annotate(**_statement_aggregates())
        .order_by("opportunity__project__title", "opportunity__project")
    )
    invitations = SurveyInvitation.objects.filter(
        filters.opportunity_where("signup__opportunity__")
    ).aggregate(
        invited=Count("pk"),
        answered=Count("pk", filter=Q(signup__survey_responses__isnull=False)),
    )
    invited = invitations["invited"]
    projects_in_view = Project.objects.filter(filters.project_where())
    assessments = list(latest_we_assessments(filters, projects_in_view))
    comments = list(
        responses.with_comments()
        .about_sessions_enough_answered()
        .select_related("opportunity")
        .order_by("-submitted_at", "-pk")[:LATEST_COMMENTS]
    )

    total = overall["responses"]
    agree, answered = _pooled(overall)
    overall_hidden = _too_few(overall["people"])

    # 1. Each "I" statement, overall.
    statement_table = t.Table(
        "outcomes_statements",
        "What participants said: each \u201cI\u201d statement",
        ["Statement", "Answers", "Agree or strongly agree", "Share who agree", "Average (1 to 5)"],
    )
    chart_rows = []
    for s in I_STATEMENTS:
        n, yes, avg = (
            overall[f"{s.key}_answered"],
            overall[f"{s.key}_agree"],
            overall[f"{s.key}_avg"],
        )
        if overall_hidden:
            # Even how many answered each statement would say who chose "prefer not to say".
            statement_table.rows.append([t.text(s.text), *[t.suppressed() for _ in range(4)]])
            continue
        statement_table.rows.append(
            [t.text(s.text), t.number(n), t.number(yes), t.percent(yes, n), t.decimal(avg)]
        )
        chart_rows.append((s.text, 100 * yes / n if n else 0, _pct(yes, n) + " agree"))
    statement_chart = single_series(
        "outcomes-statements",
        "Share of participants who agree with each \u201cI\u201d statement",
        "Bar chart of the percentage of participants answering agree or strongly agree to "
        "each of the six \u201cI\u201d statements.",
        chart_rows,
        max_value=100,
    )
    if overall_hidden:
        statement_summary = TOO_FEW_ANSWERED
    elif answered:
        best = max(I_STATEMENTS, key=lambda s: _ratio(overall, s.key))
        worst = min(I_STATEMENTS, key=lambda s: _ratio(overall, s.key))
        statement_summary = (
            f"From {plural(total, 'response')}, {_pct(agree, answered)} of answers agreed. "
        )
        if _ratio(overall, best.key) == _ratio(overall, worst.key):
            statement_summary += "Every statement had the same share agreeing."
        else:
            statement_summary += (
                f"Most agreed: \u201c{best.text}\u201d. Least agreed: \u201c{worst.text}\u201d."
            )
    else:
        statement_summary = "Nobody has answered the survey about sessions in this view yet."

    # 2. Over time.
    quarter_table = t.Table(
        "outcomes_quarters",
        "Share who agree with each \u201cI\u201d statement, by quarter of the session",
        ["Quarter", "Responses", *[s.short for s in I_STATEMENTS], "All statements"],
    )
    quarter_chart_rows = []
    hidden_quarters = 0
    for row in quarters:
        label = quarter_label(timezone.localtime(row["quarter"]).date())
        quarter_table.rows.append(
            [t.text(label), t.number(row["responses"]), *_statement_cells(row)]
        )
        if _too_few(row["people"]):
            hidden_quarters += 1
            continue
        q_agree, q_answered = _pooled(row)
        quarter_chart_rows.append(
            (label, 100 * q_agree / q_answered if q_answered else 0, _pct(q_agree, q_answered))
        )
    quarter_chart = single_series(
        "outcomes-quarters",
        "Share of answers that agree, by quarter",
        "Bar chart of the percentage of all \u201cI\u201d statement answers that agreed, for "
        "sessions in each quarter.",
        quarter_chart_rows,
        max_value=100,
    )
    if quarter_chart_rows:
        quarter_summary = (
            f"Across {plural(len(quarter_chart_rows), 'quarter')}, the share of answers that "
            f"agree ranged from {min(r[2] for r in quarter_chart_rows)} to "
            f"{max(r[2] for r in quarter_chart_rows)}."
        )
    elif quarters:
        quarter_summary = TOO_FEW_ANSWERED
    else:
        quarter_summary = "No answers yet for sessions in these dates."
    if quarter_chart_rows and hidden_quarters:
        quarter_summary += (
            f" {plural(hidden_quarters, 'quarter')} had fewer than {SUPPRESS_BELOW} people "
            "answering, so we do not show their results, to protect their privacy."
        )

    # 3. By project, with the team's own "We" rating beside it.
    we_by_project = {a.project_id: a for a in assessments}
    project_table = t.Table(
        "outcomes_projects",
        "What participants said, by project, beside the team\u2019s own rating",
        [
            "Project",
            "Responses",
            *[s.short for s in I_STATEMENTS],
            "Participants\u2019 average (1 to 5)",
            "Team\u2019s \u201cWe\u201d rating (1 to 5)",
            "Gap",
        ],
    )
    project_rows = []
    hidden_projects = 0
    for row in by_project:
        assessment = we_by_project.get(row["opportunity__project"])
        we_average = assessment.average if assessment else None
        if _too_few(row["people"]):
            hidden_projects += 1
            # The gap is hidden too: with the team's rating beside it, it gives the average.
            i_average_cell = gap_cell = t.suppressed()
        else:
            i_average = _pooled_average(row, [s.key for s in I_STATEMENTS])
            gap = (
                we_average - i_average if we_average is not None and i_average is not None else None
            )
            i_average_cell, gap_cell = t.decimal(i_average), t.decimal(gap)
        project_rows.append(
            [
                t.text(row["opportunity__project__title"]),
                t.number(row["responses"]),
                *_statement_cells(row)[:-1],
                i_average_cell,
                t.decimal(we_average),
                gap_cell,
            ]
        )
    # The CSV lists every project by title; the page shows those most people answered about.
    most_answered = sorted(
        zip(by_project, project_rows, strict=True), key=lambda p: -p[0]["responses"]
    )
    project_table.shorten(
        project_rows,
        [cells for _, cells in most_answered[:TABLE_ROWS]],
        which="projects with the most responses",
        noun="projects",
    )
    gaps = [
        (row[0].text, float(row[-1].csv))
        for row in project_rows
        if row[-1].csv and not row[-1].suppressed
    ]
    if gaps:
        widest = max(gaps, key=lambda g: g[1])
        project_summary = (
            f"{plural(len(by_project), 'project')} had answers. The widest gap between a "
            f"team\u2019s own rating and what participants said is {widest[1]:+.1f} points, "
            f"for {widest[0]}."
        )
    else:
        project_summary = (
            f"{plural(len(by_project), 'project')} had answers. No team has rated the "
            "\u201cWe\u201d statements for these dates yet, so there is no gap to show."
            if by_project
            else "No project has answers for sessions in these dates yet."
        )
    if hidden_projects:
        project_summary += (
            f" For {plural(hidden_projects, 'project')}, fewer than {SUPPRESS_BELOW} people "
            "answered, so we do not show their results, to protect their privacy."
        )

    # 4. "We" against "I", statement by statement.
    we_table = t.Table(
        "outcomes_we_gap",
        "\u201cWe\u201d statements: teams\u2019 own ratings against what participants said",
        [
            "\u201cWe\u201d statement",
            "Teams\u2019 average (1 to 5)",
            "Participants\u2019 average (1 to 5)",
            "Gap",
        ],
    )
    we_items = []
    for s in WE_STATEMENTS:
        ratings = [getattr(a, s.key) for a in assessments]
        team = sum(ratings) / len(ratings) if ratings else None
        if overall_hidden:
            we_table.rows.append([t.text(s.text), t.decimal(team), t.suppressed(), t.suppressed()])
            continue
        participants = _pooled_average(overall, WE_TESTED_BY[s.key])
        gap = team - participants if team is not None and participants is not None else None
        we_table.rows.append(
            [t.text(s.text), t.decimal(team), t.decimal(participants), t.decimal(gap)]
        )
        we_items.append(
            Item(
                s.text,
                [
                    Bar("Teams", team or 0, f"Teams: {_one(team)}", 0),
                    Bar(
                        "Participants", participants or 0, f"Participants: {_one(participants)}", 1
                    ),
                ],
            )
        )
    we_chart = BarChart(
        "outcomes-we-gap",
        "Teams\u2019 own ratings against what participants said",
        "Paired bar chart: for each \u201cWe\u201d statement, the average rating project teams "
        "gave themselves and the average of participants\u2019 answers to the related "
        "\u201cI\u201d statements, both on a scale of 1 to 5.",
        we_items,
        max_value=5,
    )
    we_summary = (
        f"{plural(len(assessments), 'project team')} rated themselves. "
        "A positive gap means the team rated itself higher than participants did."
        if assessments
        else "No project team has rated the \u201cWe\u201d statements for these dates yet."
    )
    if overall_hidden:
        we_summary += f" {TOO_FEW_ANSWERED}"

    agree_figure = (
        ("Not shown", f"fewer than {SUPPRESS_BELOW} people answered")
        if overall_hidden
        else (_pct(agree, answered), "across all six statements")
    )
    return Section(
        slug="outcomes",
        title="Outcomes",
        intro=(
            "What people said after taking part, in the short survey we send after each "
            "session, for sessions in the dates chosen."
        ),
        figures=[
            Figure("Survey responses", f"{total:,}", f"from {plural(invited, 'invitation')}"),
            Figure(
                "Response rate",
                _pct(invitations["answered"], invited),
                f"{invitations['answered']:,} of those invited answered",
            ),
            Figure("Answers that agree", *agree_figure),
        ],
        blocks=[
            Block(
                "Each \u201cI\u201d statement",
                statement_summary,
                statement_table,
                None if overall_hidden else statement_chart,
            ),
            Block("Over time", quarter_summary, quarter_table, quarter_chart),
            Block(
                "\u201cWe\u201d against \u201cI\u201d",
                we_summary,
                we_table,
                we_chart if assessments and not overall_hidden else None,
            ),
            Block("By project", project_summary, project_table),
        ],
        extra={"comments": comments, "suppress_below": SUPPRESS_BELOW},
    )


def _ratio(counts, key) -> float:
    n = counts[f"{key}_answered"]
    return counts[f"{key}_agree"] / n if n else -1


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "No data"


def _one(value) -> str:
    return f"{value:.1f}" if value is not None else "none"
