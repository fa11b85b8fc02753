"""Reads for the payments app: visibility, queues, balances and report groupings."""

import re
from datetime import date, timedelta

from django.db import models
from django.db.models import ExpressionWrapper, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce


def _sum(expression="amount_pence", **filters):
    condition = Q(**filters) if filters else None
    return Coalesce(
        Sum(expression, filter=condition), Value(0), output_field=models.BigIntegerField()
    )


# A claim's reference as people type it: "CL-00009", "cl 9", "CL9" or just "9".
_CLAIM_NUMBER = re.compile(r"(?:CL[- ]?)?0*(?P<number>\d{1,9})", re.IGNORECASE)


class EffectiveDatedQuerySet(models.QuerySet):
    """Rows that change over time: each change is a new row with a start date.

    The model names the field that identifies "the same thing" (`key_field`, e.g. the fee
    basis), so the rate in force on a day is the latest row for that key starting on or
    before it.
    """

    def in_force_on(self, day: date):
        key = self.model.key_field
        latest = (
            self.model.objects.filter(**{key: OuterRef(key)}, starts_on__lte=day)
            .order_by("-starts_on", "-pk")
            .values("pk")[:1]
        )
        return self.filter(starts_on__lte=day, pk=Subquery(latest))

    def scheduled(self, today: date):
        """Changes that have not started yet."""
        return self.filter(starts_on__gt=today)

    def for_key(self, value, day: date):
        """The one row in force on `day` for one key (e.g. per-hour), or None."""
        return (
            self.filter(**{self.model.key_field: value}, starts_on__lte=day)
            .order_by("-starts_on", "-pk")
            .first()
        )


class ConflictQuerySet(models.QuerySet):
    def active(self):
        return self.filter(withdrawn_at__isnull=True)

    def between(self, commissioner, person):
        return self.active().filter(commissioner=commissioner, person=person)


class ClaimQuerySet(models.QuerySet):
    def with_related(self):
        return self.select_related("claimant", "opportunity", "project")

    def for_claimant(self, user):
        return self.filter(claimant=user)

    def started_on_behalf_by(self, user):
        return self.filter(started_by=user).exclude(claimant=user)

    def for_projects_named(self, text: str):
        """Claims for projects whose title contains `text` (any case)."""
        from projects.models import Project

        # The project ids first, as a list: PostgreSQL cannot estimate how many titles a
        # "contains" pattern matches, and given it as a join it fetched and sorted every
        # matching claim before taking one page (~90 ms for a common word on 100k claims).
        # With the ids it walks the queue's index instead (~2 ms).
        ids = list(Project.objects.filter(title__icontains=text).values_list("pk", flat=True))
        return self.filter(project_id__in=ids)

    def matching(self, text: str):
        """Claims whose reference is `text` ("CL-00009", "cl9" or "9"), or whose claimant's
        name or email address contains it (any case)."""
        text = text.strip()
        number = _CLAIM_NUMBER.fullmatch(text)
        if number:
            return self.filter(pk=int(number["number"]))
        from django.contrib.auth import get_user_model

        # The people's ids first, as a list, for the reason given in for_projects_named: the
        # queue's index then serves the page whatever the text.
        ids = list(
            get_user_model()
            .objects.filter(Q(display_name__icontains=text) | Q(email__icontains=text))
            .values_list("pk", flat=True)
        )
        return self.filter(claimant_id__in=ids)

    def awaiting_payment(self):
        return self.filter(status__in=["submitted", "approved"])

    def paid(self):
        return self.filter(status="paid")

    def flagged(self, flag: str, *, target_days: int, today: date, nearing_days: int):
        """Sent, unpaid claims past the target ("overdue") or within a week of it ("nearing").

        Worked out on whole days since the day the claim was first sent, like `Claim.flag`.
        """
        # A claim sent on day D has waited (today - D) days. It is overdue once that is more
        # than the target, so it was sent before today - target.
        overdue_before = today - timedelta(days=target_days)
        nearing_from = today - timedelta(days=target_days - nearing_days)
        sent_on = models.functions.TruncDate("first_submitted_at")
        qs = self.awaiting_payment().annotate(sent_on=sent_on)
        if flag == "overdue":
            return qs.filter(sent_on__lt=overdue_before)
        if flag == "nearing":
            return qs.filter(sent_on__gte=overdue_before, sent_on__lte=nearing_from)
        return qs

    def approved_unpaid_not_in_run(self):
        return self.filter(status="approved", payment_run__isnull=True)


class PaymentRunQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status="exported")

    def exportable(self):
        """Runs finance may download. A cancelled run's claims go back into the next run, so
        handing its file over again could pay the same claims twice."""
        return self.exclude(status="cancelled")


class PaymentRunItemQuerySet(models.QuerySet):
    def still_in_run(self):
        """What finance is to pay: the run's claims less any taken out as not paid."""
        return self.filter(taken_out_at__isnull=True)


class LedgerEntryQuerySet(models.QuerySet):
    """Ledger rows are written once. Bulk changes are refused here; single rows refuse in
    LedgerEntry.save() / delete(); on PostgreSQL a trigger refuses raw SQL too."""

    def update(self, **kwargs):
        from .models import LedgerImmutableError

        raise LedgerImmutableError("Ledger entries cannot be changed. Add a correction instead.")

    def delete(self):
        from .models import LedgerImmutableError

        raise LedgerImmutableError("Ledger entries cannot be deleted. Add a correction instead.")

    def bulk_update(self, objs, fields, batch_size=None):
        # Refused before Django opens its own transaction, so the caller's stays usable.
        from .models import LedgerImmutableError

        raise LedgerImmutableError("Ledger entries cannot be changed. Add a correction instead.")

    def owed(self):
        return self.filter(account="owed")

    def paid_out(self):
        return self.filter(account="paid")

    def balance(self) -> int:
        return self.aggregate(total=_sum())["total"]

    def live_owed_for(self, claim):
        """The OWED entries for a claim that no later entry has reversed."""
        return self.filter(claim=claim, account="owed", kind__in=["approval", "correction"]).filter(
            reversed_by__isnull=True
        )

    def owed_by_person(self):
        """People we owe money to: [{person, person__display_name, person__email, owed}]."""
        return (
            self.owed()
            .values("person", "person__display_name", "person__email")
            .annotate(owed=_sum())
            .exclude(owed=0)
            .order_by("person__display_name", "person__email", "person")
        )

    def tax_year_totals(self):
        """What was paid out, per person per tax year, split into fee and expenses."""
        return (
            self.paid_out()
            .values("person", "person__display_name", "person__email", "tax_year")
            .annotate(
                fee=_sum(component="fee"),
                expenses=_sum(component="expenses"),
                total=_sum(),
            )
            .order_by("-tax_year", "person__display_name", "person__email", "person")
        )


def with_budget_use(projects):
    """Annotate projects with `spent_pence` (paid out) and `committed_pence` (approved, owed).

    Subqueries keep it one query however many projects or ledger rows there are.
    """
    from .models import LedgerEntry

    def total(account):
        return Coalesce(
            Subquery(
                LedgerEntry.objects.filter(project=OuterRef("pk"), account=account)
                .order_by()
                .values("project")
                .annotate(total=Sum("amount_pence"))
                .values("total")[:1]
            ),
            Value(0),
            output_field=models.BigIntegerField(),
        )

    used = F("spent_pence") + F("committed_pence")
    return projects.annotate(spent_pence=total("paid"), committed_pence=total("owed")).annotate(
        used_pence=ExpressionWrapper(used, output_field=models.BigIntegerField()),
        remaining_pence=ExpressionWrapper(
            F("budget_pence") - used, output_field=models.BigIntegerField()
        ),
    )
