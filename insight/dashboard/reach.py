"""Reach: how many people take part, how many are new, whether it is the same few faces, and
how taking part spreads across service areas and equality groups.

"Taking part" means a booked place that was not marked as apologies or did not attend, on a
session that was not cancelled.

Equality figures are the one part of reach about what people told us of themselves, and they
are guarded as survey results are (`insight.cells`): against being narrowed to a handful by
setting one view beside another. Other areas and levels are checked by `stats.suppress`;
dates are ignored; and time is held still: the figures count answers as they stood at the
start of the current quarter, among people who had taken part by then, so two views seen on
different days (or ten minutes apart) within a quarter are the same, and one person's new or
changed answer is never seen arriving on its own. See `equality`.
"""

from django.contrib.auth import get_user_model
from django.db.models import Case, Count, IntegerField, Min, Q, When
from django.db.models.functions import Coalesce

from participation.models import Opportunity, SignUp

from .. import tables as t
from ..charts import single_series
from ..equality import NOT_ANSWERED_LABEL, QUESTIONS
from ..models import EqualityMonitoring
from ..querysets import next_quarter
from ..services import counted_as_at, start_of
from ..stats import SUPPRESS_BELOW, SameFaces, same_faces_of, suppress
from . import Block, Figure, Section, Subsection, joined, plural, verb


def taking_part():
    return SignUp.objects.filter(status=SignUp.Status.BOOKED).exclude(
        Q(attendance__in=[SignUp.Attendance.APOLOGIES, SignUp.Attendance.NO_SHOW])
        | Q(opportunity__status__in=[Opportunity.Status.CANCELLED, Opportunity.Status.DRAFT])
    )


def signups_in_view(filters, *, dates=True):
    return taking_part().filter(filters.opportunity_where("opportunity__", dates=dates))


def _people(filters) -> SameFaces:
    """One query: people in view, how many were new, and the "same faces" share.

    A first-timer's first ever sign-up (anywhere in the hub) falls inside the date range.
    One pass groups every sign-up by person, keeping their first session and how many of
    their sign-ups are in view; a subquery per person for their first session took seconds
    on a hub with 100,000 people.
    """
    per_person = (
        taking_part()
        .order_by()
        .values("resident")
        .annotate(
            first_ever=Min("opportunity__starts_at"),
            n=Count("pk", filter=filters.opportunity_where("opportunity__")),
        )
        .filter(n__gt=0)
        .annotate(
            is_new=Case(
                When(first_ever__gte=filters.start_at, then=1),
                default=0,
                output_field=IntegerField(),
            )
        )
        .values("n", "is_new")
    )
    return same_faces_of(per_person)


def _by_area(filters):
    """One query: people and sign-ups per service area."""
    return list(
        signups_in_view(filters)
        .order_by()
        .annotate(
            area_name=Coalesce(
                "opportunity__topic__name", "opportunity__project__service_area__name"
            )
        )
        .values("area_name")
        .annotate(people=Count("resident", distinct=True), signups=Count("pk"))
        .order_by("-people", "area_name")
    )


def _answered_then(field: str, value: str, as_at) -> Q:
    """Records whose answer to `field` was `value` at the start of the day `as_at`: their
    current answer if they have not changed it since, else the one kept from then. Records
    made since count as not answered."""
    return Q(updated_at__lt=start_of(as_at), **{field: value}) | Q(
        updated_at__gte=start_of(as_at), counted_at=as_at, **{f"counted_{field}": value}
    )


def _equality_counts(people_ids, *, as_at, exclude_ids=None) -> tuple[int, dict]:
    """Two queries: how many people are in the set, and how many gave each answer, as the
    answers stood at the start of `as_at`.

    The answers are counted in the database; no single person's answers are ever loaded.
    """
    User = get_user_model()
    people = User.objects.filter(pk__in=people_ids)
    records = EqualityMonitoring.objects.filter(person_id__in=people_ids)
    if exclude_ids is not None:
        people = people.exclude(pk__in=exclude_ids)
        records = records.exclude(person_id__in=exclude_ids)
    counts = {}
    for question in QUESTIONS:
        for value, _ in question.choices.choices:
            counts[f"{question.field}__{value}"] = Count(
                "pk", filter=_answered_then(question.field, value, as_at)
            )
    return people.count(), records.aggregate(**counts)


