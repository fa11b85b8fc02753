"""The ledger: balances, corrections, tax years, and that rows can never change."""

from datetime import date, timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from coprod_hub.users.roles import Role
from notifications.models import Message
from payments import services
from payments.models import Claim, LedgerEntry, LedgerImmutableError
from payments.querysets import with_budget_use
from payments.services import PaymentError
from payments.taxyear import TaxYear, tax_year_for
from projects.models import Project
from tests.factories import UserFactory

from .factories import OpportunityFactory, ProjectFactory, SignUpFactory

pytestmark = pytest.mark.django_db


def _owed(person):
    return LedgerEntry.objects.filter(person=person).owed().balance()


def _paid(person):
    return LedgerEntry.objects.filter(person=person).paid_out().balance()


def _budget(project):
    return with_budget_use(Project.objects.filter(pk=project.pk)).get()


class TestTaxYears:
    @pytest.mark.parametrize(
        ("day", "year"),
        [
            (date(2026, 4, 5), 2025),
            (date(2026, 4, 6), 2026),
            (date(2026, 1, 1), 2025),
            (date(2025, 12, 31), 2025),
            (date(2026, 4, 7), 2026),
        ],
    )
    def test_uk_tax_years_start_on_6_april(self, day, year):
        assert tax_year_for(day) == year

    def test_labels(self):
        assert TaxYear(2025).label == "6 April 2025 to 5 April 2026"
        assert TaxYear(2025).ends_on == date(2026, 4, 5)

    def test_payments_on_5_and_6_april_fall_in_different_tax_years(
        self, make_claim, resident, commissioner, client, time_machine
    ):
        time_machine.move_to("2026-03-20 12:00 +00:00", tick=False)
        first = make_claim(resident, status=Claim.Status.APPROVED, reviewer=commissioner, bus=0)
        second = make_claim(resident, status=Claim.Status.APPROVED, reviewer=commissioner, bus=0)
        time_machine.move_to("2026-04-07 12:00 +01:00", tick=False)
        run = services.create_payment_run(by=commissioner)
        # Finance paid one on 5 April and one on 6 April: make two runs to say so.
        services.cancel_payment_run(run, by=commissioner)
        Claim.objects.filter(pk=second.pk).update(payment_run=run)  # hold back the second
        run_1 = services.create_payment_run(by=commissioner)
        Claim.objects.filter(pk=second.pk).update(payment_run=None)
        run_2 = services.create_payment_run(by=commissioner)
        from payments.models import PaymentRun

        PaymentRun.objects.filter(pk__in=[run_1.pk, run_2.pk]).update(
            created_at=timezone.now() - timedelta(days=10)
        )
        services.confirm_payment_run(run_1, by=commissioner, paid_on=date(2026, 4, 5))
        services.confirm_payment_run(run_2, by=commissioner, paid_on=date(2026, 4, 6))

        totals = {
            row["tax_year"]: row["total"]
            for row in LedgerEntry.objects.filter(person=resident).tax_year_totals()
        }
        assert totals == {2025: 4000, 2026: 4000}
        assert Claim.objects.get(pk=first.pk).tax_year == 2025
        assert Claim.objects.get(pk=second.pk).tax_year == 2026

        client.force_login(resident)
        html = client.get(reverse("payments:claims")).content.decode()
        assert "6 April 2025 to 5 April 2026" in html
        assert "6 April 2026 to 5 April 2027" in html


