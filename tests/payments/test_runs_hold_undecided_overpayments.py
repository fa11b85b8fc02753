"""A session's fee corrected down before an approved claim was paid: the claim is approved
for more than its session pays now. Paying it at the approved amount is exactly how people
end up overpaid (and then asked to pay money back, which can hurt their benefits). So no
payment run takes it while the overpayment waits for a commissioner's decision: commissioners
see it held, with a link to decide, and once decided the next run pays it."""

import pytest
from django.urls import reverse
from django.utils import timezone

from participation.models import Opportunity
from payments import services
from payments.models import Claim, FeeAdjustment, PaymentRunItem
from payments.services import PaymentError
from tests.factories import UserFactory

from .test_fee_corrections import (
    BUS,
    FULL_DAY,
    HALF_DAY,
    PER_ACTIVITY,
    claim_for,
    correct,
    correct_and_approve,
    half_day_session,
    owed,
    paid_out,
)

pytestmark = pytest.mark.django_db

HELD = "until a commissioner decides about the fee correction"


@pytest.fixture
def session(policy, staff):
    return half_day_session(staff)


@pytest.fixture
def second_commissioner(db):
    return UserFactory(display_name="Cleo Second", roles=["commissioner"])


@pytest.fixture
def overpaid(session, staff, commissioner):
    """An approved claim (a half day, £50, and a £4.60 bus fare) not yet paid, whose session
    was corrected to one activity (£25): £25 approved over the fee, to decide."""
    claim = claim_for(session, Claim.Status.APPROVED, reviewer=commissioner)
    correct(session, by=staff, fee_basis=Opportunity.FeeBasis.PER_ACTIVITY)
    return FeeAdjustment.objects.to_decide().get(claim=claim)


def fresh(claim):
    return Claim.objects.get(pk=claim.pk)


def in_a_run(claim) -> bool:
    return PaymentRunItem.objects.filter(claim=claim).exists()


def pay(run, by):
    return services.confirm_payment_run(run, by=by, paid_on=timezone.localdate())


# --- Payment runs -----------------------------------------------------------------------------


def test_a_run_does_not_pay_an_approved_claim_with_an_overpayment_to_decide(
    overpaid, session, commissioner
):
    other = claim_for(session, Claim.Status.SUBMITTED, reviewer=commissioner)
    other = services.approve_claim(other, by=commissioner)  # approved at the fee now

    run = services.create_payment_run(by=commissioner)

    assert not in_a_run(overpaid.claim)
    assert list(run.items.values_list("claim_id", flat=True)) == [other.pk]
    claim = fresh(overpaid.claim)
    assert (claim.status, claim.payment_run) == (Claim.Status.APPROVED, None)
    assert owed(claim) == HALF_DAY + BUS  # still owed as approved, not paid
    assert "added to payment run" not in " ".join(claim.events.values_list("note", flat=True))


def test_with_only_held_claims_no_run_is_made_and_the_commissioner_is_told_why(
    overpaid, commissioner
):
    with pytest.raises(PaymentError) as refused:
        services.create_payment_run(by=commissioner)

    assert str(refused.value) == (
        "There are no approved claims or top-ups waiting to be paid. 1 approved claim is held "
        f"{HELD}."
    )


def test_once_left_as_it_is_the_next_run_pays_the_approved_amount(
    overpaid, commissioner, second_commissioner
):
    services.decide_overpayment(
        overpaid, by=second_commissioner, outcome="left", reason="Our mistake; we pay it."
    )

    run = services.create_payment_run(by=commissioner)
    pay(run, commissioner)

    claim = fresh(overpaid.claim)
    assert claim.status == Claim.Status.PAID
    assert (paid_out(claim), owed(claim)) == (HALF_DAY + BUS, 0)


def test_once_the_approved_amount_is_corrected_the_next_run_pays_the_fee_now(
    overpaid, commissioner, second_commissioner
):
    services.correct_claim(
        fresh(overpaid.claim),
        by=second_commissioner,
        fee_pence=PER_ACTIVITY,
        expenses_pence=BUS,
        reason="The session was one activity.",
    )

    run = services.create_payment_run(by=commissioner)
    pay(run, commissioner)

    assert (paid_out(overpaid.claim), owed(overpaid.claim)) == (PER_ACTIVITY + BUS, 0)


