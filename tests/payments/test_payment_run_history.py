"""Making, paying and cancelling a payment run shows in each claim's history and in the audit
trail, in staff words for staff and without run references for the person."""

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from payments import services
from payments.models import Claim, ClaimEvent

pytestmark = pytest.mark.django_db


def _page(client, user, claim) -> str:
    client.force_login(user)
    return client.get(claim.get_absolute_url()).content.decode()


def test_each_move_of_a_run_is_in_the_claims_history(client, make_claim, resident, commissioner):
    claim = make_claim(resident, status=Claim.Status.APPROVED, reviewer=commissioner)
    cancelled = services.create_payment_run(by=commissioner)
    services.cancel_payment_run(cancelled, by=commissioner)
    paid = services.create_payment_run(by=commissioner)
    services.confirm_payment_run(paid, by=commissioner, paid_on=timezone.localdate())

    staff_page = _page(client, commissioner, claim)
    assert staff_page.count("Added to a payment run") == 2
    assert "Payment run cancelled: back to waiting" in staff_page
    assert f"Added to {cancelled.reference}" in staff_page
    assert f"{cancelled.reference} cancelled" in staff_page

    resident_page = _page(client, resident, claim)
    assert "PR-" not in resident_page
    assert "payment run" not in resident_page.lower()
    assert resident_page.count("Sent to be paid") == 2
    assert "Payment delayed" in resident_page
    assert "We will pay it with our next batch of payments." in resident_page


def test_runs_put_their_changes_to_claims_in_the_audit_trail(make_claim, resident, commissioner):
    claim = make_claim(resident, status=Claim.Status.APPROVED, reviewer=commissioner)
    run = services.create_payment_run(by=commissioner)
    services.cancel_payment_run(run, by=commissioner)
    again = services.create_payment_run(by=commissioner)
    services.confirm_payment_run(again, by=commissioner, paid_on=timezone.localdate())

    changes = [
        entry.changes_dict
        for entry in LogEntry.objects.get_for_object(claim).order_by("timestamp", "pk")
        if entry.actor == commissioner
    ]
    runs = [c["payment_run"] for c in changes if "payment_run" in c]
    assert runs == [[None, run.pk], [run.pk, None], [None, again.pk]]
    assert ["approved", "paid"] in [c.get("status") for c in changes]


def test_making_cancelling_and_paying_a_run_cost_the_same_queries_for_more_claims(
    make_claim, resident, other_resident, commissioner
):
    def costs():
        with CaptureQueriesContext(connection) as made:
            run = services.create_payment_run(by=commissioner)
        with CaptureQueriesContext(connection) as cancelled:
            services.cancel_payment_run(run, by=commissioner)
        return len(made), len(cancelled)

    make_claim(resident, status=Claim.Status.APPROVED, reviewer=commissioner)
    few = costs()
    for _ in range(4):
        make_claim(other_resident, status=Claim.Status.APPROVED, reviewer=commissioner)
    many = costs()

    assert many == few
    assert ClaimEvent.objects.filter(note__startswith="Added to").count() == 6
