"""Reads for surveys and self-assessments. Who may see what is decided in permissions.py."""

from datetime import date

from django.db import models


def quarter_floor(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


class SurveyResponseQuerySet(models.QuerySet):
    def in_view(self, filters):
        """Responses about sessions in the dashboard's date range, area and level."""
        return self.filter(filters.opportunity_where("opportunity__"))

    def with_comments(self):
        return self.exclude(comment="")


class WeAssessmentQuerySet(models.QuerySet):
    def in_range(self, start: date, end: date):
        """Assessments of quarters that overlap the dates."""
        return self.filter(quarter_start__gte=quarter_floor(start), quarter_start__lte=end)
