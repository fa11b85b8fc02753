"""Vouchers come "by post or email, whichever you prefer" (the How we pay page), so the claim
asks which: email only to an address that can receive mail, post only with an address, which
is kept on the person's profile so they tell us once."""

import re

import pytest
from django.urls import reverse

from participation import services as participation
from participation.models import Profile
from payments import services
from payments.forms import ClaimDetailsForm
from payments.models import Claim
from tests.participation.factories import OpportunityFactory as UpcomingFactory

from .factories import OpportunityFactory, SignUpFactory

pytestmark = pytest.mark.django_db

ADDRESS = "1 High Street\nAnytown\nAT1 1AA"


@pytest.fixture
def claim(attended, resident):
    return services.start_claim(attended, by=resident)


@pytest.fixture
def offline_claim(policy, staff):
    """A claim staff started for someone they added with no email address, only a phone."""
    session = OpportunityFactory(created_by=staff, project=None)
    place = participation.add_person_and_sign_up(
        UpcomingFactory(created_by=staff, project=None),
        by=staff,
        display_name="Doris Day",
        phone="01632 960 123",
        contact_by=Profile.ContactBy.POST_OR_PHONE,
    )
    attended = SignUpFactory(resident=place.resident, opportunity=session)
    return services.start_claim(attended, by=staff, on_behalf_note="She rang me")


def _details(claim, **answers):
    return {
        "payment_method": "voucher",
        "employed_by_partner": "no",
        **answers,
    }


def _checked(page, name) -> list[str]:
    """The values of the radios called `name` that are chosen on the page."""
    return [
        re.search(r'value="([^"]*)"', tag).group(1)
        for tag in re.findall(r"<input[^>]*>", page)
        if f'name="{name}"' in tag and "checked" in tag
    ]


def _post(client, claim, data):
    return client.post(reverse("payments:claim_details", args=[claim.pk]), data)


class TestTheForm:
    def test_someone_with_an_email_address_chooses_post_or_email(self, claim):
        form = ClaimDetailsForm(claim=claim)

        choices = {choice[0]: choice for choice in form.fields["voucher_delivery"].choices}
        assert set(choices) == {"email", "post"}
        assert choices["email"].hint == f"To {claim.claimant.email}"
        assert form.fields["voucher_delivery"].label == "How do you want to get your vouchers?"

    def test_vouchers_need_post_or_email_chosen(self, claim):
        form = ClaimDetailsForm(_details(claim), claim=claim)

        assert not form.is_valid()
        assert form.errors["voucher_delivery"] == [
            "Choose how you want to get your vouchers: by post or email"
        ]

    def test_post_needs_an_address(self, claim):
        form = ClaimDetailsForm(_details(claim, voucher_delivery="post"), claim=claim)

        assert not form.is_valid()
        assert form.errors["postal_address"] == [
            "Enter the address to post the vouchers to, including the postcode"
        ]

    def test_someone_with_no_email_address_is_not_offered_email(self, offline_claim):
        form = ClaimDetailsForm(claim=offline_claim, for_someone_else=True)

        assert "voucher_delivery" not in form.fields
        assert form.fields["postal_address"].help_text.startswith(
            "We do not have an email address for Doris, so we post their vouchers."
        )

    def test_other_ways_to_be_paid_ask_nothing_about_vouchers(self, claim):
        form = ClaimDetailsForm(
            _details(claim, payment_method="bank_transfer", postal_address="Typed by mistake"),
            claim=claim,
        )

        assert form.is_valid(), form.errors
        assert form.cleaned_data["voucher_delivery"] == ""
        assert form.cleaned_data["postal_address"] is None