class TestBalances:
    def test_approval_owes_the_person_and_commits_the_project_budget(
        self, make_claim, resident, commissioner
    ):
        claim = make_claim(resident, status=Claim.Status.APPROVED, reviewer=commissioner)

        assert claim.approved_total_pence == 4460
        assert _owed(resident) == 4460
        assert _paid(resident) == 0
        budget = _budget(claim.project)
        assert (budget.committed_pence, budget.spent_pence) == (4460, 0)
        assert budget.remaining_pence == 100_000 - 4460

    def test_payment_moves_the_amount_from_owed_to_spent(self, make_claim, resident, commissioner):
        claim = make_claim(resident, status=Claim.Status.PAID, reviewer=commissioner)

        assert _owed(resident) == 0
        assert _paid(resident) == 4460
        budget = _budget(claim.project)
        assert (budget.committed_pence, budget.spent_pence) == (0, 4460)
        paid = dict(
            LedgerEntry.objects.paid_out()
            .filter(claim=claim)
            .values_list("component", "amount_pence")
        )
        assert paid == {"fee": 4000, "expenses": 460}

    def test_a_correction_reverses_the_old_entries_and_adds_new_ones(
        self, make_claim, resident, commissioner
    ):
        claim = make_claim(resident, status=Claim.Status.APPROVED, reviewer=commissioner)
        originals = list(LedgerEntry.objects.filter(claim=claim).order_by("pk"))

        claim = services.correct_claim(
            claim, by=commissioner, fee_pence=4000, expenses_pence=420, reason="Ticket was £4.20"
        )

        assert _owed(resident) == 4420
        reversals = LedgerEntry.objects.filter(claim=claim, kind="reversal")
        assert sorted(r.amount_pence for r in reversals) == [-4000, -460]
        assert {r.reverses_id for r in reversals} == {e.pk for e in originals}
        # The original rows are untouched.
        for original in originals:
            fresh = LedgerEntry.objects.get(pk=original.pk)
            assert (fresh.amount_pence, fresh.kind) == (original.amount_pence, "approval")
        assert claim.approved_expenses_pence == 420
        assert claim.events.last().note.startswith("We changed the amount from £44.60 to £44.20")

        # A second correction reverses only what still counts.
        services.correct_claim(
            claim, by=commissioner, fee_pence=3000, expenses_pence=420, reason="Left early"
        )
        assert _owed(resident) == 3420
        assert LedgerEntry.objects.live_owed_for(claim).count() == 2
        # The person is told the new amount and why.
        corrected = Message.objects.filter(kind="claim_corrected", recipient=resident)
        told = corrected.latest("pk").body_text
        assert "£34.20" in told

        # Paying pays the corrected amount.
        run = services.create_payment_run(by=commissioner)
        services.confirm_payment_run(run, by=commissioner, paid_on=timezone.localdate())
        assert (_owed(resident), _paid(resident)) == (0, 3420)
        assert _budget(claim.project).spent_pence == 3420

    def test_paying_more_needs_a_commissioner_other_than_whoever_set_the_amount(
        self, make_claim, resident, commissioner
    ):
        second = UserFactory(roles=[Role.COMMISSIONER])
        claim = make_claim(resident, status=Claim.Status.APPROVED, reviewer=commissioner)
        # Lowered first, so that paying more still stays within the policy (£40 fee at most).
        claim = services.correct_claim(
            claim, by=second, fee_pence=2000, expenses_pence=460, reason="Left after an hour"
        )
        assert _owed(resident) == 2460

        # The second commissioner set it now: they cannot raise it, the first can.
        with pytest.raises(PaymentError, match="another commissioner must make a correction"):
            services.correct_claim(
                claim, by=second, fee_pence=3000, expenses_pence=460, reason="More"
            )
        assert _owed(resident) == 2460
        claim = services.correct_claim(
            claim, by=commissioner, fee_pence=3000, expenses_pence=460, reason="90 minutes"
        )
        assert _owed(resident) == 3460
        # Now the first one set it: they cannot raise it again, the second can.
        with pytest.raises(PaymentError, match="another commissioner"):
            services.correct_claim(
                claim, by=commissioner, fee_pence=4000, expenses_pence=460, reason="Even more"
            )
        services.correct_claim(
            claim, by=second, fee_pence=4000, expenses_pence=460, reason="Checked: 2 hours"
        )
        assert _owed(resident) == 4460

    def test_corrections_are_refused_once_a_claim_is_in_a_run(
        self, make_claim, resident, commissioner
    ):
        claim = make_claim(resident, status=Claim.Status.APPROVED, reviewer=commissioner)
        services.create_payment_run(by=commissioner)

        with pytest.raises(PaymentError, match="payment run"):
            services.correct_claim(
                claim, by=commissioner, fee_pence=1, expenses_pence=0, reason="x"
            )

    def test_a_claim_cannot_be_corrected_to_nothing(self, make_claim, resident, commissioner):
        claim = make_claim(resident, status=Claim.Status.APPROVED, reviewer=commissioner)
        entries_before = LedgerEntry.objects.count()

        with pytest.raises(PaymentError, match="withdraw the approval instead"):
            services.correct_claim(
                claim, by=commissioner, fee_pence=0, expenses_pence=0, reason="Did not come"
            )

        assert LedgerEntry.objects.count() == entries_before
        assert _owed(resident) == 4460

    def test_owed_by_person_and_project_totals_across_several_claims(
        self, make_claim, resident, other_resident, commissioner
    ):
        project = ProjectFactory(budget_pence=10_000)
        for person in (resident, resident, other_resident):
            make_claim(
                person,
                status=Claim.Status.APPROVED,
                reviewer=commissioner,
                signup=SignUpFactory(
                    resident=person, opportunity=OpportunityFactory(project=project)
                ),
            )

        owed = {row["person"]: row["owed"] for row in LedgerEntry.objects.owed_by_person()}
        assert owed == {resident.pk: 2 * 4460, other_resident.pk: 4460}
        budget = _budget(project)
        assert budget.committed_pence == 3 * 4460
        assert budget.remaining_pence == 10_000 - 3 * 4460  # over budget shows as negative


