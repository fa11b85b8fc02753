"""The bank sends a claim's payment back after we asked the person to pay some of it back:
they never had the money. Recording the return stops asking for it, owes them again whatever
they had paid back, tells them once, and leaves commissioners an overpayment to decide before
the claim is paid again."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from notifications.models import Message
from participation.models import Opportunity
from payments import services
from payments.models import Claim, ClaimEvent, FeeAdjustment, LedgerEntry
from payments.services import PaymentError
from tests.factories import UserFactory

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
from .test_money_asked_back import fresh, receive

pytestmark = pytest.mark.django_db

OVERPAID = HALF_DAY - PER_ACTIVITY  # £25


@pytest.fixture
def second_commissioner(db):
    return UserFactory(display_name="Cleo Second", roles=["commissioner"])


@pytest.fixture
def asked_back(policy, staff, commissioner, second_commissioner):
    """A half day paid (£50 and a £4.60 bus fare), corrected to one activity (£25): the £25
    overpaid is asked back."""
    session = half_day_session(staff)
    claim = claim_for(session, Claim.Status.PAID, reviewer=commissioner)
    correct(session, by=staff, fee_basis=Opportunity.FeeBasis.PER_ACTIVITY)
    overpayment = FeeAdjustment.objects.get(claim=claim)
    services.decide_overpayment(
        overpayment, by=second_commissioner, outcome="recover", reason="Agreed on the phone."
    )
    return fresh(overpayment)


def came_back(adjustment, by):
    claim = Claim.objects.get(pk=adjustment.claim_id)
    return services.record_payment_returned(
        claim.payment_run, claim, by=by, reason="The account was closed"
    )


def messages_to(adjustment, kind):
    return Message.objects.filter(kind=kind, recipient=adjustment.claim.claimant)


def ledger_adds_up(claim):
    claim = Claim.objects.get(pk=claim.pk)
    return owed(claim) + paid_out(claim) == claim.approved_total_pence


def test_nothing_paid_back_yet_stops_asking_and_tells_the_person_once(
    asked_back, second_commissioner
):
    claim = asked_back.claim
    before = Message.objects.filter(recipient=claim.claimant).count()

    came_back(asked_back, second_commissioner)

    adjustment = fresh(asked_back)
    assert adjustment.payment_came_back and not adjustment.can_take_money_back
    assert adjustment.stopped_asking_by == second_commissioner
    assert "came back from the bank" in adjustment.stop_reason
    assert adjustment.not_asked_for_pence == OVERPAID
    assert adjustment.money_back_state == (
        "The payment came back from the bank, so there is nothing to pay back"
    )
    assert not FeeAdjustment.objects.asked_back().exists()
    # One message: the payment did not go through, and there is nothing to pay back.
    assert Message.objects.filter(recipient=claim.claimant).count() == before + 1
    message = messages_to(asked_back, "claim_not_paid").get()
    assert "The payment did not go through" in message.body_text
    assert "there is nothing to pay back" in message.body_text
    assert "You do not need to pay us the £25 we asked for" in message.body_text
    assert "pay you back" not in message.body_text
    assert not messages_to(asked_back, "claim_money_back_stopped").exists()
    event = claim.events.order_by("pk").last()
    assert (event.summary, event.resident_summary) == (
        "Payment returned: nothing to pay back",
        "Nothing to pay back",
    )
    assert event.resident_note == (
        "The payment to you came back from the bank, so there is nothing to pay back. You do "
        "not need to pay us the £25 we asked for."
    )
    # The ledger: the payment reversed, the approved amount owed again, nothing paid.
    assert (owed(claim), paid_out(claim)) == (HALF_DAY + BUS, 0)
    assert ledger_adds_up(claim)


def test_commissioners_decide_the_overpayment_before_the_claim_is_paid_again(
    asked_back, second_commissioner
):
    claim = asked_back.claim

    came_back(asked_back, second_commissioner)

    overpayment = FeeAdjustment.objects.to_decide().get(claim=claim)
    assert (
        overpayment.fee_before_pence,
        overpayment.fee_after_pence,
        overpayment.amount_pence,
    ) == (HALF_DAY, PER_ACTIVITY, OVERPAID)
    assert "came back from the bank" in overpayment.what_changed
    claim = Claim.objects.get(pk=claim.pk)
    assert claim.status == Claim.Status.APPROVED and claim.can_be_corrected
    # A commissioner corrects the approved amount to the fee now, then the run pays that.
    services.correct_claim(
        claim,
        by=second_commissioner,
        fee_pence=PER_ACTIVITY,
        expenses_pence=BUS,
        reason="The session was one activity.",
    )
    assert FeeAdjustment.objects.get(pk=overpayment.pk).outcome == "corrected"
    run = services.create_payment_run(by=second_commissioner)
    services.confirm_payment_run(run, by=second_commissioner, paid_on=timezone.localdate())
    assert (owed(claim), paid_out(claim)) == (0, PER_ACTIVITY + BUS)


def test_money_paid_back_before_the_payment_came_back_is_owed_to_them_again(
    asked_back, second_commissioner
):
    claim = asked_back.claim
    receive(asked_back, second_commissioner, 1000)

    came_back(asked_back, second_commissioner)

    adjustment = fresh(asked_back)
    assert adjustment.payment_came_back and adjustment.not_asked_for_pence == 1500
    assert adjustment.money_back_state == (
        "The payment came back from the bank, so there is nothing to pay back. The £10 paid "
        "back before then is returned with the claim's next payment"
    )
    owed_again = LedgerEntry.objects.get(
        claim=claim, kind=LedgerEntry.Kind.REPAYMENT, account=LedgerEntry.Account.OWED
    )
    assert (owed_again.component, owed_again.amount_pence) == ("fee", 1000)
    # They paid us £10 and have nothing: we owe the approved amount and their £10.
    assert (owed(claim), paid_out(claim)) == (HALF_DAY + BUS + 1000, -1000)
    message = messages_to(asked_back, "claim_not_paid").get()
    assert "You do not need to pay us the £15 we asked for" in message.body_text
    assert "We will pay you back the £10 you paid us when we pay this claim" in message.body_text
    assert not messages_to(asked_back, "claim_money_back_stopped").exists()
    with pytest.raises(PaymentError, match="Nothing is still asked back"):
        receive(asked_back, second_commissioner, 500)

    # The commissioner corrects the approved amount to the fee now; the run pays that and
    # their £10: they end up paid the fee, once.
    services.correct_claim(
        Claim.objects.get(pk=claim.pk),
        by=second_commissioner,
        fee_pence=PER_ACTIVITY,
        expenses_pence=BUS,
        reason="The session was one activity.",
    )
    run = services.create_payment_run(by=second_commissioner)
    assert run.items.get().total_pence == PER_ACTIVITY + BUS + 1000
    services.confirm_payment_run(run, by=second_commissioner, paid_on=timezone.localdate())
    assert (owed(claim), paid_out(claim)) == (0, PER_ACTIVITY + BUS)
    assert ledger_adds_up(claim)


def test_all_of_it_paid_back_then_the_payment_came_back(asked_back, second_commissioner):
    claim = asked_back.claim
    receive(asked_back, second_commissioner, OVERPAID)

    came_back(asked_back, second_commissioner)

    adjustment = fresh(asked_back)
    assert adjustment.is_repaid and adjustment.payment_came_back
    assert adjustment.stopped_asking_at is None  # nothing was still asked for
    assert owed(claim) == HALF_DAY + BUS + OVERPAID
    body = messages_to(asked_back, "claim_not_paid").get().body_text
    assert "You do not need to pay us" not in body
    assert "We will pay you back the £25 you paid us" in body
    assert ledger_adds_up(claim)


def test_a_payment_returned_on_a_claim_with_nothing_asked_back_says_nothing_of_it(
    policy, staff, commissioner, second_commissioner
):
    claim = claim_for(half_day_session(staff), Claim.Status.PAID, reviewer=commissioner)

    services.record_payment_returned(
        claim.payment_run, claim, by=second_commissioner, reason="Closed"
    )

    body = Message.objects.get(kind="claim_not_paid", recipient=claim.claimant).body_text
    assert "pay back" not in body
    assert not FeeAdjustment.objects.filter(claim=claim).exists()
    assert not ClaimEvent.objects.filter(claim=claim, note__contains="nothing to pay back")


def test_tax_years_keep_the_money_paid_back_in_the_year_it_came(
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
        receive(overpayment, second_commissioner, 1000, on=date(2026, 4, 8))
        came_back(overpayment, second_commissioner)
        services.decide_overpayment(
            FeeAdjustment.objects.to_decide().get(claim=claim),
            by=second_commissioner,
            outcome="left",
            reason="We pay what we approved.",
        )
        run = services.create_payment_run(by=second_commissioner)
        services.confirm_payment_run(run, by=second_commissioner, paid_on=date(2026, 4, 8))

    totals = {
        row["tax_year"]: row["total"]
        for row in LedgerEntry.objects.tax_year_totals().filter(person=claim.claimant)
    }
    # The payment that came back leaves 2025; in 2026 they paid us £10 and we paid them the
    # approved £54.60 and their £10 back.
    assert totals == {2025: 0, 2026: HALF_DAY + BUS}


def test_the_approval_cannot_be_withdrawn_while_we_owe_them_what_they_paid_back(
    asked_back, second_commissioner
):
    """A rejected claim is never paid: withdrawing would keep the £10 they paid us."""
    claim = asked_back.claim
    receive(asked_back, second_commissioner, 1000)
    came_back(asked_back, second_commissioner)
    claim = Claim.objects.get(pk=claim.pk)

    with pytest.raises(PaymentError) as refused:
        services.withdraw_approval(claim, by=second_commissioner, reason="A duplicate")

    assert str(refused.value) == (
        f"We owe {claim.claimant} £10 they paid back before this claim's payment came back "
        "from the bank. No payment run pays a claim whose approval is withdrawn, so they "
        "would never get it back. Correct the approved amount instead: the next payment run "
        "pays it with the £10."
    )
    claim = Claim.objects.get(pk=claim.pk)
    assert claim.status == Claim.Status.APPROVED
    assert owed(claim) == HALF_DAY + BUS + 1000
    # What the message suggests: the amount corrected, and the run pays it and the £10.
    services.correct_claim(
        claim, by=second_commissioner, fee_pence=0, expenses_pence=BUS, reason="A duplicate"
    )
    run = services.create_payment_run(by=second_commissioner)
    assert run.items.get().total_pence == BUS + 1000


def test_the_approval_can_be_withdrawn_when_nothing_was_paid_back(asked_back, second_commissioner):
    came_back(asked_back, second_commissioner)

    services.withdraw_approval(
        Claim.objects.get(pk=asked_back.claim_id), by=second_commissioner, reason="A duplicate"
    )

    claim = Claim.objects.get(pk=asked_back.claim_id)
    assert claim.status == Claim.Status.REJECTED
    assert owed(claim) == 0


# --- Pages ----------------------------------------------------------------------------------


def test_the_withdraw_page_says_why_it_cannot_and_keeps_the_reason_typed(
    client, asked_back, second_commissioner
):
    receive(asked_back, second_commissioner, 1000)
    came_back(asked_back, second_commissioner)
    client.force_login(second_commissioner)

    response = client.post(
        reverse("payments:withdraw_approval", args=[asked_back.claim_id]),
        {"reason": "It was a duplicate claim"},
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "govuk-error-summary" in page
    assert "£10 they paid back before this claim" in page
    assert "It was a duplicate claim" in page


def test_the_return_page_says_what_happens_to_the_money_asked_back(
    client, asked_back, second_commissioner
):
    receive(asked_back, second_commissioner, 1000)
    claim = Claim.objects.get(pk=asked_back.claim_id)
    client.force_login(second_commissioner)
    url = reverse("payments:payment_returned", args=[claim.payment_run_id, claim.pk])

    page = client.get(url).content.decode()

    assert "We asked them to pay back £25 of this payment" in page
    assert "£10 paid back, £15 still to come" in page
    assert "the £10 they paid back is owed to them again" in page
    response = client.post(url, {"reason": "The account was closed."})
    assert response.status_code == 302
    assert fresh(asked_back).payment_came_back


def test_commissioners_see_the_overpayment_to_decide_and_the_list_no_longer_shows_it(
    client, asked_back, second_commissioner
):
    came_back(asked_back, second_commissioner)
    client.force_login(second_commissioner)

    listed = client.get(reverse("payments:money_asked_back"))
    claim_page = client.get(asked_back.claim.get_absolute_url()).content.decode()

    assert listed.context["page_obj"].paginator.count == 0
    overpayment = FeeAdjustment.objects.to_decide().get(claim=asked_back.claim)
    assert reverse("payments:decide_overpayment", args=[overpayment.pk]) in claim_page
    assert "Asked back: the payment came back from the bank, so there is nothing to pay back" in (
        claim_page
    )
    assert reverse("payments:record_money_back", args=[asked_back.pk]) not in claim_page


def test_the_person_reads_that_there_is_nothing_to_pay_back(
    client, asked_back, second_commissioner
):
    receive(asked_back, second_commissioner, 1000)
    came_back(asked_back, second_commissioner)
    client.force_login(asked_back.claim.claimant)

    page = client.get(asked_back.claim.get_absolute_url()).content.decode()

    assert "The payment came back from the bank, so there is nothing to pay back" in page
    assert "We will pay you back the £10 you paid us when we pay this claim" in page
    assert "<br>You do not need to do anything until" not in page  # we ask no more
    assert "came back from the bank (PR-" not in page  # the commissioners' reason
    # Overpayments to decide are for commissioners: the person hears of a decision, if any.
    assert "Overpayment" not in page