def _question_cells(question, total: int, counts: dict) -> list[int]:
    """People per answer, then "not answered" (no record, or this question left empty)."""
    answered = [counts[f"{question.field}__{value}"] for value, _ in question.choices.choices]
    return [*answered, total - sum(answered)]


def equality(filters, *, now):
    """Equality groups among everyone who has taken part in the chosen area and level, as they
    stood at the start of the current quarter. Returns (that day, people, tables).

    These figures ignore the date range on purpose. Dates can be narrowed a day at a time, so
    two date ranges could be subtracted to find a handful of people; areas and levels form a
    small fixed set of views, and every cell here is also checked against what subtracting
    this view from each wider one would reveal (see `stats.suppress`).

    They also stand still for a quarter at a time, for the reason survey results wait for
    their quarter to settle (`insight.cells`): someone who knows that a person has just
    answered, changed an answer or come to their first session would otherwise see one
    count go up by one (on two days, or two copies of the page ten minutes apart) and learn
    that person's answer. So only answers given by the start of the quarter count, as they
    stood then (`EqualityMonitoring.counted_*` keeps earlier answers someone has since
    changed), among people who took part in sessions that began before it. Changes all
    arrive together when the next quarter begins. Left to chance: a person who deletes their
    answers or account is gone from the figures at once (we keep nothing they asked us to
    delete), and a correction to attendance at a session before the quarter moves one person.
    """
    as_at = counted_as_at(now)

    def people_in(view):
        return (
            signups_in_view(view, dates=False)
            .filter(opportunity__starts_at__lt=start_of(as_at))
            .values("resident_id")
        )

    mine = people_in(filters)
    total, counts = _equality_counts(mine, as_at=as_at)
    complements = [
        _equality_counts(people_in(wider), as_at=as_at, exclude_ids=mine)
        for wider in filters.wider_views()
    ]
    result = []
    for question in QUESTIONS:
        labels = [label for _, label in question.choices.choices] + [NOT_ANSWERED_LABEL]
        cells = _question_cells(question, total, counts)
        differences = [_question_cells(question, n, c) for n, c in complements]
        hidden = suppress(cells, differences) if total else [False] * len(cells)
        result.append((question, list(zip(labels, cells, hidden, strict=True))))
    return as_at, total, result


