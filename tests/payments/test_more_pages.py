"""Commissioner pages not covered elsewhere: corrections, expense rules, history, removing a
planned change, cancelling a run."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from payments import services
from payments.models import Claim, ExpenseRule, FeeRate, LedgerEntry, PaymentRun

pytestmark = pytest.mark.django_db


def test_correcting_an_approved_claim_through_the_page(client, commissioner, make_claim, resident):
    claim = make_claim(resident, status=Claim.Status.APPROVED, reviewer=commissioner)
    client.force_login(commissioner)
    url = reverse("payments:correct", args=[claim.pk])

    assert 'value="40"' in client.get(url).content.decode()  # the approved fee, in pounds
    bad = client.post(url, {"fee": "-1", "expenses": "4.20", "reason": "Receipt"})
    assert "The amount cannot be less than £0" in bad.content.decode()
    client.post(url, {"fee": "40", "expenses": "4.20", "reason": "The receipt says £4.20"})

    claim.refresh_from_db()
    assert claim.approved_total_pence == 4420
    assert LedgerEntry.objects.owed().balance() == 4420
    page = client.get(claim.get_absolute_url()).content.decode()
    assert "Reversal" in page and "Correction" in page and "The receipt says £4.20" in page


def test_adding_an_expense_rule_through_the_page(client, commissioner):
    client.force_login(commissioner)
    url = reverse("payments:add_expense_rule")

    missing = client.post(
        url,
        {
            "category": "mileage",
            "allowed": "yes",
            "receipt_rule": "never",
            "starts_on_0": "1",
            "starts_on_1": "4",
            "starts_on_2": "2030",
        },
    )
    assert "Enter the amount per mile, for example 0.45" in missing.content.decode()
    # "Save rule" on the page that checks what changes ("send").
    client.post(
        url,
        {
            "category": "mileage",
            "allowed": "yes",
            "rate_per_mile": "0.45",
            "cap": "30",
            "receipt_rule": "never",
            "starts_on_0": "1",
            "starts_on_1": "4",
            "starts_on_2": "2030",
            "send": "yes",
        },
    )

    rule = ExpenseRule.objects.get()
    assert (rule.rate_per_mile_pence, rule.cap_pence, rule.starts_on) == (
        45,
        3000,
        date(2030, 4, 1),
    )


def test_policy_history_and_removing_a_planned_change(client, commissioner, policy):
    planned = FeeRate.objects.create(
        basis="per_hour", amount_pence=2400, starts_on=timezone.localdate() + timedelta(days=9)
    )
    client.force_login(commissioner)

    history = client.get(reverse("payments:policy_history", args=["fees"])).content.decode()
    assert "£24" in history and "£20" in history
    assert client.get(reverse("payments:policy_history", args=["nonsense"])).status_code == 404

    started = FeeRate.objects.exclude(pk=planned.pk).first()
    client.post(reverse("payments:remove_scheduled", args=["fees", started.pk]))
    assert FeeRate.objects.filter(pk=started.pk).exists()
    client.post(reverse("payments:remove_scheduled", args=["fees", planned.pk]))
    assert not FeeRate.objects.filter(pk=planned.pk).exists()


def test_cancelling_a_run_through_the_page(client, commissioner, make_claim, resident):
    make_claim(resident, status=Claim.Status.APPROVED, reviewer=commissioner)
    run = services.create_payment_run(by=commissioner)
    client.force_login(commissioner)

    client.post(reverse("payments:cancel_run", args=[run.pk]))

    run.refresh_from_db()
    assert run.status == PaymentRun.Status.CANCELLED
    assert client.get(reverse("payments:confirm_run", args=[run.pk])).status_code == 302
