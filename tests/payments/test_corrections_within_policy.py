"""A correction can put a mistake right, but never pay more than the payment policy would
have paid for the claim: no fee for a session that pays none, a fee no more than the rate
for the session's hours, and no expenses beyond what the person claimed within the caps."""

import pytest
from django.urls import reverse

from coprod_hub.users.roles import Role
from participation.models import Opportunity
from payments import services
from payments.models import Claim, LedgerEntry
from payments.services import PaymentError
from tests.factories import UserFactory

from .factories import OpportunityFactory, SignUpFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def second(db):
    # Raising an amount needs someone other than whoever set it: the rule under test here is
    # the policy, so the second commissioner always makes the correction.
    return UserFactory(roles=[Role.COMMISSIONER])


def _owed(claim):
    return LedgerEntry.objects.owed().filter(claim=claim).balance()


def test_a_fee_cannot_be_added_to_a_session_that_pays_none(
    client, make_claim, resident, commissioner, second
):
    no_fee = OpportunityFactory(fee_basis=Opportunity.FeeBasis.NONE)
    claim = make_claim(
        resident,
        status=Claim.Status.APPROVED,
        reviewer=commissioner,
        signup=SignUpFactory(resident=resident, opportunity=no_fee),
        bus=480,
    )
    client.force_login(second)

    response = client.post(
        reverse("payments:correct", args=[claim.pk]),
        {"fee": "9999", "expenses": "4.80", "reason": "Add a fee"},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "This session does not pay a fee, so the fee must be £0" in page
    assert 'value="9999"' in page  # what was typed is kept
    claim.refresh_from_db()
    assert (claim.approved_fee_pence, claim.approved_expenses_pence) == (0, 480)
    assert _owed(claim) == 480


def test_a_fee_cannot_be_more_than_the_rate_for_the_sessions_hours(
    make_claim, resident, commissioner, second
):
    # Two hours at £20 an hour.
    claim = make_claim(resident, status=Claim.Status.APPROVED, reviewer=commissioner)
    lowered = services.correct_claim(
        claim, by=commissioner, fee_pence=2000, expenses_pence=460, reason="Left early"
    )

    with pytest.raises(PaymentError, match="no more than £40: ") as refused:
        services.correct_claim(
            lowered, by=second, fee_pence=4001, expenses_pence=460, reason="Ran over"
        )
    assert refused.value.field == "fee"

    services.correct_claim(
        lowered, by=second, fee_pence=4000, expenses_pence=460, reason="Stayed to the end"
    )
    assert _owed(claim) == 4460


def test_expenses_cannot_be_more_than_the_person_claimed(
    client, make_claim, resident, commissioner, second
):
    claim = make_claim(resident, status=Claim.Status.APPROVED, reviewer=commissioner)
    client.force_login(second)

    response = client.post(
        reverse("payments:correct", args=[claim.pk]),
        {"fee": "40", "expenses": "100", "reason": "Taxi home"},
    )

    page = response.content.decode()
    assert "Expenses can be no more than £4.60" in page
    # Shown next to the expenses box, as well as in the summary.
    next_to_the_box = page.split('id="div_id_expenses"', 1)[1].split("</div>", 1)[0]
    assert "Expenses can be no more than £4.60" in next_to_the_box
    assert _owed(claim) == 4460


def test_the_page_says_the_most_a_correction_can_pay(client, make_claim, resident, commissioner):
    claim = make_claim(resident, status=Claim.Status.APPROVED, reviewer=commissioner)
    client.force_login(UserFactory(roles=[Role.COMMISSIONER]))

    page = client.get(reverse("payments:correct", args=[claim.pk])).content.decode()

    assert "pays at most £40 in fees and £4.60 in expenses" in page
