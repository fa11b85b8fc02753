"""Outcomes: what participants said about taking part ("I" statements), over time and by
project, set beside what project teams said about themselves ("We" statements).

Results are added up from whole cells that 10 or more people answered about (see
`insight.cells`), so no two views can be subtracted to find a smaller group. The dates
chosen are widened to the whole quarters they touch, since a cell is a quarter long.

Comments appear only from sessions that many people answered.

How many responses there were is still shown: it says nothing about what anyone said.
"""

from dataclasses import replace
from datetime import timedelta

from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone

from projects.models import Project

from .. import cells
from .. import tables as t
from ..charts import Bar, BarChart, Item, single_series
from ..models import SurveyInvitation, SurveyResponse, WeAssessment
from ..querysets import next_quarter, quarter_floor
from ..statements import ASKED_NOT_YET, I_STATEMENTS, WE_STATEMENTS, WE_TESTED_BY
from ..stats import HIDDEN_BECAUSE, SUPPRESS_BELOW, TOO_FEW_ANSWERED
from . import TABLE_ROWS, Block, Figure, Section, joined, plural, quarter_label

LATEST_COMMENTS = 5


def whole_quarters(filters):
    """The view widened to the whole quarters its dates touch."""
    last = next_quarter(quarter_floor(filters.end)) - timedelta(days=1)
    return replace(filters, start=quarter_floor(filters.start), end=last)


def _hidden(counts: dict) -> t.Cell:
    """What a hidden result says: not yet (its surveys are open), or not shown (too few
    answered, or mostly one person)."""
    return t.not_yet() if counts["pending"] else t.not_shown()


def _statement_cells(counts: dict) -> list:
    """The share agreeing with each statement, then with all of them, unless no cell in
    `counts` counts."""
    if not counts["counted"]:
        return [_hidden(counts) for _ in range(len(I_STATEMENTS) + 1)]
    agree, answered = _pooled(counts)
    return [
        *[t.percent(counts[f"{s.key}_agree"], counts[f"{s.key}_answered"]) for s in I_STATEMENTS],
        t.percent(agree, answered),
    ]


def _pooled(prefix_counts: dict) -> tuple[int, int]:
    answered = sum(prefix_counts[f"{s.key}_answered"] or 0 for s in I_STATEMENTS)
    agree = sum(prefix_counts[f"{s.key}_agree"] or 0 for s in I_STATEMENTS)
    return agree, answered