class TestSaving:
    def test_email_is_saved_on_the_claim(self, client, resident, claim):
        client.force_login(resident)

        response = _post(client, claim, _details(claim, voucher_delivery="email"))

        assert response.status_code == 302
        claim.refresh_from_db()
        assert claim.payment_method == "voucher" and claim.voucher_delivery == "email"

    def test_an_address_given_for_post_is_kept_on_the_profile(self, client, resident, claim):
        client.force_login(resident)

        _post(client, claim, _details(claim, voucher_delivery="post", postal_address=ADDRESS))

        claim.refresh_from_db()
        assert claim.voucher_delivery == "post"
        assert Profile.objects.get(user=resident).postal_address == ADDRESS

    def test_the_address_on_the_profile_is_offered_to_check(self, client, resident, claim):
        Profile.objects.create(user=resident, postal_address=ADDRESS)
        client.force_login(resident)

        page = client.get(reverse("payments:claim_details", args=[claim.pk])).text

        assert "1 High Street\nAnytown\nAT1 1AA</textarea>" in page

    def test_a_mistake_keeps_what_was_typed_and_saves_nothing(self, client, resident, claim):
        client.force_login(resident)

        response = _post(client, claim, _details(claim, voucher_delivery="post"))

        assert response.status_code == 200
        page = response.text
        assert "govuk-error-summary" in page
        assert 'href="#id_postal_address"' in page
        assert _checked(page, "voucher_delivery") == ["post"]
        claim.refresh_from_db()
        assert claim.payment_method == "" and claim.voucher_delivery == ""

    def test_someone_with_no_email_address_gets_vouchers_by_post(
        self, client, staff, offline_claim
    ):
        client.force_login(staff)

        _post(client, offline_claim, _details(offline_claim, postal_address=ADDRESS))

        offline_claim.refresh_from_db()
        assert offline_claim.voucher_delivery == "post"
        assert offline_claim.claimant.profile.postal_address == ADDRESS

    def test_staff_claiming_for_someone_with_no_email_address_are_asked_only_for_it(
        self, client, staff, offline_claim
    ):
        client.force_login(staff)

        page = client.get(reverse("payments:claim_details", args=[offline_claim.pk])).text

        assert "We do not have an email address for Doris, so we post their vouchers." in page
        assert 'name="voucher_delivery"' not in page
        assert ".invalid" not in page
        mistake = _post(client, offline_claim, _details(offline_claim)).text
        assert "Enter the address to post the vouchers to, including the postcode" in mistake
        assert Claim.objects.get(pk=offline_claim.pk).payment_method == ""

    def test_the_service_refuses_email_for_someone_with_no_email_address(
        self, staff, offline_claim
    ):
        with pytest.raises(services.PaymentError) as refused:
            services.update_claim_details(
                offline_claim,
                by=staff,
                payment_method="voucher",
                voucher_delivery="email",
                employed_by_partner=False,
                not_part_of_paid_job=False,
            )

        assert refused.value.field == "voucher_delivery"
        assert Claim.objects.get(pk=offline_claim.pk).voucher_delivery == ""

    def test_changing_to_bank_transfer_forgets_the_voucher_answer(self, resident, claim):
        Profile.objects.create(user=resident, postal_address=ADDRESS)
        answers = {"employed_by_partner": False, "not_part_of_paid_job": False}
        services.update_claim_details(
            claim, by=resident, payment_method="voucher", voucher_delivery="post", **answers
        )

        services.update_claim_details(
            claim,
            by=resident,
            payment_method="bank_transfer",
            voucher_delivery="post",
            postal_address="",
            **answers,
        )

        claim.refresh_from_db()
        assert claim.voucher_delivery == ""
        assert Profile.objects.get(user=resident).postal_address == ADDRESS

    def test_the_next_claim_offers_the_last_answer(self, client, resident, claim):
        services.update_claim_details(
            claim,
            by=resident,
            payment_method="voucher",
            voucher_delivery="email",
            employed_by_partner=False,
            not_part_of_paid_job=False,
        )
        later = services.start_claim(SignUpFactory(resident=resident), by=resident)
        client.force_login(resident)

        page = client.get(reverse("payments:claim_details", args=[later.pk])).text

        assert _checked(page, "voucher_delivery") == ["email"]
        later.refresh_from_db()
        assert later.voucher_delivery == ""  # offered to check, not saved


class TestSending:
    def _vouchers(self, claim, person, delivery=""):
        services.update_claim_details(
            claim,
            by=person,
            payment_method="voucher",
            voucher_delivery=delivery,
            employed_by_partner=False,
            not_part_of_paid_job=False,
        )
        services.save_expense(
            claim,
            by=person,
            category="public_transport",
            description="",
            amount_pence=300,
            miles=None,
        )
        return Claim.objects.get(pk=claim.pk)

    def test_a_voucher_claim_cannot_be_sent_until_post_or_email_is_chosen(
        self, client, resident, claim
    ):
        claim = self._vouchers(claim, resident)
        client.force_login(resident)

        page = client.get(reverse("payments:claim", args=[claim.pk])).text

        assert "Choose how you want to get your vouchers: by post or email" in page
        with pytest.raises(services.PaymentError, match="get your vouchers"):
            services.submit_claim(claim, by=resident, benefits_acknowledged=True)

    def test_post_chosen_and_the_address_since_removed_stops_it_being_sent(self, resident, claim):
        Profile.objects.create(user=resident, postal_address=ADDRESS)
        claim = self._vouchers(claim, resident, delivery="post")
        Profile.objects.filter(user=resident).update(postal_address="")

        with pytest.raises(services.PaymentError, match="address to post the vouchers"):
            services.submit_claim(claim, by=resident, benefits_acknowledged=True)

    def test_the_claim_page_says_how_the_vouchers_are_sent(self, client, resident, claim):
        claim = self._vouchers(claim, resident, delivery="email")
        client.force_login(resident)

        page = client.get(reverse("payments:claim", args=[claim.pk])).text

        assert "How to send the vouchers" in page and "By email" in page
        sent = services.submit_claim(claim, by=resident, benefits_acknowledged=True)
        assert sent.status == Claim.Status.SUBMITTED
