"""The weekly fee check: fees for several sessions, paid in one run, can reach a person in
the same week and affect benefits that count weekly earnings. The person is told before
sending a claim that takes their waiting fees over the policy's level; commissioners see it
on the claim. It warns and never refuses."""

import pytest
from django.urls import reverse

from payments import services
from payments.models import Claim, PaymentPolicy

pytestmark = pytest.mark.django_db

WARNING = "Your fees could reach you in the same week"


@pytest.fixture
def check_at_100(policy):
    PaymentPolicy.objects.update_or_create(pk=1, defaults={"weekly_fee_check_pence": 10_000})


def _submit_page(client, person, claim):
    client.force_login(person)
    return client.get(reverse("payments:submit", args=[claim.pk])).text


def test_a_claim_taking_waiting_fees_over_the_level_warns_before_it_is_sent(
    client, check_at_100, make_claim, resident, commissioner
):
    make_claim(resident, status=Claim.Status.PAID, reviewer=commissioner)  # paid: not waiting
    make_claim(resident, status=Claim.Status.SUBMITTED)  # £40 fee
    make_claim(resident, status=Claim.Status.APPROVED, reviewer=commissioner)  # £40 fee
    draft = make_claim(resident, status=Claim.Status.DRAFT)  # £40 fee

    page = _submit_page(client, resident, draft)

    assert WARNING in page
    assert "With this claim, you have £120 in fees waiting to be paid." in page
    assert "That is more than £100." in page
    assert reverse("payments:claim_details", args=[draft.pk]) in page
    # It warns; the claim can still be sent.
    response = client.post(
        reverse("payments:submit", args=[draft.pk]), {"acknowledged": "on"}, follow=True
    )
    assert Claim.objects.get(pk=draft.pk).status == Claim.Status.SUBMITTED
    assert response.status_code == 200


def test_fees_within_the_level_or_with_no_level_set_give_no_warning(
    client, policy, make_claim, resident
):
    make_claim(resident, status=Claim.Status.SUBMITTED)
    draft = make_claim(resident, status=Claim.Status.DRAFT)
    assert WARNING not in _submit_page(client, resident, draft)  # no level set

    PaymentPolicy.objects.update_or_create(pk=1, defaults={"weekly_fee_check_pence": 8_000})
    assert WARNING not in _submit_page(client, resident, draft)  # £80 is not more than £80

    PaymentPolicy.objects.filter(pk=1).update(weekly_fee_check_pence=7_999)
    assert WARNING in _submit_page(client, resident, draft)


def test_an_approved_claim_counts_at_its_approved_fee(
    check_at_100, make_claim, resident, commissioner
):
    from payments.benefits import fees_waiting_pence

    approved = make_claim(resident, status=Claim.Status.APPROVED, reviewer=commissioner)
    services.correct_claim(
        approved, by=commissioner, fee_pence=1_000, expenses_pence=460, reason="One hour only"
    )
    make_claim(resident, status=Claim.Status.REJECTED, reviewer=commissioner)

    assert fees_waiting_pence(resident.pk) == 1_000


def test_a_claim_for_expenses_only_gives_no_warning(client, check_at_100, make_claim, resident):
    make_claim(resident, status=Claim.Status.SUBMITTED)
    make_claim(resident, status=Claim.Status.SUBMITTED)
    draft = make_claim(resident, status=Claim.Status.DRAFT)
    services.update_claim_details(
        draft,
        by=resident,
        payment_method=Claim.PaymentMethod.EXPENSES_ONLY,
        employed_by_partner=False,
        not_part_of_paid_job=False,
    )

    assert WARNING not in _submit_page(client, resident, draft)


def test_commissioners_see_it_on_the_claim(
    client, check_at_100, make_claim, resident, commissioner
):
    make_claim(resident, status=Claim.Status.SUBMITTED)
    make_claim(resident, status=Claim.Status.SUBMITTED)
    claim = make_claim(resident, status=Claim.Status.SUBMITTED)
    client.force_login(commissioner)

    page = client.get(claim.get_absolute_url()).text

    assert (
        "Rita Resident has £120 in fees waiting to be paid, with this claim. That is more than "
        "the payment policy's weekly check level of £100" in page
    )
    PaymentPolicy.objects.filter(pk=1).update(weekly_fee_check_pence=None)
    assert "weekly check level" not in client.get(claim.get_absolute_url()).text


SETTINGS = {
    "target_days_to_pay": "28",
    "voucher_description": "Gift cards",
    "advice_name": "Advice Line",
    "advice_url": "https://advice.example/benefits",
}


def test_commissioners_set_and_clear_the_level_in_pounds(client, policy, commissioner):
    client.force_login(commissioner)
    url = reverse("payments:policy_settings")

    client.post(url, {**SETTINGS, "weekly_fee_check_pence": "£196"})
    assert PaymentPolicy.current().weekly_fee_check_pence == 19_600
    overview = client.get(reverse("payments:policy")).text
    assert "£196: we warn people whose fees waiting to be paid come to more than this" in overview

    form = client.get(url).text
    assert 'value="196.00"' in form or 'value="196"' in form

    refused = client.post(url, {**SETTINGS, "weekly_fee_check_pence": "0"})
    assert "Enter an amount more than £0" in refused.text
    assert 'value="0"' in refused.text  # what they typed is kept

    client.post(url, {**SETTINGS, "weekly_fee_check_pence": ""})
    assert PaymentPolicy.current().weekly_fee_check_pence is None
