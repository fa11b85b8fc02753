"""Staff correct a half-day session that was a full day, after people claimed: they check what
it does to the claims before saving. A commissioner then approves the top-up before any run
pays it, and decides about a fee corrected down. Every page, and its error state, passes axe
and fits a 320px screen."""

import pytest

from participation.models import Opportunity, Venue
from payments.models import Claim, FeeAdjustment
from tests.factories import UserFactory
from tests.payments.factories import (
    OpportunityFactory,
    ProjectFactory,
    SignUpFactory,
    claim_in_state,
    make_policy,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _session_with_claims(staff, commissioner):
    make_policy()
    session = OpportunityFactory(
        fee_basis=Opportunity.FeeBasis.HALF_DAY,
        venue=Venue.objects.create(name="Town hall", address="1 High Street"),
        project=ProjectFactory(owner=staff),
        capacity=10,
    )
    claims = {}
    for status in (Claim.Status.SUBMITTED, Claim.Status.PAID):
        person = UserFactory(roles=["resident"])
        signup = SignUpFactory(resident=person, opportunity=session)
        claims[status] = claim_in_state(person, status=status, reviewer=commissioner, signup=signup)
    return session, claims


def test_staff_check_what_a_corrected_fee_does_to_claims_then_save(page, axe, fits_320, sign_in):
    staff = UserFactory(roles=["staff"])
    commissioner = UserFactory(roles=["commissioner"])
    session, claims = _session_with_claims(staff, commissioner)
    sign_in(staff)

    page.goto(f"/opportunities/{session.pk}/edit/")
    page.get_by_label("Fee", exact=True).select_option("full_day")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_role("heading", name="Check what the new fee does to claims").wait_for()
    axe(page)
    fits_320()
    text = page.locator("main").inner_text()
    assert "2 claims for this session are affected, from 2 people." in text
    assert "£40 more in all, for a commissioner to approve." in text
    assert "A commissioner must approve any extra fee" in text
    assert Opportunity.objects.get(pk=session.pk).fee_basis == "half_day"

    page.get_by_role("button", name="Change the details").click()
    page.get_by_role("heading", name="Change the opportunity").wait_for()
    assert page.get_by_label("Fee", exact=True).input_value() == "full_day"
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_role("button", name="Save and update the claims").click()
    page.locator(".govuk-notification-banner").wait_for()

    assert Opportunity.objects.get(pk=session.pk).fee_basis == "full_day"
    assert Claim.objects.get(pk=claims[Claim.Status.SUBMITTED].pk).fee_pence == 9000
    assert FeeAdjustment.objects.get().amount_pence == 4000


def test_a_fee_with_no_rate_shows_the_error_next_to_the_fee(page, axe, fits_320, sign_in):
    from payments.models import FeeRate

    staff = UserFactory(roles=["staff"])
    session, _ = _session_with_claims(staff, UserFactory(roles=["commissioner"]))
    FeeRate.objects.filter(basis="full_day").delete()
    sign_in(staff)

    page.goto(f"/opportunities/{session.pk}/edit/")
    page.get_by_label("Fee", exact=True).select_option("full_day")
    page.get_by_role("button", name="Save", exact=True).click()
    page.locator(".govuk-error-summary").wait_for()
    assert "no full day fee rate" in page.locator(".govuk-error-summary").inner_text()
    axe(page)
    fits_320()


def test_a_commissioner_approves_the_top_up_before_paying_and_decides_an_overpayment(
    page, axe, fits_320, sign_in
):
    from participation import services as participation

    staff = UserFactory(roles=["staff"])
    commissioner = UserFactory(roles=["commissioner"])
    session, claims = _session_with_claims(staff, commissioner)
    participation.update_opportunity(session, by=staff, fee_basis="full_day")
    sign_in(UserFactory(roles=["commissioner"]))
    paid = claims[Claim.Status.PAID]

    page.goto("/payments/runs/")
    text = page.locator("main").inner_text()
    assert "1 top-up (£40 in all) is waiting for a commissioner to approve it." in text
    assert "top-up on claims already paid" not in text
    page.get_by_role("link", name="Approve or refuse top-ups").click()
    page.get_by_role("link", name=f"Approve or refuse the top-up on {paid.reference}").click()
    page.get_by_role("heading", name="Approve a top-up").wait_for()
    axe(page)
    fits_320()
    page.get_by_label("No, refuse it").check()
    page.get_by_label("Why are you refusing it?").wait_for()  # shown under its answer
    page.get_by_role("button", name="Save decision").click()
    page.locator(".govuk-error-summary").wait_for()
    assert page.title().startswith("Error: ")
    assert (
        "Enter why you are refusing the top-up" in page.locator(".govuk-error-summary").inner_text()
    )
    axe(page)
    fits_320()

    page.get_by_label("Yes, approve it").check()
    page.get_by_role("button", name="Save decision").click()
    page.get_by_role("heading", name="Fee corrections after approval").wait_for()
    assert FeeAdjustment.objects.get().approved_at is not None

    page.goto("/payments/runs/")
    assert "1 top-up on claims already paid" in page.locator("main").inner_text()
    page.get_by_role("link", name="Check the top-ups").click()
    page.get_by_role("heading", name="1 top-up approved, not paid yet").wait_for()
    axe(page)
    fits_320(tables=True)

    participation.update_opportunity(
        Opportunity.objects.get(pk=session.pk), by=staff, fee_basis="per_activity"
    )
    page.goto("/payments/fee-corrections/")
    page.get_by_role("link", name=f"Decide about {claims[Claim.Status.PAID].reference}").click()
    page.get_by_role("heading", name="Decide about an overpayment").wait_for()
    axe(page)
    fits_320()
    page.get_by_role("button", name="Record decision").click()
    page.locator(".govuk-error-summary").wait_for()
    assert page.title().startswith("Error: ")
    axe(page)
    fits_320()

    page.get_by_label("Left as it is").check()
    page.get_by_label("Why?").fill("A small amount, and our mistake.")
    page.get_by_role("button", name="Record decision").click()
    page.get_by_role("heading", name="Fee corrections after approval").wait_for()
    assert FeeAdjustment.objects.to_decide().count() == 0


def test_a_claim_held_until_its_overpayment_is_decided_is_paid_by_the_next_run(
    page, axe, fits_320, sign_in
):
    from participation import services as participation

    staff = UserFactory(roles=["staff"])
    commissioner = UserFactory(roles=["commissioner"])
    session, _ = _session_with_claims(staff, commissioner)
    person = UserFactory(roles=["resident"])
    signup = SignUpFactory(resident=person, opportunity=session)
    approved = claim_in_state(
        person, status=Claim.Status.APPROVED, reviewer=commissioner, signup=signup
    )
    participation.update_opportunity(session, by=staff, fee_basis="per_activity")
    sign_in(UserFactory(roles=["commissioner"]))

    page.goto("/payments/runs/")
    held = page.locator("#held-from-runs").inner_text()
    assert (
        "1 approved claim (£54.60) is held until a commissioner decides about the fee correction"
        in held
    )
    assert page.get_by_role("button", name="Make a payment run").count() == 0
    axe(page)
    fits_320()

    page.goto(f"/claims/{approved.pk}/")
    assert (
        "No payment run will pay this claim until a commissioner decides"
        in page.locator("#held-from-runs").inner_text()
    )
    axe(page)
    fits_320()
    page.get_by_role("link", name="Decide about the fee correction").click()
    page.get_by_role("heading", name="Decide about an overpayment").wait_for()
    page.get_by_label("Left as it is").check()
    page.get_by_label("Why?").fill("Our mistake; we pay what we approved.")
    page.get_by_role("button", name="Record decision").click()
    page.get_by_role("heading", name="Fee corrections after approval").wait_for()

    page.goto("/payments/runs/")
    assert page.locator("#held-from-runs").count() == 0
    page.get_by_role("button", name="Make a payment run").click()
    page.get_by_text("made with 1 claim").wait_for()
    assert Claim.objects.get(pk=approved.pk).payment_run is not None
