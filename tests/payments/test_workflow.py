import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied  # noqa: F401 - documents the 403 path
from django.urls import reverse
from django.utils import timezone

from notifications.models import Message
from participation.models import Opportunity
from payments import services
from payments.forms import ClaimDetailsForm
from payments.models import (
    Claim,
    ClaimEvent,
    ClaimLine,
    ConflictOfInterest,
    LedgerEntry,
    PaymentPolicy,
)
from payments.services import PaymentError

from .factories import OpportunityFactory, SignUpFactory

pytestmark = pytest.mark.django_db


def _fill(claim, person, **overrides):
    details = {
        "payment_method": Claim.PaymentMethod.BANK_TRANSFER,
        "employed_by_partner": False,
        "not_part_of_paid_job": False,
        **overrides,
    }
    return services.update_claim_details(claim, by=person, **details)


def test_starting_a_claim_prefills_the_fee_from_the_policy_and_the_session_length(
    attended, resident
):
    claim = services.start_claim(attended, by=resident)

    fee = claim.lines.get(kind=ClaimLine.Kind.FEE)
    assert fee.hours == 2
    assert fee.rate_pence == 2000
    assert fee.amount_pence == 4000
    assert claim.fee_pence == 4000
    assert claim.status == Claim.Status.DRAFT
    assert claim.events.get().summary == "Claim started"


def test_starting_twice_gives_the_same_claim(attended, resident):
    first = services.start_claim(attended, by=resident)
    second = services.start_claim(attended, by=resident)

    assert first.pk == second.pk
    assert Claim.objects.count() == 1


def test_a_session_not_attended_cannot_be_claimed_for(policy, resident):
    signup = SignUpFactory(resident=resident, attendance="no_show")

    with pytest.raises(PaymentError, match="attended"):
        services.start_claim(signup, by=resident)


def test_a_session_that_pays_nothing_cannot_be_claimed_for(policy, resident):
    opportunity = OpportunityFactory(fee_basis="none", pays_expenses=False)
    signup = SignUpFactory(resident=resident, opportunity=opportunity)

    with pytest.raises(PaymentError, match="does not pay"):
        services.start_claim(signup, by=resident)


def test_choosing_expenses_only_removes_the_fee_and_choosing_again_restores_it(attended, resident):
    claim = services.start_claim(attended, by=resident)

    claim = _fill(claim, resident, payment_method=Claim.PaymentMethod.EXPENSES_ONLY)
    assert claim.fee_pence == 0
    assert not claim.lines.filter(kind="fee").exists()

    claim = _fill(claim, resident, payment_method=Claim.PaymentMethod.VOUCHER)
    assert claim.fee_pence == 4000


def test_expenses_only_is_offered_only_where_expenses_are_paid(attended, resident):
    claim = services.start_claim(attended, by=resident)
    offered = [
        value for value, *_ in ClaimDetailsForm(claim=claim).fields["payment_method"].choices
    ]
    Opportunity.objects.filter(pk=claim.opportunity_id).update(pays_expenses=False)
    claim.opportunity.refresh_from_db()
    fee_only = [
        value for value, *_ in ClaimDetailsForm(claim=claim).fields["payment_method"].choices
    ]

    # Declining the fee where there are no expenses would leave a claim with nothing in it.
    assert Claim.PaymentMethod.EXPENSES_ONLY in offered
    assert Claim.PaymentMethod.EXPENSES_ONLY not in fee_only


def test_people_employed_by_a_partner_must_confirm_it_was_not_their_paid_job(attended, resident):
    claim = services.start_claim(attended, by=resident)

    with pytest.raises(PaymentError, match="not part of your paid job"):
        _fill(claim, resident, employed_by_partner=True, not_part_of_paid_job=False)

    claim = _fill(claim, resident, employed_by_partner=True, not_part_of_paid_job=True)
    assert claim.not_part_of_paid_job


def test_a_claim_cannot_be_sent_without_acknowledging_the_benefits_warning(attended, resident):
    claim = _fill(services.start_claim(attended, by=resident), resident)

    with pytest.raises(PaymentError, match="benefits and tax"):
        services.submit_claim(claim, by=resident, benefits_acknowledged=False)
    claim.refresh_from_db()
    assert claim.status == Claim.Status.DRAFT


