""" "We" statements for one project, quarter by quarter, beside what participants said.

Two queries whatever the project's age: its assessments, and its survey answers counted per
cell in the database (`insight.cells`). A quarter's results add up only the cells that
`SUPPRESS_BELOW` or more people answered about, as the dashboard's do; a quarter with none
shows no results, only that there were too few: the survey promises staff see answers only
added together, and the team knows who came to its few sessions.
"""

from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone

from . import cells
from .dashboard import quarter_label
from .models import SurveyResponse, WeAssessment
from .querysets import quarter_floor
from .statements import I_STATEMENTS, WE_STATEMENTS, WE_TESTED_BY
from .stats import TOO_FEW_ANSWERED


@dataclass(frozen=True)
class Quarter:
    start: date

    @property
    def year(self) -> int:
        return self.start.year

    @property
    def number(self) -> int:
        return (self.start.month - 1) // 3 + 1

    @property
    def label(self) -> str:
        return quarter_label(self.start)


def rateable_quarters(today: date) -> list[Quarter]:
    """Teams rate this quarter, or the one just ended (assessments often happen after it)."""
    current = quarter_floor(today)
    previous = (
        date(current.year - 1, 10, 1)
        if current.month == 1
        else date(current.year, current.month - 3, 1)
    )
    return [Quarter(current), Quarter(previous)]


@dataclass
class StatementGap:
    text: str
    team: int
    evidence: str
    participants: float | None

    @property
    def gap(self) -> float | None:
        return None if self.participants is None else self.team - self.participants


@dataclass
class QuarterHistory:
    quarter: Quarter
    assessment: WeAssessment | None
    responses: int
    counted: bool = False  # whether any of its cells counts
    pending: bool = False  # none can yet: its surveys are still open
    i_results: list[tuple[str, int, int, float | None]] = field(default_factory=list)
    we_results: list[StatementGap] = field(default_factory=list)

    @property
    def results_hidden(self) -> bool:
        """Too few answered to show what they said (or anything worked out from it)."""
        return self.responses > 0 and not self.counted

    @property
    def hidden_note(self) -> str:
        if not self.results_hidden:
            return ""
        if self.pending:
            return cells.not_yet_note(self.quarter.start)
        return TOO_FEW_ANSWERED


def project_history(project) -> list[QuarterHistory]:
    assessments = {
        a.quarter_start: a
        for a in WeAssessment.objects.filter(project=project).select_related("assessed_by")
    }
    rows = cells.cell_rows(
        SurveyResponse.objects.filter(opportunity__project=project), now=timezone.now()
    )
    counted = cells.cells_that_count(rows)
    answers = {
        timezone.localtime(quarter["quarter"]).date(): quarter
        for quarter in cells.group(rows, counted, lambda row: (("quarter", row["quarter"]),))
    }
    history = []
    for start in sorted(set(assessments) | set(answers), reverse=True):
        assessment = assessments.get(start)
        counts = answers.get(start)
        entry = QuarterHistory(
            Quarter(start),
            assessment,
            counts["responses"] if counts else 0,
            counts["counted"] if counts else False,
            counts["pending"] if counts else False,
        )
        if entry.results_hidden:
            counts = None  # nothing they said is shown, nor the participants' side of a gap
        if counts:
            entry.i_results = [
                (
                    s.text,
                    counts[f"{s.key}_answered"],
                    counts[f"{s.key}_agree"],
                    counts[f"{s.key}_avg"],
                )
                for s in I_STATEMENTS
            ]
        if assessment:
            for s in WE_STATEMENTS:
                related = [
                    counts[f"{key}_avg"]
                    for key in WE_TESTED_BY[s.key]
                    if counts and counts[f"{key}_avg"] is not None
                ]
                entry.we_results.append(
                    StatementGap(
                        s.text,
                        getattr(assessment, s.key),
                        getattr(assessment, f"{s.key}_evidence"),
                        sum(related) / len(related) if related else None,
                    )
                )
        history.append(entry)
    return history
