"""Staff correct what a session pays after people claimed: the claims follow.

A half-day session that was really a full day, or a session paid by the hour that ran
longer. Claims not yet approved get the new fee; on approved or paid ones the difference is a
top-up a commissioner approves (then the next payment run pays it once) or refuses, or, when
the fee went down, commissioners decide.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from notifications.models import Message
from participation import services as participation
from participation.models import Opportunity, Venue
from participation.services import ParticipationError
from payments import services
from payments.models import (
    Claim,
    ClaimEvent,
    ClaimLine,
    ConflictOfInterest,
    FeeAdjustment,
    FeeRate,
    LedgerEntry,
    PaymentRun,
    PaymentRunItem,
)
from payments.services import PaymentError
from tests.factories import UserFactory

from .factories import OpportunityFactory, ProjectFactory, SignUpFactory

pytestmark = pytest.mark.django_db

BUS = 460  # every claim here has a £4.60 bus fare as well as its fee
HALF_DAY, FULL_DAY, PER_ACTIVITY = 5000, 9000, 2500


def half_day_session(staff):
    """A half-day session last week, run by `staff` (its project's owner)."""
    venue = Venue.objects.create(name="Town hall", address="1 High Street")
    return OpportunityFactory(
        fee_basis=Opportunity.FeeBasis.HALF_DAY,
        venue=venue,
        project=ProjectFactory(owner=staff),
    )


@pytest.fixture
def session(policy, staff):
    return half_day_session(staff)


@pytest.fixture
def second_commissioner(db):
    return UserFactory(display_name="Cleo Second", roles=["commissioner"])


def claim_for(session, status, *, reviewer, person=None):
    from .factories import claim_in_state

    person = person or UserFactory(roles=["resident"])
    signup = SignUpFactory(resident=person, opportunity=session)
    return claim_in_state(person, status=status, reviewer=reviewer, signup=signup)


def correct(session, *, by, **fields):
    """Staff save the corrected session, as its form does."""
    fields.setdefault("fee_basis", Opportunity.FeeBasis.FULL_DAY)
    return participation.update_opportunity(Opportunity.objects.get(pk=session.pk), by=by, **fields)


def fresh(claim):
    return Claim.objects.get(pk=claim.pk)


def owed(claim):
    return LedgerEntry.objects.owed().filter(claim=claim).balance()


def paid_out(claim):
    return LedgerEntry.objects.paid_out().filter(claim=claim).balance()


def messages(kind, person):
    return Message.objects.filter(kind=kind, recipient=person)


def approve_top_ups(*, by):
    """A commissioner approves every top-up waiting for approval."""
    for top_up in FeeAdjustment.objects.to_approve().order_by("pk"):
        services.approve_top_up(top_up, by=by)


def correct_and_approve(session, *, by, commissioner, **fields):
    """Staff correct the session, then a commissioner approves the top-ups it means."""
    correct(session, by=by, **fields)
    approve_top_ups(by=commissioner)


# --- Claims not yet approved follow the session --------------------------------------------


@pytest.mark.parametrize(
    "status", [Claim.Status.DRAFT, Claim.Status.SUBMITTED, Claim.Status.RETURNED]
)
def test_a_claim_not_yet_approved_gets_the_corrected_fee(session, staff, commissioner, status):
    claim = claim_for(session, status, reviewer=commissioner)

    correct(session, by=staff)

    claim = fresh(claim)
    fee = claim.lines.get(kind=ClaimLine.Kind.FEE)
    assert (fee.fee_basis, fee.rate_pence, fee.amount_pence) == ("full_day", FULL_DAY, FULL_DAY)
    assert claim.fee_pence == FULL_DAY
    assert claim.total_pence == FULL_DAY + BUS
    assert claim.status == status  # nothing else about it changes
    event = claim.events.last()
    assert event.summary == "Fee worked out again"
    assert event.resident_summary == "Fee changed"
    assert event.actor == staff
    assert "now £90 for a full day (it was £50 for a half day)" in event.note
    message = messages("claim_fee_changed", claim.claimant).get()
    assert "Fee before: £50 for a half day" in message.body_text
    assert "Fee now: £90 for a full day" in message.body_text


def test_the_person_is_asked_to_check_a_claim_they_have_not_sent(session, staff, commissioner):
    draft = claim_for(session, Claim.Status.DRAFT, reviewer=commissioner)
    sent = claim_for(session, Claim.Status.SUBMITTED, reviewer=commissioner)

    correct(session, by=staff)

    assert "send it to us" in messages("claim_fee_changed", draft.claimant).get().body_text
    body = messages("claim_fee_changed", sent.claimant).get().body_text
    assert "You do not need to do anything" in body


def test_a_session_paid_by_the_hour_that_ran_longer_pays_for_the_hours_it_ran(
    session, staff, commissioner
):
    session.fee_basis = Opportunity.FeeBasis.PER_HOUR
    session.save()
    claim = claim_for(session, Claim.Status.SUBMITTED, reviewer=commissioner)
    assert fresh(claim).fee_pence == 4000  # two hours at £20

    correct(session, by=staff, fee_basis="per_hour", ends_at=session.starts_at + timedelta(hours=3))

    fee = fresh(claim).lines.get(kind=ClaimLine.Kind.FEE)
    assert (fee.hours, fee.amount_pence) == (3, 6000)
    body = messages("claim_fee_changed", claim.claimant).get().body_text
    assert "Fee now: £60 for 3 hours at £20 an hour" in body


def test_a_session_no_longer_paid_takes_the_fee_off_claims_not_yet_approved(
    session, staff, commissioner
):
    claim = claim_for(session, Claim.Status.SUBMITTED, reviewer=commissioner)

    correct(session, by=staff, fee_basis=Opportunity.FeeBasis.NONE)

    claim = fresh(claim)
    assert not claim.lines.filter(kind=ClaimLine.Kind.FEE).exists()
    assert (claim.fee_pence, claim.total_pence) == (0, BUS)


def test_a_claim_left_with_nothing_to_pay_cannot_be_approved(session, staff, commissioner):
    claim = claim_for(session, Claim.Status.SUBMITTED, reviewer=commissioner)
    ClaimLine.objects.filter(claim=claim, kind=ClaimLine.Kind.EXPENSE).delete()
    correct(session, by=staff, fee_basis=Opportunity.FeeBasis.NONE)

    with pytest.raises(PaymentError, match="now comes to £0"):
        services.approve_claim(fresh(claim), by=commissioner)


def test_someone_who_chose_expenses_only_is_not_given_a_fee(session, staff, resident):
    claim = services.start_claim(SignUpFactory(resident=resident, opportunity=session), by=resident)
    services.update_claim_details(
        claim,
        by=resident,
        payment_method=Claim.PaymentMethod.EXPENSES_ONLY,
        employed_by_partner=False,
        not_part_of_paid_job=False,
    )

    correct(session, by=staff)

    assert not fresh(claim).lines.filter(kind=ClaimLine.Kind.FEE).exists()
    assert not Message.objects.filter(kind="claim_fee_changed").exists()
    assert fresh(claim).events.count() == 1  # only "Claim started"


def test_a_change_that_leaves_the_fee_the_same_changes_no_claim(session, staff, commissioner):
    claim = claim_for(session, Claim.Status.SUBMITTED, reviewer=commissioner)
    events = claim.events.count()

    correct(session, by=staff, fee_basis=Opportunity.FeeBasis.HALF_DAY, capacity=12)

    assert fresh(claim).events.count() == events
    assert not Message.objects.filter(kind="claim_fee_changed").exists()


# --- Approved and paid claims: the difference is owed ---------------------------------------


def test_an_approved_claim_is_owed_the_difference_once_approved_and_the_next_run_pays_it(
    session, staff, commissioner, second_commissioner
):
    claim = claim_for(session, Claim.Status.APPROVED, reviewer=commissioner)
    entries = LedgerEntry.objects.count()

    correct(session, by=staff)

    # Staff cannot raise what we owe: a commissioner must approve the top-up first.
    claim = fresh(claim)
    assert claim.approved_fee_pence == HALF_DAY
    assert LedgerEntry.objects.count() == entries
    top_up = FeeAdjustment.objects.get(claim=claim)
    assert (top_up.kind, top_up.amount_pence, top_up.state) == ("top_up", 4000, "To approve")
    assert top_up.can_be_approved and not top_up.is_waiting
    assert not Message.objects.filter(recipient=claim.claimant, kind__startswith="claim_top")
    assert claim.events.last().summary == "Approved"  # nothing in the person's history yet
    assert services.create_payment_run(by=commissioner).items.get().fee_pence == HALF_DAY
    services.cancel_payment_run(PaymentRun.objects.get(), by=commissioner)

    services.approve_top_up(top_up, by=second_commissioner)

    claim = fresh(claim)
    assert claim.status == Claim.Status.APPROVED
    assert claim.approved_fee_pence == FULL_DAY
    assert owed(claim) == FULL_DAY + BUS
    # The ledger was not edited: the approval is reversed and replaced.
    kinds = list(claim.ledger_entries.values_list("kind", "amount_pence"))
    assert ("approval", HALF_DAY) in kinds
    assert ("reversal", -HALF_DAY) in kinds
    assert ("correction", FULL_DAY) in kinds
    assert claim.ledger_entries.filter(kind="correction", created_by=second_commissioner).exists()
    top_up = FeeAdjustment.objects.get(claim=claim)
    assert (top_up.state, top_up.approved_by) == (
        "Approved, for the next payment run",
        second_commissioner,
    )
    event = claim.events.last()
    assert event.summary == "Fee corrected after approval"
    assert event.actor == second_commissioner
    assert "We owe £40 more" in event.note
    body = messages("claim_top_up", claim.claimant).get().body_text
    assert "We approved a fee of £50 for your claim" in body
    assert "So we owe you £40 more." in body

    run = services.create_payment_run(by=commissioner)

    item = run.items.get()
    assert (item.fee_pence, item.expenses_pence, item.top_up_pence) == (FULL_DAY, BUS, 4000)
    assert not item.top_up_only
    services.confirm_payment_run(run, by=commissioner, paid_on=timezone.localdate())
    assert paid_out(claim) == FULL_DAY + BUS
    assert owed(claim) == 0
    top_up.refresh_from_db()
    assert (top_up.payment_run, top_up.paid_on) == (run, timezone.localdate())
    with pytest.raises(PaymentError, match="no approved claims or top-ups"):
        services.create_payment_run(by=commissioner)


def test_a_paid_claim_is_owed_the_difference_and_the_next_run_pays_only_that_once(
    session, staff, commissioner
):
    claim = claim_for(session, Claim.Status.PAID, reviewer=commissioner)
    first_run = fresh(claim).payment_run

    correct_and_approve(session, by=staff, commissioner=commissioner)

    claim = fresh(claim)
    assert claim.status == Claim.Status.PAID
    assert claim.payment_run == first_run  # still the run that paid it
    assert claim.approved_fee_pence == FULL_DAY
    assert owed(claim) == 4000  # the person's balance owed shows the difference
    assert LedgerEntry.objects.owed().filter(person=claim.claimant).balance() == 4000
    assert "We paid you a fee of £50" in messages("claim_top_up", claim.claimant).get().body_text

    run = services.create_payment_run(by=commissioner)

    item = run.items.get()
    assert (item.fee_pence, item.expenses_pence, item.top_up_pence) == (4000, 0, 4000)
    assert item.top_up_only
    assert fresh(claim).events.last().summary == "Top-up added to a payment run"
    services.confirm_payment_run(run, by=commissioner, paid_on=timezone.localdate())
    claim = fresh(claim)
    assert (claim.status, claim.payment_run) == (Claim.Status.PAID, first_run)
    assert paid_out(claim) == FULL_DAY + BUS
    assert owed(claim) == 0
    assert claim.events.last().summary == "Top-up paid"
    assert claim.events.last().resident_summary == "Extra paid"
    paid = messages("claim_top_up_paid", claim.claimant).get()
    assert "Amount paid: £40, by bank transfer" in paid.body_text
    with pytest.raises(PaymentError, match="no approved claims or top-ups"):
        services.create_payment_run(by=commissioner)


def test_a_claim_in_a_run_finance_has_is_paid_as_exported_then_the_top_up_after(
    session, staff, commissioner
):
    claim = claim_for(session, Claim.Status.APPROVED, reviewer=commissioner)
    run = services.create_payment_run(by=commissioner)

    correct_and_approve(session, by=staff, commissioner=commissioner)

    # Finance has the file: it is paid what the run holds, and the difference waits.
    assert run.items.get().fee_pence == HALF_DAY
    with pytest.raises(PaymentError, match="no approved claims or top-ups"):
        services.create_payment_run(by=commissioner)
    services.confirm_payment_run(run, by=commissioner, paid_on=timezone.localdate())
    assert owed(fresh(claim)) == 4000
    # They hear what this payment paid, not all they are owed.
    assert "Amount paid: £54.60," in messages("claim_paid", claim.claimant).get().body_text

    later = services.create_payment_run(by=commissioner)

    assert later.items.get().total_pence == 4000
    services.confirm_payment_run(later, by=commissioner, paid_on=timezone.localdate())
    assert paid_out(claim) == FULL_DAY + BUS
    assert owed(claim) == 0


def test_a_cancelled_run_puts_the_claim_and_its_top_up_in_the_next_run_together(
    session, staff, commissioner
):
    claim = claim_for(session, Claim.Status.APPROVED, reviewer=commissioner)
    run = services.create_payment_run(by=commissioner)
    correct_and_approve(session, by=staff, commissioner=commissioner)

    services.cancel_payment_run(run, by=commissioner)
    again = services.create_payment_run(by=commissioner)

    item = again.items.get()
    assert (item.claim_id, item.total_pence, item.top_up_pence) == (claim.pk, FULL_DAY + BUS, 4000)
    services.confirm_payment_run(again, by=commissioner, paid_on=timezone.localdate())
    assert paid_out(claim) == FULL_DAY + BUS
    assert FeeAdjustment.objects.get(claim=claim).paid_on == timezone.localdate()


def test_a_top_up_taken_out_of_a_run_waits_for_the_next_and_the_claim_stays_paid(
    session, staff, commissioner
):
    claim = claim_for(session, Claim.Status.PAID, reviewer=commissioner)
    correct_and_approve(session, by=staff, commissioner=commissioner)
    run = services.create_payment_run(by=commissioner)

    services.take_out_of_run(run, claim, by=commissioner, reason="Bank details missing")
    services.confirm_payment_run(run, by=commissioner, paid_on=timezone.localdate())

    claim = fresh(claim)
    assert claim.status == Claim.Status.PAID
    assert owed(claim) == 4000
    assert claim.events.last().summary == "Top-up payment did not go through"
    assert claim.events.last().resident_note == "Bank details missing."
    assert messages("claim_not_paid", claim.claimant).exists()
    assert FeeAdjustment.objects.get(claim=claim).is_waiting
    assert services.create_payment_run(by=commissioner).items.get().total_pence == 4000


def test_a_top_up_the_bank_sent_back_is_owed_again_and_the_claim_stays_paid(
    session, staff, commissioner, second_commissioner
):
    claim = claim_for(session, Claim.Status.PAID, reviewer=commissioner)
    correct_and_approve(session, by=staff, commissioner=commissioner)
    run = services.create_payment_run(by=commissioner)
    services.confirm_payment_run(run, by=commissioner, paid_on=timezone.localdate())

    services.record_payment_returned(run, claim, by=second_commissioner, reason="Account closed")

    claim = fresh(claim)
    assert claim.status == Claim.Status.PAID
    assert (paid_out(claim), owed(claim)) == (HALF_DAY + BUS, 4000)
    top_up = FeeAdjustment.objects.get(claim=claim)
    assert (top_up.payment_run, top_up.paid_on) == (None, None)
    assert services.create_payment_run(by=commissioner).items.get().total_pence == 4000


def test_a_claim_paid_then_sent_back_by_the_bank_is_paid_once_with_its_top_up(
    session, staff, commissioner, second_commissioner
):
    claim = claim_for(session, Claim.Status.PAID, reviewer=commissioner)
    correct_and_approve(session, by=staff, commissioner=commissioner)
    services.record_payment_returned(
        fresh(claim).payment_run, claim, by=second_commissioner, reason="Account closed"
    )

    run = services.create_payment_run(by=commissioner)

    assert run.items.get().total_pence == FULL_DAY + BUS
    services.confirm_payment_run(run, by=commissioner, paid_on=timezone.localdate())
    assert (paid_out(claim), owed(claim)) == (FULL_DAY + BUS, 0)


# --- A fee corrected down: nothing is taken back --------------------------------------------


def test_a_paid_claim_whose_fee_went_down_is_shown_to_commissioners_not_clawed_back(
    session, staff, commissioner
):
    claim = claim_for(session, Claim.Status.PAID, reviewer=commissioner)
    entries = LedgerEntry.objects.count()

    correct(session, by=staff, fee_basis=Opportunity.FeeBasis.PER_ACTIVITY)

    claim = fresh(claim)
    assert LedgerEntry.objects.count() == entries  # nothing owed back, nothing reversed
    assert claim.approved_fee_pence == HALF_DAY
    overpayment = FeeAdjustment.objects.get(claim=claim)
    assert (overpayment.kind, overpayment.amount_pence, overpayment.state) == (
        "overpayment",
        HALF_DAY - PER_ACTIVITY,
        "To decide",
    )
    assert "The fee paid was £50" in overpayment.what_changed
    # Not something to hear of before a commissioner decides.
    assert not Message.objects.filter(recipient=claim.claimant, kind__startswith="claim_top")
    assert claim.events.last().summary == "Paid"


def test_an_approved_claim_whose_fee_went_down_keeps_its_amount_until_a_commissioner_corrects_it(
    session, staff, commissioner, second_commissioner
):
    claim = claim_for(session, Claim.Status.APPROVED, reviewer=commissioner)

    correct(session, by=staff, fee_basis=Opportunity.FeeBasis.PER_ACTIVITY)

    assert fresh(claim).approved_fee_pence == HALF_DAY
    overpayment = FeeAdjustment.objects.get(claim=claim)
    services.correct_claim(
        fresh(claim),
        by=second_commissioner,
        fee_pence=PER_ACTIVITY,
        expenses_pence=BUS,
        reason="The session was one activity.",
    )
    overpayment.refresh_from_db()
    assert overpayment.outcome == FeeAdjustment.Outcome.CORRECTED
    assert overpayment.closed_by == second_commissioner


@pytest.mark.parametrize("status", [Claim.Status.APPROVED, Claim.Status.PAID])
def test_a_second_correction_works_the_difference_out_again(session, staff, commissioner, status):
    claim = claim_for(session, status, reviewer=commissioner)
    before = owed(fresh(claim))
    correct_and_approve(session, by=staff, commissioner=commissioner)  # full day: £40 more

    correct(session, by=staff, fee_basis=Opportunity.FeeBasis.HALF_DAY)  # it was a half day

    claim = fresh(claim)
    assert claim.approved_fee_pence == HALF_DAY
    assert owed(claim) == before
    top_up = FeeAdjustment.objects.get(claim=claim)
    assert top_up.outcome == FeeAdjustment.Outcome.CANCELLED
    told = messages("claim_top_up", claim.claimant).order_by("pk").last()
    assert "we will not pay this extra amount" in told.body_text
    assert told.subject == f"The fee for your claim {claim.reference} has changed"


def test_a_second_correction_down_replaces_the_top_up_with_an_overpayment(
    session, staff, commissioner
):
    claim = claim_for(session, Claim.Status.PAID, reviewer=commissioner)
    correct_and_approve(session, by=staff, commissioner=commissioner)

    correct(session, by=staff, fee_basis=Opportunity.FeeBasis.PER_ACTIVITY)

    assert owed(fresh(claim)) == 0
    kinds = dict(FeeAdjustment.objects.values_list("kind", "outcome"))
    assert kinds == {"top_up": "cancelled", "overpayment": ""}
    assert FeeAdjustment.objects.to_decide().get().amount_pence == HALF_DAY - PER_ACTIVITY


def test_correcting_back_to_what_was_paid_clears_an_overpayment_waiting_for_a_decision(
    session, staff, commissioner
):
    claim = claim_for(session, Claim.Status.PAID, reviewer=commissioner)
    correct(session, by=staff, fee_basis=Opportunity.FeeBasis.PER_ACTIVITY)

    correct(session, by=staff, fee_basis=Opportunity.FeeBasis.HALF_DAY)

    assert not FeeAdjustment.objects.to_decide().exists()
    assert FeeAdjustment.objects.get(claim=claim).outcome == "superseded"


def test_withdrawing_an_approval_cancels_its_top_up(
    session, staff, commissioner, second_commissioner
):
    claim = claim_for(session, Claim.Status.APPROVED, reviewer=commissioner)
    correct_and_approve(session, by=staff, commissioner=commissioner)

    services.withdraw_approval(fresh(claim), by=second_commissioner, reason="Paid elsewhere")

    assert owed(claim) == 0
    assert FeeAdjustment.objects.get(claim=claim).outcome == FeeAdjustment.Outcome.CANCELLED
    with pytest.raises(PaymentError):
        services.create_payment_run(by=commissioner)


# --- Refused claims -----------------------------------------------------------------------


def test_a_refused_claim_stays_as_refused_until_reopened_then_gets_the_new_fee(
    session, staff, commissioner, second_commissioner
):
    claim = claim_for(session, Claim.Status.REJECTED, reviewer=commissioner)

    correct(session, by=staff)

    assert fresh(claim).fee_pence == HALF_DAY
    assert not Message.objects.filter(recipient=claim.claimant, kind="claim_fee_changed")
    services.reopen_claim(fresh(claim), by=second_commissioner, reason="Looking again")
    claim = fresh(claim)
    assert (claim.status, claim.fee_pence) == (Claim.Status.RETURNED, FULL_DAY)
    assert claim.events.last().summary == "Fee worked out again"


# --- A session moved to another day ---------------------------------------------------------


def moved(session, *, days):
    """The session's start and end, `days` later (earlier if negative)."""
    shift = timedelta(days=days)
    return {"starts_at": session.starts_at + shift, "ends_at": session.ends_at + shift}


def day_of(session, *, days=0):
    return timezone.localdate(session.starts_at) + timedelta(days=days)


def test_claims_take_the_day_their_session_was_moved_to(session, staff, commissioner):
    sent = claim_for(session, Claim.Status.SUBMITTED, reviewer=commissioner)
    paid = claim_for(session, Claim.Status.PAID, reviewer=commissioner)
    ledger_before, messages_before = LedgerEntry.objects.count(), Message.objects.count()

    correct(session, by=staff, fee_basis=Opportunity.FeeBasis.HALF_DAY, **moved(session, days=-1))

    new_day = day_of(session, days=-1)
    for claim in (sent, paid):
        claim = fresh(claim)
        assert claim.activity_date == new_day
        event = claim.events.last()
        assert (event.summary, event.resident_summary) == ("Date corrected", "Date corrected")
        assert event.actor == staff
        assert f"corrected to {new_day:%A %-d %B %Y}" in event.note
        assert f"it was for {day_of(session):%A %-d %B %Y}" in event.note
    # The same fee on the new day: nothing owed changes, and nobody is sent news of a record
    # put right.
    assert fresh(sent).fee_pence == HALF_DAY
    assert LedgerEntry.objects.count() == ledger_before
    assert not FeeAdjustment.objects.exists()
    assert Message.objects.count() == messages_before


def test_a_session_moved_to_a_day_with_a_new_rate_pays_that_days_rate(session, staff, commissioner):
    # From the day after the session, a half day pays £60.
    FeeRate.objects.create(basis="half_day", amount_pence=6000, starts_on=day_of(session, days=1))
    sent = claim_for(session, Claim.Status.SUBMITTED, reviewer=commissioner)
    approved = claim_for(session, Claim.Status.APPROVED, reviewer=commissioner)
    assert fresh(sent).fee_pence == HALF_DAY

    correct(session, by=staff, fee_basis=Opportunity.FeeBasis.HALF_DAY, **moved(session, days=1))

    sent = fresh(sent)
    assert (sent.activity_date, sent.fee_pence) == (day_of(session, days=1), 6000)
    assert [event.summary for event in sent.events.all()][-2:] == [
        "Date corrected",
        "Fee worked out again",
    ]
    assert (
        "Fee now: £60 for a half day"
        in messages("claim_fee_changed", sent.claimant).get().body_text
    )
    # The approved claim is for the new day too; the £10 more waits for a commissioner.
    assert fresh(approved).activity_date == day_of(session, days=1)
    top_up = FeeAdjustment.objects.to_approve().get()
    assert (top_up.claim_id, top_up.amount_pence) == (approved.pk, 1000)


def test_a_session_cannot_move_to_a_day_the_policy_has_no_rate_for(session, staff, commissioner):
    FeeRate.objects.filter(basis="half_day").update(starts_on=day_of(session))
    claim = claim_for(session, Claim.Status.SUBMITTED, reviewer=commissioner)
    starts_at = session.starts_at

    with pytest.raises(ParticipationError, match="no half day fee rate"):
        correct(
            session, by=staff, fee_basis=Opportunity.FeeBasis.HALF_DAY, **moved(session, days=-1)
        )

    session.refresh_from_db()
    assert session.starts_at == starts_at
    claim = fresh(claim)
    assert (claim.activity_date, claim.fee_pence) == (day_of(session), HALF_DAY)
    assert not claim.events.filter(note__contains="date was corrected").exists()


def test_the_plan_says_which_day_the_claims_will_be_for(session, staff, commissioner):
    FeeRate.objects.create(basis="half_day", amount_pence=6000, starts_on=day_of(session, days=1))
    claim_for(session, Claim.Status.SUBMITTED, reviewer=commissioner)

    plan = participation.fee_correction_plan(session, by=staff, **moved(session, days=1))

    assert plan.day == day_of(session, days=1)
    assert len(plan.moved) == 1
    assert [change.fee_after_pence for change in plan.recalculated] == [6000]
    assert fresh(plan.moved[0]).activity_date == day_of(session)  # nothing saved yet


# --- What stops a correction ----------------------------------------------------------------


def test_a_fee_the_policy_had_no_rate_for_on_the_day_is_refused_and_nothing_changes(
    session, staff, commissioner
):
    claim = claim_for(session, Claim.Status.SUBMITTED, reviewer=commissioner)
    FeeRate.objects.filter(basis="full_day").delete()

    with pytest.raises(ParticipationError, match="no full day fee rate") as refused:
        correct(session, by=staff)

    assert refused.value.field == "fee_basis"
    session.refresh_from_db()
    assert session.fee_basis == Opportunity.FeeBasis.HALF_DAY
    assert fresh(claim).fee_pence == HALF_DAY


def test_nobody_raises_their_own_approved_fee_by_correcting_the_session(
    session, staff, commissioner
):
    claim_for(session, Claim.Status.PAID, reviewer=commissioner, person=staff)

    with pytest.raises(ParticipationError, match="you cannot correct its fee"):
        correct(session, by=staff)

    assert not FeeAdjustment.objects.exists()


def test_staff_may_lower_a_fee_their_own_claim_is_paid_on(session, staff, commissioner):
    claim_for(session, Claim.Status.PAID, reviewer=commissioner, person=staff)

    correct(session, by=staff, fee_basis=Opportunity.FeeBasis.PER_ACTIVITY)

    assert FeeAdjustment.objects.to_decide().count() == 1


def test_the_plan_counts_claims_and_people_and_says_what_will_happen(session, staff, commissioner):
    claim_for(session, Claim.Status.DRAFT, reviewer=commissioner)
    claim_for(session, Claim.Status.SUBMITTED, reviewer=commissioner)
    claim_for(session, Claim.Status.PAID, reviewer=commissioner)
    claim_for(session, Claim.Status.APPROVED, reviewer=commissioner)
    claim_for(session, Claim.Status.REJECTED, reviewer=commissioner)
    session.fee_basis = Opportunity.FeeBasis.FULL_DAY  # in memory only, as the form has it

    plan = services.plan_fee_correction(session, by=staff)

    assert len(plan.recalculated) == 2
    assert len(plan.top_ups) == 2
    assert plan.top_up_total_pence == 8000
    assert len(plan.refused) == 1
    assert plan.people == 4
    assert plan.told == 2  # those not yet approved: a top-up is told once it is approved
    assert plan.problem == ""
    assert not FeeAdjustment.objects.exists()  # nothing saved
    assert Opportunity.objects.get(pk=session.pk).fee_basis == "half_day"


# --- Commissioners decide about overpayments -------------------------------------------------


@pytest.fixture
def overpaid(session, staff, commissioner):
    claim = claim_for(session, Claim.Status.PAID, reviewer=commissioner)
    correct(session, by=staff, fee_basis=Opportunity.FeeBasis.PER_ACTIVITY)
    return FeeAdjustment.objects.get(claim=claim)


def test_a_commissioner_decides_to_leave_an_overpayment_and_says_why(overpaid, second_commissioner):
    services.decide_overpayment(
        overpaid, by=second_commissioner, outcome="left", reason="Our mistake; under £50."
    )

    overpaid.refresh_from_db()
    assert (overpaid.outcome, overpaid.closed_by, overpaid.reason) == (
        "left",
        second_commissioner,
        "Our mistake; under £50.",
    )
    assert overpaid.state == "Left as it is"


def test_deciding_twice_is_refused(overpaid, commissioner, second_commissioner):
    services.decide_overpayment(overpaid, by=commissioner, outcome="recover", reason="Ask")

    with pytest.raises(PaymentError, match="dealt with already"):
        services.decide_overpayment(overpaid, by=second_commissioner, outcome="left", reason="No")


def test_a_decision_needs_a_reason_and_an_allowed_outcome(overpaid, commissioner):
    with pytest.raises(PaymentError, match="reason"):
        services.decide_overpayment(overpaid, by=commissioner, outcome="left", reason=" ")
    with pytest.raises(PaymentError, match="Choose what to do"):
        services.decide_overpayment(overpaid, by=commissioner, outcome="corrected", reason="x")


def test_an_approved_amount_not_yet_paid_is_left_or_corrected_never_asked_back(
    session, staff, commissioner
):
    claim = claim_for(session, Claim.Status.APPROVED, reviewer=commissioner)
    correct(session, by=staff, fee_basis=Opportunity.FeeBasis.PER_ACTIVITY)
    overpayment = FeeAdjustment.objects.get(claim=claim)

    assert services.decision_choices(overpayment) == [("left", "Left as it is")]
    with pytest.raises(PaymentError, match="Choose what to do"):
        services.decide_overpayment(overpayment, by=commissioner, outcome="recover", reason="x")


def test_who_may_not_approve_a_claim_may_not_decide_its_overpayment(
    overpaid, staff, second_commissioner
):
    ConflictOfInterest.objects.create(
        commissioner=second_commissioner, person=overpaid.claim.claimant, reason="Neighbour"
    )

    with pytest.raises(PaymentError, match="conflict of interest"):
        services.decide_overpayment(overpaid, by=second_commissioner, outcome="left", reason="x")
    with pytest.raises(PaymentError, match="Only commissioners"):
        services.decide_overpayment(overpaid, by=staff, outcome="left", reason="x")


# --- The audit trail ------------------------------------------------------------------------


def test_the_audit_trail_keeps_who_corrected_what(session, staff, commissioner):
    from auditlog.models import LogEntry

    claim = claim_for(session, Claim.Status.SUBMITTED, reviewer=commissioner)
    paid = claim_for(session, Claim.Status.PAID, reviewer=commissioner)

    correct(session, by=staff)
    approver = UserFactory(roles=["commissioner"])
    approve_top_ups(by=approver)
    run = services.create_payment_run(by=commissioner)

    line = claim.lines.get(kind=ClaimLine.Kind.FEE)
    line_entry = LogEntry.objects.get_for_object(line).filter(action=LogEntry.Action.UPDATE).get()
    assert line_entry.changes["amount_pence"] == [5000, 9000]
    session_entry = LogEntry.objects.get_for_object(session).latest("pk")
    assert session_entry.changes["fee_basis"] == ["half_day", "full_day"]
    top_up = FeeAdjustment.objects.get(claim=paid)
    entries = LogEntry.objects.get_for_object(top_up).order_by("pk")
    assert [entry.action for entry in entries] == [LogEntry.Action.CREATE] + [
        LogEntry.Action.UPDATE
    ] * 2
    assert entries[1].changes["approved_by"][1] == approver.pk
    assert entries[2].changes["payment_run"][1] == run.pk
    assert entries[2].actor == commissioner
    # The person's history names who approved the extra, not who corrected the session.
    assert fresh(paid).events.filter(actor=approver, note__startswith="The session's fee").exists()


def test_nothing_is_owed_twice_across_runs(session, staff, commissioner):
    claims = [
        claim_for(session, status, reviewer=commissioner)
        for status in (Claim.Status.PAID, Claim.Status.APPROVED)
    ]
    correct_and_approve(session, by=staff, commissioner=commissioner)

    for _ in range(2):
        try:
            run = services.create_payment_run(by=commissioner)
        except PaymentError:
            break
        services.confirm_payment_run(run, by=commissioner, paid_on=timezone.localdate())

    assert PaymentRun.objects.count() == 2  # the first paid claim's, then one with both
    for claim in claims:
        assert (paid_out(claim), owed(claim)) == (FULL_DAY + BUS, 0)
    assert PaymentRunItem.objects.filter(top_up_only=True).count() == 1
    assert ClaimEvent.objects.filter(note__startswith="Paid in").count() == 3


def test_a_top_up_still_to_pay_counts_among_the_fees_paid_together(session, staff, commissioner):
    """The weekly fee check (payments.benefits): a top-up reaches the person with the next run,
    like any fee waiting to be paid, so it counts towards what could affect their benefits."""
    from payments.benefits import fees_waiting_pence

    claim = claim_for(session, Claim.Status.PAID, reviewer=commissioner)
    assert fees_waiting_pence(claim.claimant_id) == 0

    correct(session, by=staff)

    # Waiting for approval, like a fee sent: it counts, once, before and after approval.
    assert fees_waiting_pence(claim.claimant_id) == FULL_DAY - HALF_DAY
    approve_top_ups(by=commissioner)
    assert fees_waiting_pence(claim.claimant_id) == FULL_DAY - HALF_DAY
    run = services.create_payment_run(by=commissioner)
    services.confirm_payment_run(run, by=commissioner, paid_on=timezone.localdate())
    assert fees_waiting_pence(claim.claimant_id) == 0


# --- Commissioners approve or refuse top-ups --------------------------------------------------


@pytest.fixture
def to_approve(session, staff, commissioner):
    claim = claim_for(session, Claim.Status.PAID, reviewer=commissioner)
    correct(session, by=staff)
    return FeeAdjustment.objects.get(claim=claim)


def test_approving_a_top_up_twice_corrects_the_ledger_and_pays_it_once(
    to_approve, commissioner, second_commissioner
):
    claim = to_approve.claim

    services.approve_top_up(to_approve, by=second_commissioner)
    with pytest.raises(PaymentError, match="dealt with already"):
        services.approve_top_up(FeeAdjustment.objects.get(pk=to_approve.pk), by=commissioner)

    assert LedgerEntry.objects.filter(claim=claim, kind="correction").count() == 2  # fee, bus
    assert owed(claim) == 4000
    assert messages("claim_top_up", claim.claimant).count() == 1
    run = services.create_payment_run(by=commissioner)
    assert run.items.get().total_pence == 4000
    services.confirm_payment_run(run, by=commissioner, paid_on=timezone.localdate())
    assert (paid_out(claim), owed(claim)) == (FULL_DAY + BUS, 0)
    with pytest.raises(PaymentError, match="no approved claims or top-ups"):
        services.create_payment_run(by=commissioner)


def test_the_person_hears_of_a_top_up_only_once_it_is_approved(to_approve, second_commissioner):
    claim = to_approve.claim
    assert not messages("claim_top_up", claim.claimant).exists()

    services.approve_top_up(to_approve, by=second_commissioner)

    message = messages("claim_top_up", claim.claimant).get()
    assert message.subject == f"We owe you more for your claim {claim.reference}"
    assert "We paid you a fee of £50 for your claim" in message.body_text
    assert "The fee for it is now £90 for a full day." in message.body_text
    assert "So we owe you £40 more." in message.body_text


def test_a_refused_top_up_is_never_owed_and_the_person_never_hears_of_it(
    to_approve, commissioner, second_commissioner
):
    claim = to_approve.claim
    entries = LedgerEntry.objects.count()
    events = claim.events.count()

    services.refuse_top_up(
        to_approve, by=second_commissioner, reason="It was a half day: the register says so."
    )

    to_approve.refresh_from_db()
    assert (to_approve.outcome, to_approve.closed_by, to_approve.state) == (
        "refused",
        second_commissioner,
        "Refused",
    )
    assert to_approve.reason == "It was a half day: the register says so."
    assert LedgerEntry.objects.count() == entries
    assert (fresh(claim).approved_fee_pence, owed(claim)) == (HALF_DAY, 0)
    assert claim.events.count() == events
    assert not Message.objects.filter(recipient=claim.claimant, kind__startswith="claim_top")
    with pytest.raises(PaymentError, match="no approved claims or top-ups"):
        services.create_payment_run(by=commissioner)
    with pytest.raises(PaymentError, match="dealt with already"):
        services.approve_top_up(to_approve, by=commissioner)


def test_refusing_a_top_up_needs_a_reason(to_approve, second_commissioner):
    with pytest.raises(PaymentError, match="Enter why you are refusing") as refused:
        services.refuse_top_up(to_approve, by=second_commissioner, reason="  ")

    assert refused.value.field == "reason"
    assert FeeAdjustment.objects.get(pk=to_approve.pk).can_be_approved


def test_who_may_not_approve_a_claim_may_not_approve_or_refuse_its_top_up(
    session, staff, commissioner, second_commissioner
):
    own = claim_for(session, Claim.Status.PAID, reviewer=second_commissioner, person=commissioner)
    conflicted = claim_for(session, Claim.Status.PAID, reviewer=commissioner)
    ConflictOfInterest.objects.create(
        commissioner=second_commissioner, person=conflicted.claimant, reason="Neighbour"
    )
    correct(session, by=staff)
    own_top_up = FeeAdjustment.objects.get(claim=own)
    conflicted_top_up = FeeAdjustment.objects.get(claim=conflicted)

    with pytest.raises(PaymentError, match="your own claim"):
        services.approve_top_up(own_top_up, by=commissioner)
    with pytest.raises(PaymentError, match="your own claim"):
        services.refuse_top_up(own_top_up, by=commissioner, reason="x")
    with pytest.raises(PaymentError, match="conflict of interest"):
        services.approve_top_up(conflicted_top_up, by=second_commissioner)
    with pytest.raises(PaymentError, match="Only commissioners"):
        services.approve_top_up(conflicted_top_up, by=staff)

    assert FeeAdjustment.objects.to_approve().count() == 2
    assert owed(own) == owed(conflicted) == 0
    services.approve_top_up(own_top_up, by=second_commissioner)  # someone else may
    assert owed(own) == 4000


def test_whoever_made_the_claim_for_the_person_may_not_approve_its_top_up(
    session, staff, commissioner, second_commissioner
):
    claim = claim_for(session, Claim.Status.PAID, reviewer=commissioner)
    Claim.objects.filter(pk=claim.pk).update(started_by=second_commissioner)
    correct(session, by=staff)

    with pytest.raises(PaymentError, match="You made this claim"):
        services.approve_top_up(FeeAdjustment.objects.get(), by=second_commissioner)


def test_whoever_corrected_the_fee_may_not_approve_the_top_up_but_another_may(
    session, commissioner, second_commissioner
):
    claim = claim_for(session, Claim.Status.PAID, reviewer=commissioner)
    correct(session, by=second_commissioner)  # a commissioner who runs the session
    top_up = FeeAdjustment.objects.get()

    with pytest.raises(PaymentError, match="another commissioner must approve"):
        services.approve_top_up(top_up, by=second_commissioner)
    assert FeeAdjustment.objects.get().approved_at is None

    services.approve_top_up(top_up, by=commissioner)
    assert FeeAdjustment.objects.get(claim=claim).approved_by == commissioner


def test_a_later_correction_replaces_a_top_up_waiting_for_approval(
    session, staff, commissioner, second_commissioner
):
    claim = claim_for(session, Claim.Status.APPROVED, reviewer=commissioner)
    entries = LedgerEntry.objects.count()
    correct(session, by=staff)  # full day: £40 more, to approve
    first = FeeAdjustment.objects.get()

    correct(  # paid by the hour after all, and it ran 3 hours: £60, so £10 more
        session, by=staff, fee_basis="per_hour", ends_at=session.starts_at + timedelta(hours=3)
    )

    first.refresh_from_db()
    assert first.outcome == FeeAdjustment.Outcome.CANCELLED
    second = FeeAdjustment.objects.to_approve().get()
    assert (second.fee_before_pence, second.fee_after_pence, second.amount_pence) == (
        HALF_DAY,
        6000,
        1000,
    )
    assert LedgerEntry.objects.count() == entries  # nothing was owed, nothing is reversed
    assert not Message.objects.filter(recipient=claim.claimant, kind__startswith="claim_top")
    with pytest.raises(PaymentError, match="dealt with already"):
        services.approve_top_up(first, by=second_commissioner)

    services.approve_top_up(second, by=second_commissioner)

    assert (fresh(claim).approved_fee_pence, owed(claim)) == (6000, 6000 + BUS)


def test_correcting_back_while_a_top_up_waits_for_approval_cancels_it_and_tells_nobody(
    session, staff, commissioner
):
    claim = claim_for(session, Claim.Status.PAID, reviewer=commissioner)
    correct(session, by=staff)

    correct(session, by=staff, fee_basis=Opportunity.FeeBasis.HALF_DAY)

    assert FeeAdjustment.objects.get().outcome == FeeAdjustment.Outcome.CANCELLED
    assert not FeeAdjustment.objects.to_approve().exists()
    assert owed(claim) == 0
    assert not Message.objects.filter(recipient=claim.claimant, kind__startswith="claim_top")


def test_the_same_correction_again_leaves_the_top_up_waiting_for_approval(
    session, staff, commissioner
):
    claim_for(session, Claim.Status.PAID, reviewer=commissioner)
    correct(session, by=staff)

    plan = services.plan_fee_correction(Opportunity.objects.get(pk=session.pk), by=staff)

    assert plan.changes == []


def test_a_higher_fee_keeps_an_approved_top_up_and_asks_approval_for_the_rest(
    session, staff, commissioner, second_commissioner
):
    claim = claim_for(session, Claim.Status.PAID, reviewer=commissioner)
    correct_and_approve(session, by=staff, commissioner=second_commissioner)  # £90: £40 more

    correct(  # paid by the hour, and it ran 6 hours: £120
        session, by=staff, fee_basis="per_hour", ends_at=session.starts_at + timedelta(hours=6)
    )

    approved = FeeAdjustment.objects.approved().get()
    assert approved.is_waiting  # a commissioner approved it: it stands
    rest = FeeAdjustment.objects.to_approve().get()
    assert (rest.fee_before_pence, rest.amount_pence) == (FULL_DAY, 3000)
    assert owed(claim) == 4000  # the rest is not owed until approved
    assert messages("claim_top_up", claim.claimant).count() == 1  # the £40

    services.approve_top_up(rest, by=second_commissioner)

    assert owed(claim) == 7000
    told = messages("claim_top_up", claim.claimant).order_by("pk").last().body_text
    assert "We approved a fee of £90 for your claim" in told  # £50 of it paid so far
    assert "So we owe you £30 more." in told
    run = services.create_payment_run(by=commissioner)
    assert (run.items.get().total_pence, run.items.get().top_up_pence) == (7000, 7000)


def test_a_lower_fee_cancels_an_approved_top_up_and_asks_approval_for_what_is_left(
    session, staff, commissioner, second_commissioner
):
    claim = claim_for(session, Claim.Status.APPROVED, reviewer=commissioner)
    correct_and_approve(session, by=staff, commissioner=second_commissioner)  # £90: £40 more

    correct(  # paid by the hour after all, 3 hours: £60, still £10 over the half day
        session, by=staff, fee_basis="per_hour", ends_at=session.starts_at + timedelta(hours=3)
    )

    claim = fresh(claim)
    assert (claim.approved_fee_pence, owed(claim)) == (HALF_DAY, HALF_DAY + BUS)
    kinds = sorted(FeeAdjustment.objects.values_list("outcome", "amount_pence"))
    assert kinds == [("", 1000), ("cancelled", 4000)]
    told = messages("claim_top_up", claim.claimant).order_by("pk").last()
    assert "we will not pay this extra amount" in told.body_text
    assert "We told you we would pay you £40 more" in told.body_text
