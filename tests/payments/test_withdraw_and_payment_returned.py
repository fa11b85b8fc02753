"""Undoing money we said we would pay: withdrawing an approval before it goes to finance, and
recording a payment the bank sent back after a run was confirmed as paid."""

import pytest
from django.urls import reverse
from django.utils import timezone

from coprod_hub.users.roles import Role
from notifications.kinds import always_sent
from notifications.models import Message
from payments import services
from payments.models import Claim, LedgerEntry
from payments.services import PaymentError
from payments.taxyear import tax_year_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _owed(person):
    return LedgerEntry.objects.owed().filter(person=person).balance()


def _paid(person):
    return LedgerEntry.objects.paid_out().filter(person=person).balance()


class TestWithdrawingAnApproval:
    def test_it_reverses_what_we_owe_and_tells_the_person_why(
        self, client, make_claim, resident, commissioner
    ):
        claim = make_claim(resident, status=Claim.Status.APPROVED, reviewer=commissioner)
        client.force_login(UserFactory(roles=[Role.COMMISSIONER]))
        url = reverse("payments:withdraw_approval", args=[claim.pk])
        assert "Withdraw approval" in client.get(url).content.decode()

        response = client.post(url, {"reason": "We paid this session on another claim."})

        assert response.status_code == 302
        claim.refresh_from_db()
        assert claim.status == Claim.Status.REJECTED
        assert claim.approved_total_pence is None
        assert _owed(resident) == 0
        # The approval stays in the ledger, reversed.
        assert LedgerEntry.objects.filter(claim=claim, kind="approval").count() == 2
        assert LedgerEntry.objects.filter(claim=claim, kind="reversal").count() == 2
        told = Message.objects.get(kind="claim_approval_withdrawn", recipient=resident)
        assert "cannot pay it after all" in told.body_text
        assert "We paid this session on another claim." in told.body_text
        assert always_sent("claim_approval_withdrawn")
        client.force_login(resident)
        page = client.get(claim.get_absolute_url()).content.decode()
        assert "No longer approved" in page
        assert "Why we cannot pay" in page and "We paid this session on another claim." in page
        # It no longer goes in a payment run.
        with pytest.raises(PaymentError, match="no approved claims"):
            services.create_payment_run(by=commissioner)

    def test_a_claim_in_a_run_waiting_to_be_confirmed_keeps_its_approval(
        self, client, make_claim, resident, commissioner
    ):
        claim = make_claim(resident, status=Claim.Status.APPROVED, reviewer=commissioner)
        services.create_payment_run(by=commissioner)
        other = UserFactory(roles=[Role.COMMISSIONER])

        with pytest.raises(PaymentError, match="Cancel the run first"):
            services.withdraw_approval(claim, by=other, reason="Duplicate")
        client.force_login(other)
        page = client.get(reverse("payments:withdraw_approval", args=[claim.pk])).content
        assert "Cancel the run first, then withdraw the approval." in page.decode()
        assert _owed(resident) == 4460

    def test_it_needs_a_reason_and_a_commissioner(self, make_claim, resident, commissioner):
        claim = make_claim(resident, status=Claim.Status.APPROVED, reviewer=commissioner)
        with pytest.raises(PaymentError, match="Enter why"):
            services.withdraw_approval(claim, by=commissioner, reason=" ")
        with pytest.raises(PaymentError, match="Only commissioners"):
            services.withdraw_approval(claim, by=resident, reason="x")
        assert Claim.objects.get(pk=claim.pk).status == Claim.Status.APPROVED


class TestAPaymentReturnedAfterTheRunWasPaid:
    @pytest.fixture
    def paid(self, make_claim, resident, commissioner):
        return make_claim(resident, status=Claim.Status.PAID, reviewer=commissioner)

    def test_the_payment_is_reversed_and_the_claim_waits_for_the_next_run(
        self, client, paid, resident, commissioner
    ):
        run = paid.payment_run
        this_year = tax_year_for(timezone.localdate())
        client.force_login(commissioner)
        run_page = client.get(run.get_absolute_url()).content.decode()
        url = reverse("payments:payment_returned", args=[run.pk, paid.pk])
        assert url in run_page

        client.post(url, {"reason": "The bank returned it: account closed"})

        claim = Claim.objects.get(pk=paid.pk)
        assert claim.status == Claim.Status.APPROVED
        assert (claim.payment_run, claim.paid_on, claim.days_to_pay) == (None, None, None)
        assert (_owed(resident), _paid(resident)) == (4460, 0)
        totals = LedgerEntry.objects.filter(person=resident, tax_year=this_year)
        assert not totals.tax_year_totals().exclude(total=0).exists()
        run.refresh_from_db()
        assert (run.claim_count, run.total_pence) == (0, 0)
        assert "Not paid" in client.get(run.get_absolute_url()).content.decode()
        # Staff see what happened, with the run.
        staff_page = client.get(claim.get_absolute_url()).content.decode()
        assert "Payment returned: back to waiting for the next run" in staff_page
        assert run.reference in staff_page
        # The person is told, always, and sees why, without the run's reference.
        told = Message.objects.get(kind="claim_not_paid", recipient=resident)
        assert "The bank returned it: account closed" in told.body_text
        assert run.reference not in told.body_text
        client.force_login(resident)
        page = client.get(claim.get_absolute_url()).content.decode()
        assert "We tried to pay this claim, but the payment did not go through" in page
        assert "Payment did not go through" in page
        assert "PR-" not in page

        # The next run pays it again, once.
        again = services.create_payment_run(by=commissioner)
        assert again.items.get().claim_id == claim.pk
        services.confirm_payment_run(again, by=commissioner, paid_on=timezone.localdate())
        assert (_owed(resident), _paid(resident)) == (0, 4460)

    def test_it_cannot_be_recorded_twice_or_for_a_run_not_yet_paid(
        self, paid, make_claim, resident, commissioner
    ):
        services.record_payment_returned(paid.payment_run, paid, by=commissioner, reason="Closed")
        with pytest.raises(PaymentError, match="not paid in"):
            services.record_payment_returned(
                paid.payment_run, paid, by=commissioner, reason="Closed"
            )
        waiting = make_claim(resident, status=Claim.Status.APPROVED, reviewer=commissioner)
        run = services.create_payment_run(by=commissioner)
        with pytest.raises(PaymentError, match="not paid in"):
            services.record_payment_returned(run, waiting, by=commissioner, reason="Closed")
        assert _paid(resident) == 0

    def test_the_reversal_counts_in_the_tax_year_the_payment_did(
        self, paid, resident, commissioner
    ):
        services.record_payment_returned(paid.payment_run, paid, by=commissioner, reason="Closed")

        for reversal in LedgerEntry.objects.filter(claim=paid, kind="reversal"):
            assert reversal.effective_on == reversal.reverses.effective_on
            assert reversal.tax_year == reversal.reverses.tax_year

    def test_nobody_can_put_their_own_claim_back_in_line_to_be_paid_again(
        self, make_claim, commissioner
    ):
        # A commissioner who also takes part: another commissioner approved their claim.
        both = UserFactory(roles=[Role.COMMISSIONER, Role.RESIDENT])
        own = make_claim(both, status=Claim.Status.PAID, reviewer=commissioner)

        with pytest.raises(PaymentError, match="your own claim"):
            services.record_payment_returned(own.payment_run, own, by=both, reason="Bounced")

        assert Claim.objects.get(pk=own.pk).status == Claim.Status.PAID
        assert _paid(both) == 4460
