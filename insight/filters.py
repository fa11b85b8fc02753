"""The dashboard filters: a date range, a service area and a level.

`DashboardFilterForm` reads them from the query string; a bad value becomes a form error the
page shows, never an exception. `Filters` turns the cleaned values into the Q objects each
dashboard section applies, so every section reads the same filters the same way.
"""

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.http import urlencode

from participation.forms.fields import UKDateField
from projects.ladder import Level
from projects.models import ServiceArea


def default_range(today: date) -> tuple[date, date]:
    """The 12 months up to and including today."""
    try:
        year_ago = today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        year_ago = today.replace(year=today.year - 1, day=28)
    return year_ago + timedelta(days=1), today


@dataclass(frozen=True)
class Filters:
    start: date
    end: date
    area: ServiceArea | None = None
    level: str = ""

    # --- dates ------------------------------------------------------------------------------

    @property
    def start_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.start, time.min))

    @property
    def end_before(self) -> datetime:
        """Midnight at the end of the last day: ranges are `>= start_at` and `< end_before`."""
        return timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min))

    # --- what each section filters on ------------------------------------------------------

    def opportunity_where(self, prefix: str = "", *, dates: bool = True) -> Q:
        """Opportunities (sessions) in view. `prefix` reaches them across a relation, e.g.
        "opportunity__" from sign-ups.

        An opportunity's service area is its own topic if set, else its project's area;
        its level is its project's, or its own when it stands alone.
        """
        where = Q()
        if dates:
            where &= Q(**{f"{prefix}starts_at__gte": self.start_at}) & Q(
                **{f"{prefix}starts_at__lt": self.end_before}
            )
        if self.area:
            where &= Q(**{f"{prefix}topic": self.area}) | Q(
                **{f"{prefix}topic__isnull": True, f"{prefix}project__service_area": self.area}
            )
        if self.level:
            where &= Q(**{f"{prefix}project__level": self.level}) | Q(
                **{f"{prefix}project__isnull": True, f"{prefix}level": self.level}
            )
        return where

    def project_where(self, prefix: str = "") -> Q:
        where = Q()
        if self.area:
            where &= Q(**{f"{prefix}service_area": self.area})
        if self.level:
            where &= Q(**{f"{prefix}level": self.level})
        return where

    def project_active_where(self, prefix: str = "") -> Q:
        """Projects running at some point in the date range (undated ones count as running
        from when they were logged)."""
        started = Q(**{f"{prefix}start_date__lte": self.end}) | Q(
            **{f"{prefix}start_date__isnull": True, f"{prefix}created_at__lt": self.end_before}
        )
        not_ended = Q(**{f"{prefix}end_date__isnull": True}) | Q(
            **{f"{prefix}end_date__gte": self.start}
        )
        return self.project_where(prefix) & started & not_ended

    # --- describing and relaxing ------------------------------------------------------------

    def query(self) -> str:
        """These filters as a query string, written the same way however the page's own
        address was typed: links built from it can go in a copy of the page shared by
        everyone who chose the same filters."""
        params = {"start": self.start.isoformat(), "end": self.end.isoformat()}
        if self.area:
            params["area"] = self.area.slug
        if self.level:
            params["level"] = self.level
        return "?" + urlencode(params)

    @property
    def level_label(self) -> str:
        return Level(self.level).label if self.level else ""

    def describe(self) -> str:
        parts = [f"{self.start:%-d %B %Y} to {self.end:%-d %B %Y}"]
        parts.append(f"service area: {self.area.name}" if self.area else "all service areas")
        parts.append(f"level: {self.level_label}" if self.level else "all levels")
        return ", ".join(parts)

    def wider_views(self) -> list["Filters"]:
        """Every view this one is a narrowing of, by dropping the area, the level or both.

        Equality figures ignore dates (see `reach.equality`), so these are the only views a
        person could subtract this one from. Suppression checks each difference.
        """
        wider = []
        if self.area:
            wider.append(replace(self, area=None))
        if self.level:
            wider.append(replace(self, level=""))
        if self.area and self.level:
            wider.append(replace(self, area=None, level=""))
        return wider


class DashboardFilterForm(forms.Form):
    # One box for each date, as in the hub's other filters (the directory, the ledger): the
    # browser's own date picker differs from browser to browser and is hard to use with a
    # screen reader. Dates in links (`Filters.query`) are written 2025-04-01, also taken here.
    start = UKDateField(
        label="From date",
        required=False,
        error_messages={"invalid": "Enter the from date as a real date, for example 1/4/2025"},
    )
    end = UKDateField(
        label="To date",
        required=False,
        error_messages={"invalid": "Enter the to date as a real date, for example 31/3/2026"},
    )
    area = forms.ChoiceField(label="Service area", required=False)
    level = forms.ChoiceField(
        label="Level",
        required=False,
        choices=[("", "All levels"), *Level.choices],
        error_messages={"invalid_choice": "Choose a level from the list"},
    )

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.areas = {area.slug: area for area in ServiceArea.objects.all()}
        self.fields["area"].choices = [("", "All service areas")] + [
            (slug, area.name) for slug, area in self.areas.items()
        ]
        self.fields["area"].error_messages["invalid_choice"] = "Choose a service area from the list"

    def clean(self):
        cleaned = super().clean()
        default_start, default_end = default_range(self.today)
        start = cleaned.get("start") or default_start
        end = cleaned.get("end") or default_end
        if "start" in self.errors or "end" in self.errors:
            return cleaned
        if start > end:
            self.add_error("end", "The to date must be the same as or after the from date")
        if start.year < 2000 or end.year > self.today.year + 10:
            self.add_error("start", "Choose dates between the year 2000 and ten years from now")
        cleaned["start"], cleaned["end"] = start, end
        return cleaned

    def filters(self) -> Filters:
        """Call only after `is_valid()` returned True."""
        data = self.cleaned_data
        return Filters(
            start=data["start"],
            end=data["end"],
            area=self.areas.get(data["area"]) if data["area"] else None,
            level=data["level"] or "",
        )