def build(filters, *, now) -> Section:
    faces = _people(filters)
    areas = _by_area(filters)
    equality_as_at, equality_total, equality_tables = equality(filters, now=now)

    people, first_timers = faces.people, faces.new_people
    returning = people - first_timers

    newness_table = t.Table(
        "reach_new",
        "People taking part: first-timers and returning",
        ["Group", "People", "Share"],
        rows=[
            [t.text("First time ever"), t.number(first_timers), t.percent(first_timers, people)],
            [t.text("Taken part before"), t.number(returning), t.percent(returning, people)],
        ],
    )
    newness_chart = single_series(
        "reach-new",
        "First-timers and returning people",
        "Bar chart comparing people taking part for the first time with people who had "
        "taken part before these dates.",
        [
            ("First time ever", first_timers, f"{first_timers:,}"),
            ("Taken part before", returning, f"{returning:,}"),
        ],
    )
    newness_summary = (
        f"{plural(first_timers, 'person', 'people')} of {people:,} took part for the first "
        f"time ever ({_pct(first_timers, people)})."
        if people
        else "Nobody took part in these dates."
    )

    share = faces.share
    faces_table = t.Table(
        "reach_same_faces",
        "Same faces: sign-ups made by the 10% of people who take part most",
        ["Measure", "Value"],
        rows=[
            [t.text("People taking part"), t.number(faces.people)],
            [t.text("Sign-ups"), t.number(faces.signups)],
            [t.text("Most frequent 10% of people"), t.number(faces.top_people)],
            [t.text("Their sign-ups"), t.number(faces.top_signups)],
            [t.text("Their share of all sign-ups"), t.percent(faces.top_signups, faces.signups)],
            # The top 10% is rounded up to whole people, so in a small group an even spread
            # gives them more than 10%: 1 of 6 people would make 17% of the sign-ups.
            [
                t.text("Their share if everyone took part equally"),
                t.percent(faces.top_people, faces.people),
            ],
        ],
    )
    even = _pct(faces.top_people, faces.people)
    faces_summary = (
        f"The {plural(faces.top_people, 'person', 'people')} who "
        f"{verb(faces.top_people, 'takes', 'take')} part most (the top 10%) "
        f"made {_pct(faces.top_signups, faces.signups)} of all sign-ups. If everyone took part "
        f"equally, {verb(faces.top_people, 'that person', f'those {faces.top_people:,} people')}"
        f" would have made {even} of them ({faces.top_people:,} of {faces.people:,} people)."
        if faces.signups
        else "There are no sign-ups in these dates."
    )
    faces_chart = single_series(
        "reach-same-faces",
        "Share of sign-ups made by the most frequent 10% of people",
        "Bar chart comparing the share of sign-ups made by the most frequent 10% of people "
        "with the share they would make if everyone took part equally.",
        [
            (
                "Most frequent 10% of people",
                100 * (share or 0),
                _pct(faces.top_signups, faces.signups),
            ),
            ("If everyone took part equally", 100 * (faces.even_share or 0), even),
        ],
        max_value=100,
    )

    area_table = t.Table(
        "reach_areas",
        "People and sign-ups by service area",
        ["Service area", "People", "Sign-ups"],
        rows=[
            [
                t.text(row["area_name"] or "No service area"),
                t.number(row["people"]),
                t.number(row["signups"]),
            ]
            for row in areas
        ],
    )
    area_chart = single_series(
        "reach-areas",
        "People taking part by service area",
        "Bar chart of how many different people took part in each service area.",
        [
            (row["area_name"] or "No service area", row["people"], f"{row['people']:,}")
            for row in areas
        ],
    )
    area_summary = _area_summary(areas) if areas else "Nobody took part in these dates."

    blocks = [
        Block("First-timers and returning", newness_summary, newness_table, newness_chart),
        Block("Same faces", faces_summary, faces_table, faces_chart),
        Block("Spread by service area", area_summary, area_table, area_chart),
    ]
    equality_section = Subsection(
        "Spread by equality group",
        (
            f"From the optional equality questions answered by people who had taken part "
            f"in {_scope(filters)} before {equality_as_at:%-d %B %Y} "
            f"({plural(equality_total, 'person', 'people')}), as their answers stood that "
            f"day. Answers given or changed since, and people taking part for the first "
            f"time since, are counted from {next_quarter(equality_as_at):%-d %B %Y}: seeing "
            "each one added would show what that person answered. These figures do not "
            f"change with the dates. Any group that would show fewer than {SUPPRESS_BELOW} "
            "people, here or by comparing with a wider view, is hidden, together with "
            "enough other groups that it cannot be worked out."
        ),
    )
    for question, cells in equality_tables:
        table = t.Table(
            f"equality_{question.field}",
            f"{question.short}: people who have taken part",
            ["Answer", "People"],
            rows=[
                [t.text(label), t.suppressed() if hidden else t.number(count)]
                for label, count, hidden in cells
            ],
        )
        hidden_count = sum(1 for *_, hidden in cells if hidden)
        summary = (
            f"{plural(hidden_count, 'group')} hidden because fewer than {SUPPRESS_BELOW} "
            "people could be worked out from it."
            if hidden_count
            else "No groups needed hiding."
        )
        equality_section.blocks.append(Block(question.short, summary, table))

    return Section(
        slug="reach",
        title="Reach",
        intro=(
            "How many different people take part, how many are new, and whether it is the "
            "same few faces each time."
        ),
        figures=[
            Figure("People taking part", f"{people:,}", f"{faces.signups:,} sign-ups"),
            Figure("First time ever", f"{first_timers:,}", _pct(first_timers, people)),
            Figure(
                "Same faces",
                _pct(faces.top_signups, faces.signups),
                "of sign-ups from the most frequent 10% of people"
                + (f" ({even} if everyone took part equally)" if faces.signups else ""),
            ),
        ],
        blocks=blocks,
        subsections=[equality_section],
    )


def _scope(filters) -> str:
    if filters.area and filters.level:
        return f"{filters.area.name} at {filters.level_label.lower()} level"
    if filters.area:
        return filters.area.name
    if filters.level:
        return f"{filters.level_label.lower()} level work"
    return "any part of the hub"


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "No data"


def _area_summary(areas) -> str:
    """Which areas reached the most people: every area that ties, not whichever sorted first."""
    most = areas[0]["people"]
    names = [
        row["area_name"] or "sessions with no service area"
        for row in areas
        if row["people"] == most
    ]
    each = " each" if len(names) > 1 else ""
    return (
        f"Of {plural(len(areas), 'area')}, {joined(names)} reached the most people "
        f"({most:,}{each})."
    )
