"""The honest ladder: where projects really are, how that compares with what was claimed, and
how projects moved up and down the ladder over time."""

from django.db.models import Count, F, Q
from django.db.models.functions import TruncQuarter
from django.utils import timezone

from projects.ladder import STEP_GROUPS, Level, Step, StepGroup
from projects.models import Project, StepChange
from projects.querysets import lower_step, public_step_expression

from .. import tables as t
from ..charts import Bar, BarChart, Item, single_series
from ..querysets import next_quarter, quarter_floor
from . import Block, Figure, Section, joined, plural, quarter_label, verb

STEPS_TOP_DOWN = sorted(Step, reverse=True)


def step_label(step: Step) -> str:
    return f"{int(step)}. {step.label}"


def _counts(filters):
    """One query: every count the first two tables need. Where projects are on the ladder
    is the step each shows the public, the lower of claimed and evidenced, as on its page:
    a project that claims less than its evidence supports is counted at its claim."""
    projects = Project.objects.filter(filters.project_active_where()).annotate(
        public=public_step_expression()
    )
    counts = {
        "total": Count("pk"),
        "recorded": Count("pk", filter=Q(evidenced_step__isnull=False)),
        "inflated": Count("pk", filter=Q(claimed_step__gt=F("evidenced_step"))),
    }
    for step in Step:
        counts[f"claimed_{step}"] = Count("pk", filter=Q(claimed_step=step))
        counts[f"evidenced_{step}"] = Count("pk", filter=Q(evidenced_step=step))
        counts[f"public_{step}"] = Count("pk", filter=Q(public=step))
        for level in Level:
            counts[f"public_{step}_{level}"] = Count("pk", filter=Q(public=step, level=level))
    return projects.aggregate(**counts)


def _moves(filters):
    """One query: per quarter, how many times a project's public step (the lower of claimed
    and evidenced) went up or down: the moves its public timeline shows
    (`StepChange.direction`). A claim dropping while the evidence stays put is a move down."""
    changes = StepChange.objects.filter(
        filters.project_where("project__"),
        changed_at__gte=filters.start_at,
        changed_at__lt=filters.end_before,
    ).annotate(
        from_public=lower_step("from_claimed", "from_evidenced"),
        to_public=lower_step("to_claimed", "to_evidenced"),
    )
    return list(
        changes.annotate(quarter=TruncQuarter("changed_at", tzinfo=timezone.get_current_timezone()))
        .values("quarter")
        .annotate(
            up=Count("pk", filter=Q(to_public__gt=F("from_public"))),
            down=Count("pk", filter=Q(to_public__lt=F("from_public"))),
            first=Count("pk", filter=Q(from_public__isnull=True)),
        )
        .order_by("quarter")
    )


NO_MOVES = {"up": 0, "down": 0, "first": 0}


def _every_quarter(filters, moves):
    """(quarter start, its moves) for every quarter the dates touch, in order. A quarter in
    which nothing moved is shown with noughts: left out, the chart would skip from one
    quarter to a later one as if time had not passed between them."""
    by_quarter = {timezone.localtime(row["quarter"]).date(): row for row in moves}
    quarter = quarter_floor(filters.start)
    while quarter <= filters.end:
        yield quarter, by_quarter.get(quarter, NO_MOVES)
        quarter = next_quarter(quarter)


