"""Aggregation helpers the dashboards share: days between two times, medians, the "same
faces" share and small-number suppression.

Everything that reads rows does it in the database with a fixed number of queries, so a
dashboard costs the same with a hundred sign-ups or a hundred thousand.
"""

from dataclasses import dataclass

from django.db import connection
from django.db.models import Aggregate, Count, FloatField, Func, Value

# Groups of fewer people than this are never shown.
SUPPRESS_BELOW = 10

# Why survey results are hidden (see insight/cells.py): the survey and its invitation promise
# that staff see answers only added together, and a handful added together is not that, nor
# is a total that is mostly one person's answers.
HIDDEN_BECAUSE = (
    f"fewer than {SUPPRESS_BELOW} people answered, or one person gave more than half of the answers"
)
# Said in place of survey results that are hidden.
TOO_FEW_ANSWERED = (
    f"{HIDDEN_BECAUSE[0].upper()}{HIDDEN_BECAUSE[1:]}, so we do not show the results, "
    "to protect their privacy."
)


class DaysBetween(Func):
    """(later - earlier) in days, as a float, on PostgreSQL and SQLite."""

    output_field = FloatField()
    arity = 2

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="(EXTRACT(EPOCH FROM (%(expressions)s)) / 86400.0)::double precision",
            arg_joiner=" - ",
            **extra,
        )

    def as_sqlite(self, compiler, connection, **extra):
        # Django stores datetimes as ISO text on SQLite; julianday() reads it.
        later, earlier = self.get_source_expressions()
        later_sql, later_params = compiler.compile(later)
        earlier_sql, earlier_params = compiler.compile(earlier)
        return (
            f"(julianday({later_sql}) - julianday({earlier_sql}))",
            (*later_params, *earlier_params),
        )


