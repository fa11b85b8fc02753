"""A session's fee corrected down on a paid claim, money asked back and paid back, then the fee
corrected back up: the top-up it means counts what the person already paid back, a
commissioner approves it, a payment run pays it, and the person ends up paid exactly the new
fee across the ledger's entries (none of which changes)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from notifications.models import Message
from participation.models import Opportunity
from payments import services
from payments.models import Claim, FeeAdjustment, LedgerEntry

from .test_fee_corrections import (
    BUS,
    HALF_DAY,
    PER_ACTIVITY,
    claim_for,
    correct,
    half_day_session,
    owed,
    paid_out,
)
from .test_money_asked_back import fresh, receive, told

pytestmark = pytest.mark.django_db

OVERPAID = HALF_DAY - PER_ACTIVITY  # £25


@pytest.fixture
def session(policy, staff):
    return half_day_session(staff)


@pytest.fixture
def asked_back(session, staff, commissioner, second_commissioner):
    """A half day paid (£50 and a £4.60 bus fare), corrected to one activity (£25): the £25
    overpaid is asked back."""
    claim = claim_for(session, Claim.Status.PAID, reviewer=commissioner)
    correct(session, by=staff, fee_basis=Opportunity.FeeBasis.PER_ACTIVITY)
    overpayment = FeeAdjustment.objects.get(claim=claim)
    services.decide_overpayment(
        overpayment, by=second_commissioner, outcome="recover", reason="Agreed on the phone."
    )
    return fresh(overpayment)


@pytest.fixture
def second_commissioner(db):
    from tests.factories import UserFactory

    return UserFactory(display_name="Cleo Second", roles=["commissioner"])


def pay_top_ups(by):
    run = services.create_payment_run(by=by)
    services.confirm_payment_run(run, by=by, paid_on=timezone.localdate())
    return run


def ledger_adds_up(claim):
    """What we owe and what went out add up to what is approved now: nothing counted twice."""
    claim = Claim.objects.get(pk=claim.pk)
    return owed(claim) + paid_out(claim) == claim.approved_total_pence


@pytest.mark.parametrize("paid_back", [OVERPAID, 1000])
def test_a_top_up_after_money_was_paid_back_is_approved_and_paid_so_the_new_fee_is_paid(
    session, staff, asked_back, second_commissioner, paid_back
):
    claim = asked_back.claim
    receive(asked_back, second_commissioner, paid_back)

    correct(session, by=staff, fee_basis=Opportunity.FeeBasis.HALF_DAY)

    # Nothing is owed either way until a commissioner approves the top-up: the ledger does
    # not say the person owes us what they already paid back.
    assert owed(claim) == 0 and ledger_adds_up(claim)
    top_up = FeeAdjustment.objects.to_approve().get(claim=claim)
    kept = HALF_DAY - paid_back
    assert (top_up.fee_before_pence, top_up.fee_after_pence, top_up.amount_pence) == (
        kept,
        HALF_DAY,
        paid_back,
    )
    assert top_up.paid_back_pence == paid_back
    assert (
        f"The fee paid was £50, and £{paid_back // 100} of it was paid back." in top_up.what_changed
    )

    services.approve_top_up(top_up, by=second_commissioner)

    assert owed(claim) == paid_back and ledger_adds_up(claim)
    body = told("claim_top_up", asked_back).get().body_text
    assert (
        f"We paid you a fee of £50 for your claim {claim.reference}, and you paid "
        f"£{paid_back // 100} of it back to us. So we owe you £{paid_back // 100} more."
    ) in body
    run = pay_top_ups(second_commissioner)
    item = run.items.get()
    assert (item.claim_id, item.fee_pence, item.top_up_only) == (claim.pk, paid_back, True)
    assert owed(claim) == 0
    assert paid_out(claim) == HALF_DAY + BUS  # exactly the new fee, and the bus fare
    assert ledger_adds_up(claim)
    assert FeeAdjustment.objects.get(pk=top_up.pk).paid_on == timezone.localdate()
    assert told("claim_top_up_paid", asked_back).count() == 1
    # Nothing in the ledger was changed: only added to.
    assert LedgerEntry.objects.filter(claim=claim, kind=LedgerEntry.Kind.REPAYMENT).count() == 2


def test_part_paid_back_stops_asking_for_the_rest_and_tells_the_person_once(
    session, staff, asked_back, second_commissioner
):
    receive(asked_back, second_commissioner, 1000)

    correct(session, by=staff, fee_basis=Opportunity.FeeBasis.HALF_DAY)

    stopped = told("claim_money_back_stopped", asked_back).get()
    assert "You do not need to pay back the £15 still to pay" in stopped.body_text
    assert "Thank you for the £10 you paid back already" in stopped.body_text
    assert not told("claim_top_up", asked_back).exists()  # not before it is approved
    assert fresh(asked_back).state == (
        "Asked back: £10 paid back; we stopped asking for the other £15"
    )


def test_nothing_paid_back_yet_only_stops_asking_and_owes_nothing_more(
    session, staff, asked_back, second_commissioner
):
    claim = asked_back.claim

    correct(session, by=staff, fee_basis=Opportunity.FeeBasis.HALF_DAY)

    assert not FeeAdjustment.objects.to_approve().exists()
    assert not FeeAdjustment.objects.to_decide().exists()
    assert (owed(claim), paid_out(claim)) == (0, HALF_DAY + BUS)
    assert ledger_adds_up(claim)
    assert told("claim_money_back_stopped", asked_back).count() == 1


def test_money_paid_back_counts_once_however_often_the_fee_is_corrected(
    session, staff, asked_back, second_commissioner
):
    """All £25 back (they kept £25), corrected to no fee, then back to one activity: the
    second correction finds them paid what the fee says, and asks nothing of anyone."""
    claim = asked_back.claim
    receive(asked_back, second_commissioner, OVERPAID)

    correct(session, by=staff, fee_basis=Opportunity.FeeBasis.NONE)

    assert owed(claim) == 0 and ledger_adds_up(claim)  # not -£25, as if they owed it again
    overpayment = FeeAdjustment.objects.to_decide().get(claim=claim)
    assert (overpayment.fee_before_pence, overpayment.amount_pence) == (PER_ACTIVITY, PER_ACTIVITY)

    correct(session, by=staff, fee_basis=Opportunity.FeeBasis.PER_ACTIVITY)

    assert not FeeAdjustment.objects.to_approve().exists()  # nothing more is owed to them
    assert not FeeAdjustment.objects.to_decide().exists()
    assert (owed(claim), paid_out(claim)) == (0, PER_ACTIVITY + BUS)
    assert ledger_adds_up(claim)


def test_tax_years_keep_what_was_paid_paid_back_and_paid_again_when_each_happened(
    policy, staff, commissioner, second_commissioner
):
    london = ZoneInfo("Europe/London")
    with time_machine.travel(datetime(2026, 4, 1, 12, tzinfo=london)):
        session = half_day_session(staff)
        claim = claim_for(session, Claim.Status.PAID, reviewer=commissioner)
        correct(session, by=staff, fee_basis=Opportunity.FeeBasis.PER_ACTIVITY)
        overpayment = FeeAdjustment.objects.get(claim=claim)
        services.decide_overpayment(
            overpayment, by=second_commissioner, outcome="recover", reason="Asked"
        )
    with time_machine.travel(datetime(2026, 4, 8, 12, tzinfo=london)):
        receive(overpayment, second_commissioner, OVERPAID, on=date(2026, 4, 8))
    with time_machine.travel(datetime(2027, 4, 9, 12, tzinfo=london)):
        correct(session, by=staff, fee_basis=Opportunity.FeeBasis.HALF_DAY)
        services.approve_top_up(
            FeeAdjustment.objects.to_approve().get(claim=claim), by=second_commissioner
        )
        pay_top_ups(second_commissioner)

    totals = {
        row["tax_year"]: row["total"]
        for row in LedgerEntry.objects.tax_year_totals().filter(person=claim.claimant)
    }
    assert totals == {2025: HALF_DAY + BUS, 2026: -OVERPAID, 2027: OVERPAID}
    assert sum(totals.values()) == HALF_DAY + BUS


# --- Pages ----------------------------------------------------------------------------------


@pytest.fixture
def top_up_after_money_back(session, staff, asked_back, second_commissioner):
    receive(asked_back, second_commissioner, OVERPAID)
    correct(session, by=staff, fee_basis=Opportunity.FeeBasis.HALF_DAY)
    return FeeAdjustment.objects.to_approve().get(claim=asked_back.claim)


def test_the_commissioner_sees_what_was_paid_back_and_approves_the_top_up_on_its_page(
    client, top_up_after_money_back, second_commissioner
):
    top_up = top_up_after_money_back
    client.force_login(second_commissioner)
    url = reverse("payments:decide_top_up", args=[top_up.pk])

    page = client.get(url).content.decode()
    assert "£25 (we paid £50, and £25 of it was paid back)" in page
    response = client.post(url, {"decision": "approve"})

    assert response.status_code == 302
    assert FeeAdjustment.objects.get(pk=top_up.pk).approved_at is not None
    claim_page = client.get(top_up.claim.get_absolute_url()).content.decode()
    assert "Approved, for the next payment run" in claim_page
    assert "Asked back: paid back in full on" in claim_page


def test_the_person_sees_what_they_paid_back_and_the_extra_we_owe_them(
    client, top_up_after_money_back, second_commissioner
):
    services.approve_top_up(top_up_after_money_back, by=second_commissioner)
    claim = top_up_after_money_back.claim
    client.force_login(claim.claimant)

    page = client.get(claim.get_absolute_url()).content.decode()

    assert "Money we asked you to pay back" in page
    assert "Paid back in full on" in page
    assert "Extra fee we owe you" in page
    assert "We will pay it with our next batch of payments." in page
    assert "Agreed on the phone" not in page
    assert not Message.objects.filter(
        kind="claim_money_back_stopped", recipient=claim.claimant
    ).exists()  # nothing was still asked back when the fee went up