class TestImmutability:
    @pytest.fixture
    def entry(self, make_claim, resident, commissioner):
        make_claim(resident, status=Claim.Status.APPROVED, reviewer=commissioner)
        return LedgerEntry.objects.first()

    def test_saving_an_existing_row_is_refused(self, entry):
        entry.amount_pence = 1
        with pytest.raises(LedgerImmutableError):
            entry.save()

    def test_deleting_a_row_is_refused(self, entry):
        with pytest.raises(LedgerImmutableError):
            entry.delete()

    def test_bulk_update_and_delete_are_refused(self, entry):
        with pytest.raises(LedgerImmutableError):
            LedgerEntry.objects.filter(pk=entry.pk).update(amount_pence=1)
        with pytest.raises(LedgerImmutableError):
            LedgerEntry.objects.all().delete()
        entry.amount_pence = 1
        with pytest.raises(LedgerImmutableError):
            LedgerEntry.objects.bulk_update([entry], ["amount_pence"])
        assert LedgerEntry.objects.get(pk=entry.pk).amount_pence != 1

    def test_the_admin_can_look_but_not_change_or_delete(self, entry, admin_user, client):
        client.force_login(admin_user)
        url = reverse("admin:payments_ledgerentry_change", args=[entry.pk])

        assert client.get(url).status_code == 200  # read-only view
        client.post(url, {"amount_pence": "1"})
        client.post(reverse("admin:payments_ledgerentry_delete", args=[entry.pk]), {"post": "yes"})
        assert LedgerEntry.objects.get(pk=entry.pk).amount_pence == entry.amount_pence
        assert client.get(reverse("admin:payments_ledgerentry_add")).status_code == 403

    @pytest.mark.postgres
    def test_the_database_refuses_raw_updates_and_deletes(self, entry):
        for sql in (
            "UPDATE payments_ledgerentry SET amount_pence = 1 WHERE id = %s",
            "DELETE FROM payments_ledgerentry WHERE id = %s",
        ):
            with (
                pytest.raises(DatabaseError, match="cannot be changed or deleted"),
                transaction.atomic(),
                connection.cursor() as cursor,
            ):
                cursor.execute(sql, [entry.pk])
        assert LedgerEntry.objects.filter(pk=entry.pk, amount_pence=entry.amount_pence).exists()