def test_a_correction_back_up_clears_the_hold(overpaid, session, staff, commissioner):
    correct(session, by=staff, fee_basis=Opportunity.FeeBasis.HALF_DAY)

    run = services.create_payment_run(by=commissioner)

    assert run.items.get().claim_id == overpaid.claim_id


def test_a_claim_whose_fee_went_up_is_not_held(session, staff, commissioner):
    claim = claim_for(session, Claim.Status.APPROVED, reviewer=commissioner)
    correct(session, by=staff)  # a full day: a top-up to approve, nothing to decide

    run = services.create_payment_run(by=commissioner)

    assert run.items.get().claim_id == claim.pk
    assert run.items.get().total_pence == HALF_DAY + BUS  # the top-up waits for approval


def test_a_top_up_on_a_paid_claim_waits_while_an_overpayment_on_it_is_decided(
    session, staff, commissioner, second_commissioner
):
    """A top-up paid on its own came back from the bank after the session's fee was
    corrected down again: paying it now would pay more while the fee is less."""
    claim = claim_for(session, Claim.Status.PAID, reviewer=commissioner)
    correct_and_approve(session, by=staff, commissioner=second_commissioner)  # full day
    run = services.create_payment_run(by=commissioner)
    pay(run, commissioner)
    correct(session, by=staff, fee_basis=Opportunity.FeeBasis.HALF_DAY)  # a half day after all
    overpayment = FeeAdjustment.objects.to_decide().get(claim=claim)
    services.record_payment_returned(run, claim, by=commissioner, reason="Account closed")

    with pytest.raises(PaymentError, match=f"The top-up on 1 claim already paid is held {HELD}"):
        services.create_payment_run(by=commissioner)

    services.decide_overpayment(
        overpayment, by=second_commissioner, outcome="left", reason="We pay the full day."
    )
    run = services.create_payment_run(by=commissioner)
    assert run.items.get().total_pence == FULL_DAY - HALF_DAY


# --- What commissioners see -------------------------------------------------------------------


def test_the_runs_page_says_which_claims_are_held_and_links_to_deciding(
    client, overpaid, session, commissioner
):
    services.approve_claim(
        claim_for(session, Claim.Status.SUBMITTED, reviewer=commissioner), by=commissioner
    )
    client.force_login(commissioner)

    page = client.get(reverse("payments:runs")).content.decode()

    assert "1 approved claim waiting to go in a run: £29.60." in page
    assert (
        f"1 approved claim (£54.60) is held {HELD}: the session’s fee was corrected down after "
        "it was approved." in page
    )
    assert reverse("payments:fee_adjustments") in page


def test_the_runs_page_with_only_held_claims_offers_no_run(client, overpaid, commissioner):
    client.force_login(commissioner)

    page = client.get(reverse("payments:runs")).content.decode()

    assert f"is held {HELD}" in page
    assert "Make a payment run" not in page
    assert "There are no approved claims or top-ups waiting to go in a run." in page


def test_making_a_run_says_what_was_held(client, overpaid, session, commissioner):
    services.approve_claim(
        claim_for(session, Claim.Status.SUBMITTED, reviewer=commissioner), by=commissioner
    )
    client.force_login(commissioner)

    response = client.post(reverse("payments:runs"), follow=True)

    page = response.content.decode()
    assert "made with 1 claim. Download it for finance." in page
    assert f"1 approved claim is held {HELD}." in page


def test_the_runs_page_asks_the_same_number_of_queries_however_many_are_held(
    client, session, staff, commissioner, django_assert_max_num_queries
):
    for _ in range(2):
        claim_for(session, Claim.Status.APPROVED, reviewer=commissioner)
    correct(session, by=staff, fee_basis=Opportunity.FeeBasis.PER_ACTIVITY)
    client.force_login(commissioner)
    with django_assert_max_num_queries(50) as few:
        client.get(reverse("payments:runs"))
    correct(session, by=staff, fee_basis=Opportunity.FeeBasis.HALF_DAY)
    for _ in range(3):
        claim_for(session, Claim.Status.APPROVED, reviewer=commissioner)
    correct(session, by=staff, fee_basis=Opportunity.FeeBasis.PER_ACTIVITY)
    assert Claim.objects.held_from_payment_runs().count() == 5

    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("payments:runs")).content.decode()
    assert f"5 approved claims (£273) are held {HELD}" in page


