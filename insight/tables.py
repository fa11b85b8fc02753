"""Data tables: what every chart shows, as rows people can read and download as CSV.

A cell carries the text people see and the value the CSV holds (plain numbers, no "£" or
"%"), so the page and the download never disagree.
"""

import csv
import io
from dataclasses import dataclass, field

from coprod_hub.lib.csv_export import safe_cell
from coprod_hub.lib.money import format_pounds, pounds_for_spreadsheet

from .stats import SUPPRESS_BELOW

SUPPRESSED_TEXT = f"Fewer than {SUPPRESS_BELOW}"
SUPPRESSED_CSV = "suppressed"


@dataclass(frozen=True)
class Cell:
    text: str
    csv: str
    numeric: bool = True
    suppressed: bool = False


def text(value) -> Cell:
    return Cell(str(value), str(value), numeric=False)


EMPTY_TEXT = "No data"


def number(value: int | None) -> Cell:
    if value is None:
        return Cell(EMPTY_TEXT, "", numeric=True)
    return Cell(f"{value:,}", str(value))


def decimal(value: float | None, places: int = 1, unit: str = "") -> Cell:
    if value is None:
        return Cell(EMPTY_TEXT, "")
    return Cell(f"{value:,.{places}f}{unit}", f"{value:.{places}f}")


def percent(part: int, whole: int) -> Cell:
    if not whole:
        return Cell(EMPTY_TEXT, "")
    value = 100 * part / whole
    return Cell(f"{value:.0f}%", f"{value:.1f}")


def money_cell(pence: int | None) -> Cell:
    if pence is None:
        return Cell(EMPTY_TEXT, "")
    return Cell(format_pounds(pence), str(pounds_for_spreadsheet(pence)))


def suppressed() -> Cell:
    return Cell(SUPPRESSED_TEXT, SUPPRESSED_CSV, suppressed=True)


def not_shown() -> Cell:
    """Survey results hidden by the rules in `insight.cells`: the reason is told beside the
    table, as it may be too few people or mostly one."""
    return Cell("Not shown", SUPPRESSED_CSV, suppressed=True)


def not_yet() -> Cell:
    """Survey results that are held back until the surveys close (`insight.cells`)."""
    return Cell("Not yet", "not yet", suppressed=True)


@dataclass
class Table:
    name: str  # used in the CSV link: ?format=csv&table=<name>
    caption: str
    headers: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    # Shown under the table when the page shows only some rows (see `shorten`).
    note: str = ""
    # CSV rows when the page shows only some; None means the same as `rows`.
    all_rows: list[list[Cell]] | None = None

    @property
    def total_rows(self) -> int:
        return len(self.all_rows if self.all_rows is not None else self.rows)

    @property
    def hidden_rows(self) -> int:
        return self.total_rows - len(self.rows)

    def shorten(self, all_rows, shown_rows, *, which: str, noun: str) -> None:
        """Keep every row for the CSV and show only `shown_rows` on the page, saying so.

        A table with a row per project ran to hundreds of rows and most of the page's weight;
        people read the top of it and download the rest. `which` says how the shown rows were
        chosen, e.g. "largest budgets"; `noun` names all the rows, e.g. "projects".
        """
        self.all_rows = all_rows
        self.rows = shown_rows
        if self.hidden_rows:
            others = (
                "The other one is"
                if self.hidden_rows == 1
                else f"The other {self.hidden_rows:,} are"
            )
            self.note = (
                f"Showing the {len(shown_rows):,} {which} of {len(all_rows):,} {noun}. "
                f"{others} in the CSV download."
            )

    def to_csv(self) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(self.headers)
        for row in self.all_rows if self.all_rows is not None else self.rows:
            writer.writerow([safe_cell(cell.csv) for cell in row])
        return buffer.getvalue()
