"""Hub-wide reference data that belongs to no one area of the hub.

Closure days live here rather than in `participation` or `learning` because both count
working days (offers to people on the staff call list, the moderation queue's target), and
neither should have to depend on the other for it.
"""

from django.db import models
from django.utils.dateformat import format as format_date


class ClosureDay(models.Model):
    """A day the council is closed that is not a bank holiday, such as the days between
    Christmas and New Year. Working days skip it as they skip weekends and the bank holidays
    of the council's nation (coprod_hub/lib/working_days.py); admins keep the list."""

    date = models.DateField(
        help_text="A weekday the council is closed. Bank holidays are known already."
    )
    reason = models.CharField(
        max_length=100,
        help_text="For example: council closed between Christmas and New Year.",
    )

    class Meta:
        ordering = ["date"]
        constraints = [
            # One row a day. Its index also serves the one query that loads them all
            # (working_days.closure_days), which reads dates only.
            models.UniqueConstraint(
                fields=["date"],
                name="closure_day_date_unique",
                violation_error_message="This day is already a closure day.",
            ),
        ]

    def __str__(self):
        return f"{format_date(self.date, 'l j F Y')}: {self.reason}"
