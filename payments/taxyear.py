"""UK tax years run from 6 April to 5 April. We name a tax year by the year it starts in:
tax year 2025 is 6 April 2025 to 5 April 2026.
"""

from dataclasses import dataclass
from datetime import date


def tax_year_for(day: date) -> int:
    """The tax year a day falls in: 5 April 2026 is in 2025; 6 April 2026 is in 2026."""
    return day.year if (day.month, day.day) >= (4, 6) else day.year - 1


@dataclass(frozen=True)
class TaxYear:
    start_year: int

    @property
    def starts_on(self) -> date:
        return date(self.start_year, 4, 6)

    @property
    def ends_on(self) -> date:
        return date(self.start_year + 1, 4, 5)

    @property
    def label(self) -> str:
        return f"6 April {self.start_year} to 5 April {self.start_year + 1}"

    @property
    def short_label(self) -> str:
        """ "2025 to 2026", as HMRC writes it."""
        return f"{self.start_year} to {self.start_year + 1}"

    def __str__(self):
        return self.short_label
