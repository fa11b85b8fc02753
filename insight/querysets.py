"""Reads for surveys and self-assessments. Who may see what is decided in permissions.py."""

from datetime import date

from django.db import models
from django.db.models import Count, OuterRef, Subquery

from .stats import SUPPRESS_BELOW


def quarter_floor(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def next_quarter(start: date) -> date:
    """The first day of the quarter after the one that starts on `start`."""
    if start.month == 10:
        return date(start.year + 1, 1, 1)
    return date(start.year, start.month + 3, 1)


class SurveyResponseQuerySet(models.QuerySet):
    def in_view(self, filters):
        """Responses about sessions in the dashboard's date range, area and level."""
        return self.filter(filters.opportunity_where("opportunity__"))

    def with_comments(self):
        return self.exclude(comment="")

    def about_sessions_enough_answered(self):
        """Responses about sessions that at least `SUPPRESS_BELOW` people answered.

        A comment is one person's words, shown with its session's name and month. From a
        session three people answered, staff who ran it could tell whose words they are, so
        comments are shown only once their session has enough answers. We hold them back
        rather than show them without the session: the dashboard's filters (a date range a
        day long, an area) could still narrow a comment down to one small session.
        """
        answers = (
            self.model.objects.filter(opportunity=OuterRef("opportunity"))
            .order_by()
            .values("opportunity")
            .annotate(count=Count("pk"))
            .values("count")
        )
        return self.alias(session_answers=Subquery(answers)).filter(
            session_answers__gte=SUPPRESS_BELOW
        )


class WeAssessmentQuerySet(models.QuerySet):
    def in_range(self, start: date, end: date):
        """Assessments of quarters that overlap the dates."""
        return self.filter(quarter_start__gte=quarter_floor(start), quarter_start__lte=end)
