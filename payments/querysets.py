"""Reads for the payments app: visibility, queues, balances and report groupings."""

import re
from datetime import date, timedelta

from django.db import models
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from .taxyear import TaxYear


def _sum(expression="amount_pence", **filters):
    condition = Q(**filters) if filters else None
    return Coalesce(
        Sum(expression, filter=condition), Value(0), output_field=models.BigIntegerField()
    )


# A claim's reference as people type it: "CL-00009", "cl 9", "CL9" or just "9".
_CLAIM_NUMBER = re.compile(r"(?:CL[- ]?)?0*(?P<number>\d{1,9})", re.IGNORECASE)


# A payment run's reference as people type it: "PR-0002", "pr 2", "PR2" or just "2".
_RUN_NUMBER = re.compile(r"(?:PR[- ]?)?0*(?P<number>\d{1,9})", re.IGNORECASE)


def project_ids_named(text: str) -> list[int]:
    """The ids of projects whose title contains `text` (any case).

    The ids first, as a list: PostgreSQL cannot estimate how many titles a "contains" pattern
    matches, and given it as a join it fetched and sorted every matching claim before taking
    one page (~90 ms for a common word on 100k claims). With the ids it walks the list's
    index instead (~2 ms).
    """
    from projects.models import Project

    return list(Project.objects.filter(title__icontains=text).values_list("pk", flat=True))


def person_or_claim(text: str) -> tuple[int | None, list[int]]:
    """The "Person or claim" search of the claims queue and the ledger: (claim id, []) when
    `text` is a claim's reference ("CL-00009", "cl9" or "9"), else (None, the ids of people
    whose name or email address contains it, any case). The people as a list of ids for the
    reason given in `project_ids_named`."""
    text = text.strip()
    number = _CLAIM_NUMBER.fullmatch(text)
    if number:
        return int(number["number"]), []
    from django.contrib.auth import get_user_model

    people = (
        get_user_model()
        .objects.filter(Q(display_name__icontains=text) | Q(email__icontains=text))
        .values_list("pk", flat=True)
    )
    return None, list(people)


def payment_run_number(text: str) -> int | None:
    """The id in a payment run's reference as typed ("PR-0002", "pr2" or "2"), or None."""
    number = _RUN_NUMBER.fullmatch(text.strip())
    return int(number["number"]) if number else None


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


class TaxiAgreementQuerySet(models.QuerySet):
    def live(self):
        """Not withdrawn: at most one per sign-up (a partial unique index)."""
        return self.filter(withdrawn_at__isnull=True)

    def live_for(self, signup_id):
        """The sign-up's live agreement, with who agreed it, or None."""
        return self.live().filter(signup_id=signup_id).select_related("agreed_by").first()


def _someone_may_decide(excluding) -> Q:
    """True for a claim (the outer query's row) that some commissioner other than `excluding`
    may decide. Only people with the commissioner role count: administrators may decide claims
    too, but deciding is a budget holder's job."""
    from django.contrib.auth import get_user_model

    from coprod_hub.users.roles import Role

    from .models import ConflictOfInterest

    conflict = ConflictOfInterest.objects.active().filter(
        commissioner=OuterRef("pk"), person=OuterRef(OuterRef("claimant_id"))
    )
    commissioners = (
        get_user_model()
        .objects.filter(is_active=True, groups__name=Role.COMMISSIONER)
        .exclude(pk=OuterRef("claimant_id"))
        .exclude(pk=OuterRef("started_by_id"))
        # Empty only if that account was deleted; compared with NULL, every commissioner
        # would be ruled out.
        .exclude(pk=Coalesce(OuterRef("submitted_by_id"), Value(0)))
        .exclude(Exists(conflict))
    )
    if excluding is not None:
        commissioners = commissioners.exclude(pk=excluding.pk)
    return Q(Exists(commissioners))


def _held_from_payment_runs() -> Q:
    """True for a claim (the outer query's row) a payment run would pay, approved and in no
    run or paid with an approved top-up no run holds, but that runs hold instead: an
    overpayment on it waits for a commissioner's decision (services.runs.create_payment_run).
    Its session's fee was corrected down: paying the amount approved would overpay them."""
    from .models import FeeAdjustment

    def on_the_claim(adjustments):
        return Exists(adjustments.filter(claim_id=OuterRef("pk")))

    waiting_to_be_paid = Q(status="approved", payment_run__isnull=True) | Q(
        on_the_claim(FeeAdjustment.objects.waiting_top_ups()), status="paid"
    )
    # one_open_overpayment_per_claim is the index behind this.
    return waiting_to_be_paid & Q(on_the_claim(FeeAdjustment.objects.to_decide()))


