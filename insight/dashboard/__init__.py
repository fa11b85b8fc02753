"""The insight dashboards. Each module builds one section from the filters:

- `ladder`: the honest ladder (projects by the step the public sees and level; claimed against
  evidenced; moves of the public step up and down over time);
- `reach`: who takes part (distinct people, first-timers, "same faces", areas, equality);
- `reciprocity`: fees and expenses paid, days to pay, budget against spend;
- `loop`: closing the loop ("we said, we did" updates after sessions);
- `outcomes`: what participants said ("I" statements) and teams' "We" ratings.

Each `build(filters, *, now)` runs a fixed number of queries however many rows there are.
"""

from dataclasses import dataclass, field

from ..charts import BarChart
from ..tables import Table

# Rows shown on the page for a table with a row per project; the CSV has them all.
TABLE_ROWS = 10


@dataclass
class Block:
    """One chart (or none) with its data table and a one-line summary."""

    heading: str
    summary: str
    table: Table
    chart: BarChart | None = None


@dataclass
class Figure:
    label: str
    value: str
    detail: str = ""


@dataclass
class Subsection:
    title: str
    intro: str
    blocks: list[Block] = field(default_factory=list)


@dataclass
class Section:
    slug: str
    title: str
    intro: str
    figures: list[Figure] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    subsections: list[Subsection] = field(default_factory=list)
    extra: dict = field(default_factory=dict)

    def all_blocks(self):
        yield from self.blocks
        for subsection in self.subsections:
            yield from subsection.blocks

    def table(self, name: str) -> Table | None:
        for block in self.all_blocks():
            if block.table.name == name:
                return block.table
        return None


def builders():
    from . import ladder, loop, outcomes, reach, reciprocity

    return {
        "ladder": ladder.build,
        "reach": reach.build,
        "reciprocity": reciprocity.build,
        "loop": loop.build,
        "outcomes": outcomes.build,
    }


def quarter_label(day) -> str:
    """ "Jan to Mar 2026" for the quarter starting on `day`."""
    end_month = {1: "Mar", 4: "Jun", 7: "Sep", 10: "Dec"}[day.month]
    return f"{day:%b} to {end_month} {day.year}"


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    word = singular if count == 1 else (plural_form or singular + "s")
    return f"{count:,} {word}"


def joined(words: list[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def verb(count: int, singular: str, plural_form: str) -> str:
    """ "is" or "are" (or any pair) to agree with `count`."""
    return singular if count == 1 else plural_form