def test_the_claim_page_says_it_is_held_with_a_link_to_decide(
    client, overpaid, commissioner, resident
):
    client.force_login(commissioner)
    decide = reverse("payments:decide_overpayment", args=[overpaid.pk])

    page = client.get(overpaid.claim.get_absolute_url()).content.decode()

    assert f"No payment run will pay this claim {HELD}" in page
    assert f'href="{decide}">Decide about the fee correction' in page


def test_the_person_does_not_see_the_hold(client, overpaid):
    client.force_login(overpaid.claim.claimant)

    page = client.get(overpaid.claim.get_absolute_url()).content.decode()

    assert HELD not in page
    assert "Overpayment" not in page


def test_the_claim_page_says_nothing_of_a_hold_once_decided(
    client, overpaid, commissioner, second_commissioner
):
    services.decide_overpayment(overpaid, by=second_commissioner, outcome="left", reason="Fine")
    client.force_login(commissioner)

    page = client.get(overpaid.claim.get_absolute_url()).content.decode()

    assert HELD not in page


def test_the_review_queue_says_how_many_claims_are_held_and_tags_them(
    client, overpaid, commissioner
):
    client.force_login(commissioner)

    page = client.get(reverse("payments:review"), {"status": "approved"}).content.decode()

    assert f"1 overpayment to decide. 1 approved claim is held {HELD}." in page
    assert "Held: fee to decide" in page


# --- Claims a run holds already when the fee is corrected down ----------------------------


def in_run_then_corrected_down(session, staff, commissioner, number=1):
    """`number` approved claims put in a run, then their session's fee corrected down."""
    claims = [
        claim_for(session, Claim.Status.APPROVED, reviewer=commissioner) for _ in range(number)
    ]
    run = services.create_payment_run(by=commissioner)
    correct(session, by=staff, fee_basis=Opportunity.FeeBasis.PER_ACTIVITY)
    return run, claims


def test_an_open_run_warns_that_a_claim_in_it_is_now_paid_over_its_sessions_fee(
    client, session, staff, commissioner
):
    run, (claim,) = in_run_then_corrected_down(session, staff, commissioner)
    client.force_login(commissioner)

    page = client.get(run.get_absolute_url()).content.decode()

    assert "The session’s fee was corrected after this run was made" in page
    assert "more than the session pays now for 1 claim:" in page
    assert f'href="{claim.get_absolute_url()}">{claim.reference}</a>: £54.60 in this run' in page
    assert "Once you confirm the run was paid, a commissioner decides about the overpayment" in (
        page
    )
    assert "Fee corrected down" in page


def test_an_open_run_says_nothing_of_corrections_when_no_fee_went_down(
    client, session, staff, commissioner
):
    claim_for(session, Claim.Status.APPROVED, reviewer=commissioner)
    run = services.create_payment_run(by=commissioner)
    client.force_login(commissioner)

    page = client.get(run.get_absolute_url()).content.decode()

    assert "corrected after this run was made" not in page
    assert "Fee corrected down" not in page


def test_a_paid_run_no_longer_warns_once_the_overpayment_is_for_commissioners_to_decide(
    client, session, staff, commissioner
):
    run, (claim,) = in_run_then_corrected_down(session, staff, commissioner)
    pay(run, commissioner)
    client.force_login(commissioner)

    page = client.get(run.get_absolute_url()).content.decode()

    assert "corrected after this run was made" not in page
    assert FeeAdjustment.objects.to_decide().filter(claim=claim).exists()


def test_the_run_page_asks_the_same_number_of_queries_for_1_and_several_claims_overpaid(
    client, policy, staff, commissioner, django_assert_max_num_queries
):
    one, _ = in_run_then_corrected_down(half_day_session(staff), staff, commissioner)
    several, _ = in_run_then_corrected_down(half_day_session(staff), staff, commissioner, 4)
    client.force_login(commissioner)
    with django_assert_max_num_queries(50) as few:
        assert "for 1 claim:" in client.get(one.get_absolute_url()).content.decode()

    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(several.get_absolute_url()).content.decode()
    assert "for 4 claims:" in page
    assert page.count("Fee corrected down") == 4
