from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from coprod_hub.lib.working_days import WorkingDays
from coprod_hub.users import demo as users_demo
from payments import demo
from payments.models import Claim, LedgerEntry, PaymentRun

pytestmark = pytest.mark.django_db


def _snapshot():
    return (
        sorted(Claim.objects.values_list("claimant__email", "status")),
        LedgerEntry.objects.count(),
        PaymentRun.objects.count(),
    )


def test_the_demo_has_claims_in_every_state_and_running_it_twice_changes_nothing():
    users_demo.seed(scale="small", log=lambda *a: None)
    demo.seed(scale="small", log=lambda *a: None)
    first = _snapshot()
    demo.seed(scale="small", log=lambda *a: None)

    assert _snapshot() == first
    assert {status for _, status in first[0]} == set(Claim.Status.values)
    run = PaymentRun.objects.get()
    assert run.status == PaymentRun.Status.PAID
    paid = Claim.objects.filter(status="paid")
    assert paid.count() == 2 and all(c.payment_run_id == run.pk for c in paid)
    # The ledger agrees with the states: owed is what is approved and unpaid.
    approved = Claim.objects.filter(status="approved")
    assert LedgerEntry.objects.owed().balance() == sum(c.approved_total_pence for c in approved)
    assert LedgerEntry.objects.paid_out().balance() == sum(c.approved_total_pence for c in paid)
    # Sent 22 and 29 days ago; paid 3 days ago, or on the working day before that (`early`
    # days before it, when 3 days ago was a weekend), so `early` days fewer to pay.
    taken = sorted(paid.values_list("days_to_pay", flat=True))
    early = (timezone.localdate() - timedelta(days=3) - run.paid_on).days
    assert taken == [19 - early, 26 - early] and run.paid_on in WorkingDays()


def test_seed_demo_runs_the_payments_seeder(capsys):
    call_command("seed_demo")

    assert "Payment policy" in capsys.readouterr().out
    assert Claim.objects.filter(claimant__email="resident@example.org").exists()