def test_a_claim_needs_a_payment_choice_and_the_employment_answer_before_sending(
    attended, resident
):
    claim = services.start_claim(attended, by=resident)

    problems = [message for message, _ in services.submission_problems(claim)]
    assert "Choose how you want to be paid" in problems
    with pytest.raises(PaymentError, match="Choose how you want to be paid"):
        services.submit_claim(claim, by=resident, benefits_acknowledged=True)


def test_an_expense_needing_a_receipt_blocks_sending_until_one_is_added(attended, resident):
    claim = _fill(services.start_claim(attended, by=resident), resident)
    services.save_expense(
        claim, by=resident, category="meals", description="Lunch", amount_pence=600, miles=None
    )

    with pytest.raises(PaymentError, match="Add a receipt for meals"):
        services.submit_claim(claim, by=resident, benefits_acknowledged=True)


def test_mileage_is_worked_out_from_the_miles_at_the_policy_rate(attended, resident):
    claim = services.start_claim(attended, by=resident)
    from decimal import Decimal

    line = services.save_expense(
        claim,
        by=resident,
        category="mileage",
        description="",
        amount_pence=None,
        miles=Decimal("12.5"),
    )

    assert line.rate_pence == 45
    assert line.amount_pence == 563  # 12.5 x 45p = 562.5p, rounded half up
    claim.refresh_from_db()
    assert claim.expenses_pence == 563


def test_expenses_over_the_cap_are_refused_including_what_was_already_claimed(attended, resident):
    claim = services.start_claim(attended, by=resident)
    services.save_expense(
        claim, by=resident, category="parking", description="", amount_pence=700, miles=None
    )

    with pytest.raises(PaymentError, match="up to £3 more"):
        services.save_expense(
            claim, by=resident, category="parking", description="", amount_pence=400, miles=None
        )
    claim.refresh_from_db()
    assert claim.expenses_pence == 700


def test_a_taxi_needs_the_name_of_who_agreed_it(attended, resident):
    claim = services.start_claim(attended, by=resident)

    with pytest.raises(PaymentError, match="agreed the taxi"):
        services.save_expense(
            claim, by=resident, category="taxi", description="", amount_pence=1200, miles=None
        )