class ClaimQuerySet(models.QuerySet):
    def with_related(self):
        return self.select_related("claimant", "opportunity", "project")

    def for_claimant(self, user):
        return self.filter(claimant=user)

    def latest_sessions_first(self):
        """Claims for the latest sessions first, as the claims page lists them under the
        session's date (claim_claimant_session_idx). Two claims for sessions on the same day:
        the one started later first."""
        return self.order_by("-activity_date", "-pk")

    def last_answers(self, claim) -> dict:
        """How the claimant answered "How do you want to be paid?" (and, for vouchers, by post
        or email) and "Do you work for the council or one of its partners?" on their latest
        other claim, so they are not asked
        from scratch every time ({} for a first claim). The answers are offered, not saved:
        the person still checks them, and says again that this activity was not part of
        their paid job."""
        latest = (
            self.filter(claimant_id=claim.claimant_id)
            .exclude(pk=claim.pk)
            .exclude(payment_method="")
            .order_by("-created_at", "-pk")
            .values("payment_method", "voucher_delivery", "employed_by_partner")
            .first()
        )
        return latest or {}

    def started_on_behalf_by(self, user):
        return self.filter(started_by=user).exclude(claimant=user)

    def for_projects_named(self, text: str):
        """Claims for projects whose title contains `text` (any case)."""
        return self.filter(project_id__in=project_ids_named(text))

    def matching(self, text: str):
        """Claims whose reference is `text` ("CL-00009", "cl9" or "9"), or whose claimant's
        name or email address contains it (any case)."""
        claim_pk, people = person_or_claim(text)
        if claim_pk is not None:
            return self.filter(pk=claim_pk)
        return self.filter(claimant_id__in=people)

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

    def held_from_payment_runs(self):
        """Claims no payment run pays until a commissioner decides about an overpayment on
        them (`_held_from_payment_runs`)."""
        return self.filter(_held_from_payment_runs())

    def waiting_for_a_run(self):
        """Approved claims the next payment run pays: in no run, and not held."""
        return self.approved_unpaid_not_in_run().exclude(_held_from_payment_runs())

    def held_counts(self) -> dict[str, int]:
        """How many of these claims runs hold, by what is held: {"approved": claims approved
        and in no run, "paid": claims paid whose top-up is held}. One query."""
        return self.held_from_payment_runs().aggregate(
            approved=Count("pk", filter=Q(status="approved")),
            paid=Count("pk", filter=Q(status="paid")),
        )

    def with_held_from_payment_runs(self):
        """Each claim with `held_from_payment_runs`, worked out in the same query, so a page
        of claims costs no query more per row."""
        return self.annotate(
            held_from_payment_runs=ExpressionWrapper(
                _held_from_payment_runs(), output_field=BooleanField()
            )
        )

    def no_commissioner_may_decide(self, *, excluding=None):
        """Sent claims that no commissioner may approve, return or reject: each one is the
        person claiming, started or sent the claim for them, or has declared a conflict of
        interest with them (services.review.review_block_reason), or there is no
        commissioner at all. `excluding`: someone about to lose the commissioner role, who
        does not count (coprod_hub.users.handing_over).

        The one place this rule is written: the review queue and the claim's page say so,
        administrators are told (services.deciders), and an administrator may not take the
        role from the last commissioner who may decide one."""
        return self.filter(status="submitted").exclude(_someone_may_decide(excluding))

    def with_nobody_to_decide(self):
        """Each claim with `nobody_may_decide`: `no_commissioner_may_decide` worked out in
        the same query, so a page of claims costs no query more per row."""
        return self.annotate(
            nobody_may_decide=ExpressionWrapper(
                Q(status="submitted") & ~_someone_may_decide(None), output_field=BooleanField()
            )
        )

    def returned_before(self, moment):
        """Returned to the person (or reopened) before `moment`, and not sent again since: a
        claim sent again is submitted, and returning it again sets a new decided_at."""
        return self.filter(status="returned", decided_at__lte=moment)


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

    def in_open_run(self):
        """Held by runs finance has and has not confirmed paying: whatever the ledger says
        now, finance pays these amounts, so the next run must not pay them too."""
        return self.still_in_run().filter(run__status="exported")