def build(filters, *, now) -> Section:
    counts = _counts(filters)
    moves = _moves(filters)
    total, recorded, inflated = counts["total"], counts["recorded"], counts["inflated"]
    levels = list(Level)

    by_group = dict.fromkeys(StepGroup, 0)
    for step in Step:
        by_group[STEP_GROUPS[step]] += counts[f"public_{step}"]
    doing_with = by_group[StepGroup.DOING_WITH]

    # Projects by the step the public sees, and level.
    step_table = t.Table(
        "ladder_steps",
        "Projects by the step the public sees, and level",
        ["Step", *[level.label for level in levels], "All levels"],
    )
    for step in STEPS_TOP_DOWN:
        step_table.rows.append(
            [
                t.text(step_label(step)),
                *[t.number(counts[f"public_{step}_{level}"]) for level in levels],
                t.number(counts[f"public_{step}"]),
            ]
        )
    step_table.rows.append(
        [
            t.text("Step not recorded yet"),
            *[t.text("") for _ in levels],
            t.number(total - recorded),
        ]
    )
    step_summary = (
        f"Of {plural(recorded, 'project')} with a recorded step, {doing_with:,} "
        f"({_share(doing_with, recorded)}) {verb(doing_with, 'is', 'are')} doing with people "
        f"(co-design or co-production). {_most_common_step(counts)}"
        if recorded
        else "No project in this view has a recorded step yet."
    )
    step_chart = single_series(
        "ladder-steps",
        "Projects by the step the public sees",
        "Bar chart of how many projects show the public each step of the ladder (the lower "
        "of claimed and evidenced), from co-production at the top to coercion at the bottom.",
        [
            (step_label(s), counts[f"public_{s}"], f"{counts[f'public_{s}']:,}")
            for s in STEPS_TOP_DOWN
        ],
    )

    # Claimed against evidenced.
    claim_table = t.Table(
        "ladder_claimed",
        "Projects by claimed step and by evidenced step",
        ["Step", "Claimed", "Evidenced", "Difference"],
    )
    claim_items = []
    for step in STEPS_TOP_DOWN:
        claimed, evidenced = counts[f"claimed_{step}"], counts[f"evidenced_{step}"]
        claim_table.rows.append(
            [
                t.text(step_label(step)),
                t.number(claimed),
                t.number(evidenced),
                t.number(claimed - evidenced),
            ]
        )
        claim_items.append(
            Item(
                step_label(step),
                [
                    Bar("Claimed", claimed, f"Claimed: {claimed:,}", 0),
                    Bar("Evidenced", evidenced, f"Evidenced: {evidenced:,}", 1),
                ],
            )
        )
    claim_summary = (
        f"{plural(inflated, 'project')} {verb(inflated, 'claims', 'claim')} a higher step "
        "than the evidence supports"
        f" ({_share(inflated, recorded)} of those with a recorded step)."
        if recorded
        else "No project in this view has a recorded step yet."
    )
    claim_chart = BarChart(
        "ladder-claimed",
        "Claimed step against evidenced step",
        "Paired bar chart: for each step, the number of projects claiming it and the number "
        "the evidence places there.",
        claim_items,
    )

    # Moves over time.
    moves_table = t.Table(
        "ladder_moves",
        "Changes to the step projects show the public, by quarter",
        ["Quarter", "Moved up", "Moved down", "Recorded for the first time"],
    )
    move_items = []
    total_up = total_down = 0
    for quarter, row in _every_quarter(filters, moves):
        label = quarter_label(quarter)
        total_up += row["up"]
        total_down += row["down"]
        moves_table.rows.append(
            [t.text(label), t.number(row["up"]), t.number(row["down"]), t.number(row["first"])]
        )
        move_items.append(
            Item(
                label,
                [
                    Bar("Up", row["up"], f"Up: {row['up']:,}", 0),
                    Bar("Down", row["down"], f"Down: {row['down']:,}", 1),
                ],
            )
        )
    moves_summary = (
        f"In this period projects moved up the ladder {plural(total_up, 'time')} and down "
        f"{plural(total_down, 'time')}."
    )
    moves_chart = BarChart(
        "ladder-moves",
        "Moves up and down the ladder, by quarter",
        "Paired bar chart: for each quarter, how many times the step a project shows the "
        "public (the lower of claimed and evidenced) went up and how many times it went down.",
        move_items,
    )

    return Section(
        slug="ladder",
        title="Honest ladder",
        intro=(
            "Where projects are on the ladder of participation, at the step each shows the "
            "public: the lower of what was claimed and what the evidence supports, as on its "
            "page, so a claim never lifts a project. Counts projects running at any point in "
            "the dates chosen, at their current step; moves are changes in those dates to "
            "that step."
        ),
        figures=[
            Figure("Projects", f"{total:,}", f"{recorded:,} with a recorded step"),
            Figure("Doing with people", f"{doing_with:,}", _share(doing_with, recorded)),
            Figure("Claim more than the evidence supports", f"{inflated:,}"),
            Figure("Moves up / down", f"{total_up:,} / {total_down:,}"),
        ],
        blocks=[
            Block("Projects by the step the public sees", step_summary, step_table, step_chart),
            Block("Claimed against evidenced", claim_summary, claim_table, claim_chart),
            Block("Moves up and down over time", moves_summary, moves_table, moves_chart),
        ],
    )


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "no projects"


def _most_common_step(counts) -> str:
    """Names every step that ties for the most projects, so the summary never picks one."""
    most = max(counts[f"public_{step}"] for step in STEPS_TOP_DOWN)
    tied = [step.label.lower() for step in STEPS_TOP_DOWN if counts[f"public_{step}"] == most]
    if len(tied) == 1:
        return f"The most common step is {tied[0]}."
    return f"The most common steps are {joined(tied)}, with {plural(most, 'project')} each."