class PercentileCont(Aggregate):
    """PostgreSQL's PERCENTILE_CONT: the median when `fraction` is 0.5."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, fraction=0.5, **extra):
        super().__init__(expression, fraction=float(fraction), **extra)


def percentiles(queryset, expression, fractions=(0.5,)) -> dict[float, float | None]:
    """Percentiles of `expression` over the rows of `queryset`, ignoring nulls, worked out as
    PostgreSQL's PERCENTILE_CONT does (interpolating between the two nearest values).

    PostgreSQL: one query for all of them. Elsewhere (SQLite on a laptop) one query each,
    ranking the values with window functions. Either way the database does the work and the
    number of queries does not depend on the number of rows, or on there being any.
    """
    values = (
        queryset.order_by()
        .annotate(_stat_value=expression)
        .filter(_stat_value__isnull=False)
        .values_list("_stat_value")
    )
    if connection.vendor == "postgresql":
        found = values.aggregate(
            **{f"p{i}": PercentileCont("_stat_value", f) for i, f in enumerate(fractions)}
        )
        return {f: found[f"p{i}"] for i, f in enumerate(fractions)}
    inner_sql, params = values.query.sql_with_params()
    result = {}
    with connection.cursor() as cursor:
        for fraction in fractions:
            sql = _PERCENTILE_SQL.replace("{values}", inner_sql).replace("{f}", repr(fraction))
            cursor.execute(sql, params)
            low, high, count = cursor.fetchone()
            if not count:
                result[fraction] = None
                continue
            position = (count - 1) * fraction
            result[fraction] = low + (high - low) * (position - int(position))
    return result


# SQLite: rank the values (rank_no from 0) and keep the one or two either side of the
# percentile's position (CAST truncates, as floor does for these positive numbers); Python
# interpolates between them. `{f}` is a float we format ourselves, never user input.
_PERCENTILE_SQL = (
    "SELECT MIN(v), MAX(v), MAX(c) FROM ("
    " SELECT _stat_value AS v, ROW_NUMBER() OVER (ORDER BY _stat_value) - 1 AS rank_no,"
    " COUNT(*) OVER () AS c FROM ({values}) raw"
    ") ranked WHERE rank_no = CAST((c - 1) * {f} AS INTEGER)"
    " OR rank_no = CAST((c - 1) * {f} AS INTEGER) + 1 AND (c - 1) * {f} > rank_no - 1"
)


def median(queryset, expression) -> float | None:
    return percentiles(queryset, expression, (0.5,))[0.5]


_SAME_FACES_SQL = (
    "SELECT COUNT(*), COALESCE(SUM(n), 0),"
    " COALESCE(SUM(CASE WHEN rank_no <= (people + 9) / 10 THEN n ELSE 0 END), 0),"
    " COALESCE(SUM(is_new), 0)"
    " FROM (SELECT n, is_new, ROW_NUMBER() OVER (ORDER BY n DESC) AS rank_no,"
    " COUNT(*) OVER () AS people FROM ({per_person}) per_person) ranked"
)


@dataclass(frozen=True)
class SameFaces:
    people: int
    signups: int
    top_people: int  # the 10% most frequent participants (rounded up)
    top_signups: int  # how many sign-ups they account for
    new_people: int = 0  # of `people`, those the caller marked as new (see `same_faces_of`)

    @property
    def share(self) -> float | None:
        return self.top_signups / self.signups if self.signups else None

    @property
    def even_share(self) -> float | None:
        """What `share` would be if everyone took part equally: `top_people` of `people`.
        About 10% in a large group, but more in a small one, where the top 10% is rounded up
        to a whole person (1 of 6 people is 17%)."""
        return self.top_people / self.people if self.people else None


def same_faces(signups) -> SameFaces:
    """How concentrated taking part is: the share of `signups` made by the 10% of people who
    took part most often. `even_share` (about 10%) would mean everyone takes part equally;
    near 100% means the same few faces every time.
    """
    per_person = (
        signups.order_by()
        .values("resident_id")
        .annotate(n=Count("pk"), is_new=Value(0))
        .values("n", "is_new")
    )
    return same_faces_of(per_person)


def same_faces_of(per_person) -> SameFaces:
    """`same_faces` from a query with a row per person: `n`, their sign-ups (more than 0),
    and `is_new`, 1 to count them among `new_people` or 0. The reach section marks
    first-timers, so one pass over the sign-ups gives both.

    One query: a window function ranks people by how often they took part. Which of several
    people tied at the cut-off are counted makes no difference to the total.
    """
    inner_sql, params = per_person.query.sql_with_params()
    # The inner SQL is Django's own compiled query; every value in it is a bound parameter.
    sql = _SAME_FACES_SQL.replace("{per_person}", inner_sql)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        people, total, top, new = cursor.fetchone()
    return SameFaces(
        people=int(people),
        signups=int(total),
        top_people=(int(people) + 9) // 10,
        top_signups=int(top),
        new_people=int(new),
    )


def suppress(counts: list[int], complements: list[list[int]] = ()) -> list[bool]:
    """Which cells of one table of people-counts to hide. Returns a flag per cell.

    `counts` are the people in each group in this view; the groups cover everyone in the
    view once (so the total is known). `complements` hold, for each wider view this one
    narrows, the people in each group who are in the wider view but not in this one: the
    numbers anyone could get by subtracting this view from the wider one.

    1. Primary: hide any group of 1 to 9 people, here or in a complement.
    2. Secondary: a single hidden cell can be worked out from the total, so keep hiding the
       smallest remaining cell until the hidden cells hold at least two groups and 10 or more
       people in this view, and 0 or 10 or more people in every complement.
    """
    hidden = [0 < count < SUPPRESS_BELOW for count in counts]
    for complement in complements:
        for index, difference in enumerate(complement):
            if 0 < difference < SUPPRESS_BELOW:
                hidden[index] = True
    if not any(hidden):
        return hidden

    def protected() -> bool:
        hidden_counts = [c for c, h in zip(counts, hidden, strict=True) if h]
        if len(hidden_counts) < 2 or sum(hidden_counts) < SUPPRESS_BELOW:
            return False
        for complement in complements:
            hidden_difference = sum(d for d, h in zip(complement, hidden, strict=True) if h)
            if 0 < hidden_difference < SUPPRESS_BELOW:
                return False
        return True

    while not protected():
        candidates = [
            (counts[i], i)
            for i in range(len(counts))
            if not hidden[i]
            and (counts[i] > 0 or any(complement[i] > 0 for complement in complements))
        ]
        if not candidates:
            # Nothing left that would help: hide the whole table.
            return [True] * len(counts)
        hidden[min(candidates)[1]] = True
    return hidden