class FeeAdjustmentQuerySet(models.QuerySet):
    """What corrections of sessions' fees meant for claims already approved or paid."""

    def open(self):
        return self.filter(outcome="")

    def top_ups(self):
        return self.filter(kind="top_up")

    def approved(self):
        return self.filter(approved_at__isnull=False)

    def waiting_top_ups(self):
        """Approved top-ups no payment run holds or has paid (fee_top_up_waiting_idx)."""
        return self.top_ups().open().approved().filter(payment_run__isnull=True)

    def to_approve(self):
        """Top-ups a commissioner has not approved or refused: nothing is owed for them yet
        (one_top_up_to_approve_per_claim)."""
        return self.top_ups().open().filter(approved_at__isnull=True)

    def to_decide(self):
        """Overpayments a commissioner has not decided on (one_open_overpayment_per_claim)."""
        return self.filter(kind="overpayment").open()

    def asked_back(self):
        """Overpayments asked back that have not all come back, and that nobody has stopped
        asking for (fee_money_asked_back_idx): what finance is waiting to receive."""
        return self.filter(
            kind="overpayment",
            outcome="recover",
            repaid_on__isnull=True,
            stopped_asking_at__isnull=True,
        )

    def queue_counts(self) -> dict[str, int]:
        """For the claims queue, in one query: how many overpayments are to decide
        (`to_decide`), top-ups to approve (`to_approve`), and approved top-ups waiting for a
        run (`waiting_top_ups`)."""
        top_up = Q(kind="top_up")
        return self.open().aggregate(
            overpayments_to_decide=Count("pk", filter=Q(kind="overpayment")),
            top_ups_to_approve=Count("pk", filter=top_up & Q(approved_at__isnull=True)),
            top_ups_waiting=Count(
                "pk",
                filter=top_up & Q(approved_at__isnull=False, payment_run__isnull=True),
            ),
        )

    def for_a_commissioner(self):
        """Waiting for a commissioner: top-ups to approve and overpayments to decide."""
        return self.open().filter(
            Q(kind="overpayment") | Q(kind="top_up", approved_at__isnull=True)
        )

    def in_run(self, run):
        """Top-ups a run took (to pay, or paid), less any it no longer holds."""
        return self.top_ups().open().filter(payment_run=run)


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

    def newest_first(self):
        # ledger_effective_idx, read backwards: a page never sorts the whole ledger.
        return self.order_by("-effective_on", "-id")

    def for_ledger_filters(
        self,
        *,
        from_date=None,
        to_date=None,
        kind="",
        account="",
        search="",
        person=None,
        project="",
        payment_run=None,
        tax_year=None,
    ):
        """The ledger page's filters (payments.forms.LedgerFilterForm's cleaned data)."""
        entries = self
        if from_date:
            entries = entries.filter(effective_on__gte=from_date)
        if to_date:
            entries = entries.filter(effective_on__lte=to_date)
        if kind:
            entries = entries.filter(kind=kind)
        if account:
            entries = entries.filter(account=account)
        if search:
            claim_pk, people = person_or_claim(search)
            if claim_pk is not None:
                entries = entries.filter(claim_id=claim_pk)
            else:
                entries = entries.filter(person_id__in=people)
        if person is not None:
            entries = entries.filter(person=person)
        if project:
            entries = entries.filter(project_id__in=project_ids_named(project))
        if payment_run is not None:
            entries = entries.filter(payment_run_id=payment_run)
        if tax_year is not None:
            year = TaxYear(tax_year)
            # The dates as well as the year (the same rows: tax_year is worked out from
            # effective_on when the row is written) so the date index serves a past year
            # rather than reading every newer row first.
            entries = entries.filter(
                tax_year=tax_year,
                effective_on__gte=year.starts_on,
                effective_on__lte=year.ends_on,
            )
        return entries

    def totals_by_account(self) -> dict:
        """{"accounts": [(account label, pence)] for every account, "entries": how many rows}
        in one pass: the count the page numbers need comes with the totals, so a million
        rows are not read twice."""
        from .models import LedgerEntry

        rows = {
            row["account"]: row
            for row in self.order_by()
            .values("account")
            .annotate(total=Sum("amount_pence"), entries=Count("pk"))
        }
        return {
            "accounts": [
                (label, rows[value]["total"] if value in rows else 0)
                for value, label in LedgerEntry.Account.choices
            ],
            "entries": sum(row["entries"] for row in rows.values()),
        }

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


def budget_use_of(project_id):
    """`with_budget_use` for one project, as the budget report works it out: the project with
    `budget_pence`, `spent_pence`, `committed_pence`, `used_pence` and `remaining_pence`, or
    None if there is no such project. One query."""
    from projects.models import Project

    return (
        with_budget_use(Project.objects.filter(pk=project_id))
        .only("pk", "budget_pence")
        .order_by()
        .first()
    )
