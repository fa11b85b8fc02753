"""When each claim was first sent, from its history rather than its latest sending.

0005 filled `first_submitted_at` from `submitted_at`, the latest sending. A claim returned and
sent again before then holds the later date, so the wait it shows is too short and, once
paid, its days to pay are too low. Its history (ClaimEvent) still says when it was first
sent: the earliest event that moved it to "submitted".
"""

from django.db import migrations
from django.db.models import Case, F, Func, IntegerField, OuterRef, Subquery, Value, When
from django.db.models.functions import Greatest, TruncDate


class DaysBetween(Func):
    """Whole days from the date `start` to the date `end`.

    A date minus a date is a whole number of days in PostgreSQL; SQLite (a fresh laptop) has
    no date type, so it counts Julian days. Kept here so the migration never changes with
    app code.
    """

    arity = 2
    output_field = IntegerField()

    def __init__(self, start, end):
        super().__init__(end, start)

    def as_sql(self, compiler, connection, **extra):
        return super().as_sql(
            compiler, connection, template="(%(expressions)s)", arg_joiner=" - ", **extra
        )

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra,
        )


def first_sending_from_history(apps, schema_editor):
    Claim = apps.get_model("payments", "Claim")
    ClaimEvent = apps.get_model("payments", "ClaimEvent")
    first_sent = Subquery(
        ClaimEvent.objects.filter(claim=OuterRef("pk"), to_status="submitted")
        .order_by("created_at", "pk")
        .values("created_at")[:1]
    )
    # One UPDATE for every claim at once. Only claims whose history starts earlier change:
    # a claim sent once has its event a moment after `first_submitted_at` (same transaction),
    # and demo claims moved back in time have events later than their sending.
    Claim.objects.annotate(first_sent=first_sent).filter(
        first_submitted_at__gt=F("first_sent")
    ).update(
        first_submitted_at=first_sent,
        # As confirm_payment_run() works it out: from the local day the claim was first
        # sent to the day it was paid, never below 0.
        days_to_pay=Case(
            When(
                status="paid",
                paid_on__isnull=False,
                then=Greatest(DaysBetween(TruncDate(first_sent), F("paid_on")), Value(0)),
            ),
            default=F("days_to_pay"),
            output_field=IntegerField(),
        ),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0006_payment_run_item_taken_out"),
    ]

    operations = [
        migrations.RunPython(first_sending_from_history, migrations.RunPython.noop, elidable=True),
    ]