def _mean_of_averages(counts: dict, keys) -> float | None:
    """The mean of the statements' averages: each statement weighs the same, as in the
    team's own "We" average it is set beside, however many chose "prefer not to say"."""
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
    view = whole_quarters(filters)
    responses = SurveyResponse.objects.in_view(view)
    rows = cells.cell_rows(responses, now=now)
    counted = cells.cells_that_count(rows)
    overall = cells.add_up(rows, counted)
    quarters = sorted(
        cells.group(rows, counted, lambda row: (("quarter", row["quarter"]),)),
        key=lambda q: q["quarter"],
    )
    by_project = sorted(
        cells.group(
            [row for row in rows if row["opportunity__project"] is not None],
            counted,
            lambda row: (
                ("project", row["opportunity__project"]),
                ("title", row["opportunity__project__title"]),
            ),
        ),
        key=lambda p: (p["title"], p["project"]),
    )
    invitations = SurveyInvitation.objects.filter(
        view.opportunity_where("signup__opportunity__")
    ).aggregate(
        invited=Count("pk"),
        answered=Count("pk", filter=Q(signup__survey_responses__isnull=False)),
    )
    invited = invitations["invited"]
    projects_in_view = Project.objects.filter(view.project_where())
    assessments = list(latest_we_assessments(view, projects_in_view))
    comments = list(
        responses.with_comments()
        .about_sessions_enough_answered()
        .select_related("opportunity")
        .order_by("-submitted_at", "-pk")[:LATEST_COMMENTS]
    )

    total = overall["responses"]
    left_out = total - overall["counted_responses"]
    agree, answered = _pooled(overall)
    # Results are hidden only when no cell counts: any that does has enough people.
    overall_hidden = bool(total) and not overall["counted"]
    pending = [q["quarter"] for q in quarters if q["pending"]]
    hidden_note = cells.not_yet_note(pending[0]) if overall["pending"] else TOO_FEW_ANSWERED

    # 1. Each "I" statement, overall.
    statement_table = t.Table(
        "outcomes_statements",
        "What participants said: each \u201cI\u201d statement",
        [
            "Statement",
            "Answers",
            "Agree or strongly agree",
            "Share who agree",
            "Average (1 to 5)",
            "Said it has not happened yet",
        ],
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
            statement_table.rows.append([t.text(s.text), *[_hidden(overall) for _ in range(5)]])
            continue
        statement_table.rows.append(
            [
                t.text(s.text),
                t.number(n),
                t.number(yes),
                t.percent(yes, n),
                t.decimal(avg),
                t.number(overall[s.not_yet_field]) if s.not_yet else t.text("Not asked"),
            ]
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
        statement_summary = hidden_note
    elif answered:
        best = max(I_STATEMENTS, key=lambda s: _ratio(overall, s.key))
        worst = min(I_STATEMENTS, key=lambda s: _ratio(overall, s.key))
        statement_summary = (
            f"From {plural(overall['counted_responses'], 'response')}, "
            f"{_pct(agree, answered)} of answers agreed. "
        )
        if _ratio(overall, best.key) == _ratio(overall, worst.key):
            statement_summary += "Every statement had the same share agreeing."
        else:
            statement_summary += (
                f"Most agreed: \u201c{best.text}\u201d. Least agreed: \u201c{worst.text}\u201d."
            )
    else:
        statement_summary = "Nobody has answered the survey about sessions in this view yet."
    said_not_yet = [s for s in ASKED_NOT_YET if overall[s.not_yet_field]]
    if said_not_yet and not overall_hidden:
        statement_summary += (
            " "
            + joined(
                [
                    f"{plural(overall[s.not_yet_field], 'answer')} said \u201c{s.not_yet}\u201d"
                    for s in said_not_yet
                ]
            )
            + ": these are left out of the shares and averages."
        )
    if left_out and not overall_hidden:
        statement_summary += (
            f" These results leave out {plural(left_out, 'response')}: to protect people’s "
            f"privacy, we add answers in only where {SUPPRESS_BELOW} or more people answered "
            "about the same project, area and level in the same quarter, and no one of them "
            "gave more than half of the answers. The numbers of responses in the tables count "
            "every response."
        )

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
        hidden = not row["counted"]
        quarter_table.rows.append(
            [t.text(label), t.number(row["responses"]), *_statement_cells(row)]
        )
        if hidden:
            hidden_quarters += not row["pending"]
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
        quarter_summary = hidden_note
    else:
        quarter_summary = "No answers yet for sessions in these dates."
    if quarter_chart_rows and hidden_quarters:
        quarter_summary += (
            f" We do not show {plural(hidden_quarters, 'quarter')}: in each, for every "
            f"project, area and level, {HIDDEN_BECAUSE}. This protects people’s privacy."
        )
    if quarter_chart_rows and pending:
        quarter_summary += " " + cells.not_yet_note(pending[0])

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
        assessment = we_by_project.get(row["project"])
        we_average = assessment.average if assessment else None
        hidden = not row["counted"]
        if hidden:
            hidden_projects += not row["pending"]
            # The gap is hidden too: with the team's rating beside it, it gives the average.
            i_average_cell = gap_cell = _hidden(row)
        else:
            i_average = _mean_of_averages(row, [s.key for s in I_STATEMENTS])
            gap = (
                we_average - i_average if we_average is not None and i_average is not None else None
            )
            i_average_cell, gap_cell = t.decimal(i_average), t.decimal(gap)
        project_rows.append(
            [
                t.text(row["title"]),
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
        project_summary = _no_gap_summary(by_project, we_by_project)
    if hidden_projects:
        project_summary += (
            f" For {plural(hidden_projects, 'project')} we do not show results: in every "
            f"quarter, area and level, {HIDDEN_BECAUSE}. This protects people’s privacy."
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
            we_table.rows.append(
                [t.text(s.text), t.decimal(team), _hidden(overall), _hidden(overall)]
            )
            continue
        participants = _mean_of_averages(overall, WE_TESTED_BY[s.key])
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
        we_summary += f" {hidden_note}"

    if not overall_hidden:
        agree_figure = (_pct(agree, answered), "across all six statements")
    elif overall["pending"]:
        agree_figure = ("Not yet", "the surveys are still open")
    else:
        agree_figure = ("Not shown", HIDDEN_BECAUSE)
    return Section(
        slug="outcomes",
        title="Outcomes",
        intro=(
            "What people said after taking part, in the short survey we send after each "
            "session. To protect people’s privacy, these results are for whole quarters: "
            f"sessions from {view.start:%-d %B %Y} to {view.end:%-d %B %Y}."
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


def _no_gap_summary(by_project, we_by_project) -> str:
    """Why the by-project table has no gap to show: no project has answers, no team of a
    project with answers has rated itself, or teams did but participants' side is held back
    (the surveys are still open, or too few answered) or has no average."""
    if not by_project:
        return "No project has answers for sessions in these dates yet."
    had = f"{plural(len(by_project), 'project')} had answers."
    rated = [row for row in by_project if row["project"] in we_by_project]
    if not rated:
        whose = "Its team has" if len(by_project) == 1 else "None of their teams has"
        return (
            f"{had} {whose} rated the \u201cWe\u201d statements for these dates yet, so "
            "there is no gap to show."
        )
    waiting = sum(1 for row in rated if not row["counted"] and row["pending"])
    hidden = sum(1 for row in rated if not row["counted"] and not row["pending"])
    no_average = len(rated) - waiting - hidden
    reasons = []
    if waiting:
        reasons.append(
            f"for {plural(waiting, 'project')}, participants\u2019 results are not shown yet, "
            "as the surveys about their sessions are still open"
        )
    if hidden:
        reasons.append(
            f"for {plural(hidden, 'project')}, participants\u2019 results are not shown, to "
            "protect people\u2019s privacy"
        )
    if no_average:
        reasons.append(
            f"for {plural(no_average, 'project')}, every participant chose "
            "\u201cPrefer not to say\u201d or \u201cnot yet\u201d"
        )
    if len(by_project) == 1:
        teams = "Its team rated"
    elif len(rated) == len(by_project):
        teams = "All their teams rated"
    else:
        teams = f"The teams of {len(rated):,} of them rated"
    return (
        f"{had} {teams} the \u201cWe\u201d statements, but there is no gap to show: "
        f"{'; '.join(reasons)}."
    )


def _ratio(counts, key) -> float:
    n = counts[f"{key}_answered"]
    return counts[f"{key}_agree"] / n if n else -1


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "No data"


def _one(value) -> str:
    return f"{value:.1f}" if value is not None else "none"
