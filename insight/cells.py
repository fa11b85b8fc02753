"""Survey results are added up from cells, so that no two views can be subtracted to give
the answers of a handful of people.

The survey promises that staff see answers only added together, never the answers of fewer
than `SUPPRESS_BELOW` people, and setting views side by side (other dates, an area, a level,
several areas added up, a project's own page) must not give them away either. A cell is
the answers about the sessions of one project (or outside any project) in one quarter, in
one service area and at one level: the finest thing any view can pick out, since the
dashboard's filters and a project's page choose sessions by exactly these. A cell counts
only when `SUPPRESS_BELOW` or more people answered in it, when no one of them gave more than
half of its responses (someone who came to many sessions would otherwise be most of what it
says, and anyone who knows they came so often would learn what they said), and once its
surveys have all closed (`SURVEY_OPEN_FOR` after the quarter): until then, answers arrive
and change one at a time, and the same page seen on two days would show what each new
answer said. Every result is a sum of whole cells that count, so any two results differ by
whole cells that count, each of 10 or more people. How many responses there were is still
given for every cell: it says nothing about what anyone said.
"""

from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce, TruncQuarter
from django.utils import timezone

from .querysets import next_quarter
from .services import SURVEY_OPEN_FOR
from .statements import AGREES_FROM, ASKED_NOT_YET, I_STATEMENTS
from .stats import SUPPRESS_BELOW

# A session late on a quarter's last day ends the next day; its survey closes after that.
LAST_SURVEY_CLOSES_AFTER_QUARTER = SURVEY_OPEN_FOR + timedelta(days=1)

# What each cell holds for each "I" statement, to add up: answers, answers agreeing, and the
# ratings' sum (for averages); and "not yet" answers where the statement offers them.
RESULT_KEYS = [
    *[f"{s.key}_{part}" for s in I_STATEMENTS for part in ("answered", "agree", "sum")],
    *[s.not_yet_field for s in ASKED_NOT_YET],
]

# (project id or None, quarter start, service area id or None, level)
Cell = tuple[int | None, datetime, int | None, str]
CELL_FIELDS = ("opportunity__project", "quarter", "area", "cell_level")


def cell_rows(responses, *, now) -> list[dict]:
    """Each cell's responses, people, the most responses from any one person
    (`most_from_one`), counts for each statement, and whether its surveys have all closed
    (`settled`): two queries.

    A session's area is its own topic if it has one, else its project's; its level is its
    project's, or its own when it stands alone (as the dashboard's filters read them).
    """
    # Whether results may be shown depends on how many people answered: one person who
    # came to three sessions gives three responses, but is still one person.
    aggregates = {"responses": Count("pk"), "people": Count("signup__resident", distinct=True)}
    for s in I_STATEMENTS:
        aggregates[f"{s.key}_answered"] = Count(s.key)
        aggregates[f"{s.key}_agree"] = Count("pk", filter=Q(**{f"{s.key}__gte": AGREES_FROM}))
        aggregates[f"{s.key}_sum"] = Sum(s.key)
    for s in ASKED_NOT_YET:
        aggregates[s.not_yet_field] = Count("pk", filter=Q(**{s.not_yet_field: True}))
    in_cells = responses.annotate(
        quarter=TruncQuarter("opportunity__starts_at", tzinfo=timezone.get_current_timezone()),
        area=Coalesce("opportunity__topic", "opportunity__project__service_area"),
        cell_level=Coalesce("opportunity__project__level", "opportunity__level"),
    ).order_by()
    rows = list(in_cells.values(*CELL_FIELDS, "opportunity__project__title").annotate(**aggregates))
    # Each person's responses in each cell, most first, so the first seen is the cell's most.
    most_from_one = {}
    for row in (
        in_cells.values(*CELL_FIELDS, "signup__resident")
        .annotate(responses=Count("pk"))
        .order_by("-responses")
    ):
        most_from_one.setdefault(_key(row), row["responses"])
    for row in rows:
        row["most_from_one"] = most_from_one[_key(row)]
        row["settled"] = results_settled_at(row["quarter"]) <= now
    return rows


def _key(row) -> Cell:
    return tuple(row[field] for field in CELL_FIELDS)


def results_settled_at(quarter: date | datetime) -> datetime:
    """When every survey about sessions in the quarter starting at `quarter` has closed."""
    if isinstance(quarter, datetime):
        quarter = timezone.localtime(quarter).date()
    after = next_quarter(quarter)
    return timezone.make_aware(datetime.combine(after, time.min)) + (
        LAST_SURVEY_CLOSES_AFTER_QUARTER
    )


def not_yet_note(quarter: date | datetime) -> str:
    return (
        f"Results appear on {results_settled_at(quarter):%-d %B %Y}, once the surveys about "
        "these sessions have closed. Until then, answers arrive one at a time, and seeing "
        "each one added would show what that person said."
    )


def cells_that_count(rows) -> set[Cell]:
    return {
        _key(row)
        for row in rows
        if row["settled"]
        and row["people"] >= SUPPRESS_BELOW
        and row["most_from_one"] * 2 <= row["responses"]
    }


def add_up(rows, counted: set[Cell], **labels) -> dict:
    """What some cells add up to: every response, but answers only from cells that count
    (`counted` is True when any did; `pending` when none can yet, as no survey about them
    has closed). `labels` are kept on the result (a quarter, a project).
    """
    total = dict.fromkeys(["responses", "counted_responses", *RESULT_KEYS], 0)
    total["counted"] = False
    total["pending"] = bool(rows) and not any(row["settled"] for row in rows)
    for row in rows:
        total["responses"] += row["responses"]
        if _key(row) in counted:
            total["counted"] = True
            total["counted_responses"] += row["responses"]
            for key in RESULT_KEYS:
                total[key] += row[key] or 0
    for s in I_STATEMENTS:
        answered = total[f"{s.key}_answered"]
        total[f"{s.key}_avg"] = total[f"{s.key}_sum"] / answered if answered else None
    return {**total, **labels}


def group(rows, counted: set[Cell], by) -> list[dict]:
    """The cells added up per value of `by(row)`, a tuple of (label, value) pairs, in the
    order first seen."""
    groups = {}
    for row in rows:
        groups.setdefault(by(row), []).append(row)
    return [add_up(cells, counted, **dict(labels)) for labels, cells in groups.items()]
