"""Choosing vouchers opens the question of post or email, with the address for post, under
the answer; staff claiming for someone not online are asked about that person and only for
an address. Every state passes axe and fits a 320px screen."""

import pytest

from participation import services as participation
from participation.models import Profile
from payments import services as payment_services
from payments.models import Claim
from tests.factories import UserFactory
from tests.participation.factories import OpportunityFactory as UpcomingFactory
from tests.payments.factories import OpportunityFactory, SignUpFactory, make_policy

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_resident_chooses_vouchers_by_post(page, axe, fits_320, sign_in):
    make_policy()
    resident = UserFactory(display_name="Priya Shah")
    claim = payment_services.start_claim(SignUpFactory(resident=resident), by=resident)
    sign_in(resident)
    page.goto(f"/claims/{claim.pk}/payment/")

    how = page.get_by_text("How do you want to get your vouchers?")
    assert not how.is_visible()
    page.get_by_label("Vouchers", exact=True).check()
    assert how.is_visible()
    axe(page)
    fits_320()

    page.get_by_label("By post").check()
    page.get_by_label("No", exact=True).check()
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("link", name="Enter the address to post the vouchers to").wait_for()
    assert how.is_visible()  # the reveal stays open with the mistake in view
    axe(page)

    page.get_by_label("Address to post the vouchers to").fill("1 High Street\nAnytown\nAT1 1AA")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_text("How to send the vouchers", exact=True).wait_for()
    assert Claim.objects.get(pk=claim.pk).voucher_delivery == "post"
    axe(page)


def test_staff_claiming_for_someone_not_online_are_asked_about_them(page, axe, fits_320, sign_in):
    make_policy()
    staff = UserFactory(display_name="Sam Staff", roles=["staff"])
    place = participation.add_person_and_sign_up(
        UpcomingFactory(created_by=staff, project=None),
        by=staff,
        display_name="Doris Day",
        phone="01632 960 123",
        contact_by=Profile.ContactBy.POST_OR_PHONE,
    )
    attended = SignUpFactory(
        resident=place.resident, opportunity=OpportunityFactory(created_by=staff, project=None)
    )
    claim = payment_services.start_claim(attended, by=staff, on_behalf_note="She rang me")
    sign_in(staff)
    page.goto(f"/claims/{claim.pk}/payment/")

    page.get_by_role("heading", name="Payment details for Doris Day").wait_for()
    page.get_by_label("Vouchers", exact=True).check()
    assert page.get_by_text("We do not have an email address for Doris").is_visible()
    axe(page)
    fits_320()