def test_a_commissioner_is_asked_to_check_who_agreed_a_taxi_before_approving(
    client, attended, resident, commissioner
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .conftest import PNG_BYTES
    from .factories import claim_in_state

    claim = claim_in_state(resident, status=Claim.Status.DRAFT, signup=attended, bus=0)
    receipt = services.store_receipt(
        SimpleUploadedFile("taxi.png", PNG_BYTES),
        owner=resident,
        by=resident,
        content_type="image/png",
    )
    services.save_expense(
        claim,
        by=resident,
        category="taxi",
        description="",
        amount_pence=1200,
        miles=None,
        agreed_with="Jo Bloggs",
        receipt=receipt,
    )
    claim = services.submit_claim(claim, by=resident, benefits_acknowledged=True)
    client.force_login(commissioner)

    page = client.get(claim.get_absolute_url()).text

    assert "says Jo Bloggs agreed this before they travelled" in page
    assert "Check with Jo Bloggs before you approve it." in page


def test_the_full_journey_records_every_change_with_who_and_when(
    make_claim, resident, commissioner
):
    claim = make_claim(resident, status=Claim.Status.RETURNED, reviewer=commissioner)
    assert claim.reason == "Add a receipt"

    services.save_expense(
        claim,
        by=resident,
        category="parking",
        description="Car park",
        amount_pence=250,
        miles=None,
    )
    claim = services.submit_claim(claim, by=resident, benefits_acknowledged=True)
    claim = services.approve_claim(claim, by=commissioner)

    events = list(claim.events.order_by("pk"))
    assert [(e.from_status, e.to_status) for e in events] == [
        ("", "draft"),
        ("draft", "submitted"),
        ("submitted", "returned"),
        ("returned", "submitted"),
        ("submitted", "approved"),
    ]
    assert events[2].actor == commissioner
    assert events[2].note == "Add a receipt"
    assert events[3].summary == "Sent again after changes"
    assert all(e.created_at for e in events)


def test_returned_claims_can_be_changed_but_sent_ones_cannot(make_claim, resident, commissioner):
    claim = make_claim(resident, status=Claim.Status.SUBMITTED)

    with pytest.raises(PaymentError, match="cannot be changed"):
        services.save_expense(
            claim, by=resident, category="parking", description="", amount_pence=100, miles=None
        )


def test_nobody_approves_their_own_claim_not_even_a_superuser(make_claim, admin_user):
    claim = make_claim(admin_user, status=Claim.Status.SUBMITTED)

    with pytest.raises(PaymentError, match="your own claim"):
        services.approve_claim(claim, by=admin_user)
    claim.refresh_from_db()
    assert claim.status == Claim.Status.SUBMITTED
    assert not LedgerEntry.objects.exists()


def test_a_commissioner_cannot_review_the_claim_of_someone_they_declared_a_conflict_with(
    make_claim, resident, commissioner
):
    claim = make_claim(resident)
    services.declare_conflict(commissioner=commissioner, person=resident, reason="My sister")

    for action in (
        lambda: services.approve_claim(claim, by=commissioner),
        lambda: services.return_claim(claim, by=commissioner, reason="x"),
        lambda: services.reject_claim(claim, by=commissioner, reason="x"),
    ):
        with pytest.raises(PaymentError, match="conflict of interest"):
            action()

    conflict = ConflictOfInterest.objects.get()
    services.withdraw_conflict(conflict, by=commissioner)
    services.approve_claim(claim, by=commissioner)


def test_only_commissioners_review(make_claim, resident, staff, other_resident):
    claim = make_claim(resident)

    for person in (staff, other_resident):
        with pytest.raises(PaymentError, match="Only commissioners"):
            services.approve_claim(claim, by=person)


def test_approving_twice_gives_one_approval_and_one_set_of_ledger_entries(
    make_claim, resident, commissioner, django_user_model
):
    from tests.factories import UserFactory

    claim = make_claim(resident)
    other_commissioner = UserFactory(roles=["commissioner"])
    services.approve_claim(claim, by=commissioner)

    with pytest.raises(PaymentError, match="approved"):
        services.approve_claim(claim, by=other_commissioner)
    assert LedgerEntry.objects.count() == 2  # fee and expenses, once
    assert claim.events.filter(to_status="approved").count() == 1


def test_return_and_reject_need_a_reason(make_claim, resident, commissioner):
    claim = make_claim(resident)

    with pytest.raises(PaymentError, match="reason"):
        services.return_claim(claim, by=commissioner, reason="  ")
    with pytest.raises(PaymentError, match="reason"):
        services.reject_claim(claim, by=commissioner, reason="")


def test_staff_can_claim_for_a_resident_who_asked_and_it_is_recorded(policy, resident, staff):
    opportunity = OpportunityFactory(created_by=staff, project=None)  # a session they run
    signup = SignUpFactory(resident=resident, opportunity=opportunity)

    with pytest.raises(PaymentError, match="how the person asked"):
        services.start_claim(signup, by=staff)
    claim = services.start_claim(signup, by=staff, on_behalf_note="Rang me on Monday")
    claim = _fill(claim, staff)
    claim = services.submit_claim(claim, by=staff, benefits_acknowledged=True)

    assert claim.claimant == resident
    assert claim.made_on_behalf
    assert claim.submitted_by == staff
    started, sent = claim.events.order_by("pk")
    assert started.on_behalf and sent.on_behalf
    assert "Rang me on Monday" in started.note
    assert sent.note == f"Sent for them by {staff}"


def test_the_staff_member_who_made_a_claim_cannot_review_it(policy, resident):
    from tests.factories import UserFactory

    helper = UserFactory(roles=["commissioner"])
    signup = SignUpFactory(resident=resident)
    claim = _fill(services.start_claim(signup, by=helper, on_behalf_note="Asked by phone"), helper)
    claim = services.submit_claim(claim, by=helper, benefits_acknowledged=True)

    with pytest.raises(PaymentError, match="made this claim for the person"):
        services.approve_claim(claim, by=helper)


def test_each_status_change_queues_a_message_to_the_person(make_claim, resident, commissioner):
    claim = make_claim(resident, status=Claim.Status.RETURNED, reviewer=commissioner)
    claim = services.submit_claim(claim, by=resident, benefits_acknowledged=True)
    claim = services.approve_claim(claim, by=commissioner)

    kinds = list(
        Message.objects.filter(recipient=resident).order_by("pk").values_list("kind", flat=True)
    )
    assert kinds == ["claim_submitted", "claim_returned", "claim_submitted", "claim_approved"]
    returned = Message.objects.get(kind="claim_returned")
    assert "Add a receipt" in returned.body_text
    assert claim.reference in returned.subject


def test_paid_and_rejected_messages_say_where_to_get_help(make_claim, resident, commissioner):
    policy = PaymentPolicy.current()
    policy.advice_name, policy.advice_phone = "Anytown Advice", "01632 960 777"
    policy.save()
    voucher = make_claim(resident, status=Claim.Status.APPROVED, reviewer=commissioner)
    Claim.objects.filter(pk=voucher.pk).update(payment_method=Claim.PaymentMethod.VOUCHER)
    rejected = make_claim(resident, status=Claim.Status.SUBMITTED)

    run = services.create_payment_run(by=commissioner)
    services.confirm_payment_run(run, by=commissioner, paid_on=timezone.localdate())
    services.reject_claim(rejected, by=commissioner, reason="This session paid no fee.")

    paid = Message.objects.get(kind="claim_paid").body_text
    refused = Message.objects.get(kind="claim_rejected").body_text
    assert "in vouchers" in paid and "reach your account" not in paid
    assert "Anytown Advice" in paid and "01632 960 777" in paid
    assert settings.SUPPORT_EMAIL in refused and settings.SUPPORT_PHONE in refused


def test_deleting_a_draft_removes_it_and_its_history(attended, resident):
    claim = services.start_claim(attended, by=resident)

    services.delete_draft(claim, by=resident)

    assert not Claim.objects.exists()
    assert not ClaimEvent.objects.exists()


def test_deleting_a_draft_in_two_tabs_at_once_is_not_an_error(
    client, attended, resident, monkeypatch
):
    claim = services.start_claim(attended, by=resident)
    delete = services.delete_draft

    def other_tab_first(claim, *, by):
        delete(claim, by=by)  # the other tab's request got there a moment earlier
        delete(claim, by=by)

    monkeypatch.setattr(services, "delete_draft", other_tab_first)
    client.force_login(resident)

    response = client.post(reverse("payments:delete", args=[claim.pk]), follow=True)

    assert response.status_code == 200
    assert "Claim deleted." in response.content.decode()
    assert not Claim.objects.exists()


@pytest.mark.parametrize("corrected_to", ["no_show", "apologies"])
def test_a_claim_cannot_be_sent_once_the_register_says_the_person_did_not_attend(
    make_claim, resident, corrected_to
):
    claim = make_claim(resident, status=Claim.Status.DRAFT)
    claim.signup.attendance = corrected_to
    claim.signup.save(update_fields=["attendance"])

    with pytest.raises(PaymentError, match="register no longer shows you attended"):
        services.submit_claim(claim, by=resident, benefits_acknowledged=True)
    claim.refresh_from_db()
    assert claim.status == Claim.Status.DRAFT


@pytest.mark.parametrize("corrected_to", ["no_show", "apologies"])
def test_a_sent_claim_cannot_be_approved_once_the_register_says_the_person_did_not_attend(
    make_claim, resident, commissioner, corrected_to
):
    claim = make_claim(resident)
    claim.signup.attendance = corrected_to
    claim.signup.save(update_fields=["attendance"])

    with pytest.raises(PaymentError, match="register no longer shows this person attended"):
        services.approve_claim(claim, by=commissioner)
    claim.refresh_from_db()
    assert claim.status == Claim.Status.SUBMITTED
    assert not LedgerEntry.objects.exists()
