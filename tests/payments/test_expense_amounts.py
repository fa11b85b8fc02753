"""Amounts on the expense form: nothing typed is dropped without a word, and amounts too small
get one message whatever was typed."""

from decimal import Decimal

import pytest
from django.urls import reverse

from payments import services
from payments.models import Claim, ClaimLine
from payments.services import PaymentError

pytestmark = pytest.mark.django_db


@pytest.fixture
def claim(attended, resident):
    return services.start_claim(attended, by=resident)


def _add(client, claim, **data):
    return client.post(reverse("payments:expense_add", args=[claim.pk]), data)


def test_mileage_with_a_different_amount_typed_is_explained_not_dropped(client, resident, claim):
    client.force_login(resident)

    response = _add(client, claim, category="mileage", miles="12", amount="20")

    html = response.content.decode()
    assert response.status_code == 200 and "govuk-error-summary" in html
    assert (
        "For mileage we work out the amount from the miles: 12 miles at 45p a mile is £5.40. "
        "Leave the amount empty, or check the miles" in html
    )
    assert 'value="20"' in html and 'value="12"' in html  # what was typed is kept
    assert not ClaimLine.objects.filter(kind="expense").exists()


@pytest.mark.parametrize("amount", ["", "5.40"])
def test_mileage_is_saved_when_the_amount_is_left_empty_or_matches_the_miles(
    client, resident, claim, amount
):
    client.force_login(resident)

    response = _add(client, claim, category="mileage", miles="12", amount=amount)

    assert response.status_code == 302
    assert ClaimLine.objects.get(kind="expense").amount_pence == 540


def test_the_service_refuses_mileage_whose_amount_does_not_match_the_miles(claim, resident):
    with pytest.raises(PaymentError, match="1 mile at 45p a mile is £0.45"):
        services.save_expense(
            claim,
            by=resident,
            category="mileage",
            description="",
            amount_pence=2000,
            miles=Decimal("1"),
        )
    assert not ClaimLine.objects.filter(kind="expense").exists()


@pytest.mark.parametrize("typed", ["-5", "£-5", "0", "0.00"])
def test_a_fee_rate_of_nothing_or_less_gets_the_same_message(client, commissioner, typed):
    client.force_login(commissioner)

    response = client.post(
        reverse("payments:add_fee_rate"),
        {"basis": "per_hour", "amount": typed, "starts_on_0": "1", "starts_on_1": "1"},
    )

    assert "Enter an amount more than £0" in response.content.decode()


def test_amounts_that_may_be_nothing_still_refuse_less_than_nothing(
    client, make_claim, resident, commissioner
):
    """A correction may pay £0 of the fee: "more than £0" would be wrong there."""
    claim = make_claim(resident, status=Claim.Status.APPROVED, reviewer=commissioner)
    client.force_login(commissioner)
    url = reverse("payments:correct", args=[claim.pk])

    bad = client.post(url, {"fee": "-1", "expenses": "4.20", "reason": "Receipt"})
    assert "The amount cannot be less than £0" in bad.content.decode()
    assert "Enter an amount more than £0" not in bad.content.decode()
    client.post(url, {"fee": "0", "expenses": "4.60", "reason": "No fee for this one"})
    claim.refresh_from_db()
    assert claim.approved_total_pence == 460
