"""Money asked back after a session's fee was corrected down: a commissioner records part of
it, with the error state on the way, stops asking for the rest, and the person reads where it
stands on their claim. Every page passes axe and fits a 320px screen."""

import pytest
from django.utils import timezone

from participation import services as participation
from payments import services
from payments.models import FeeAdjustment
from tests.factories import UserFactory

from .test_fee_corrections import _session_with_claims

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_commissioner_records_money_back_then_stops_asking(page, axe, fits_320, sign_in):
    staff = UserFactory(roles=["staff"])
    commissioner = UserFactory(roles=["commissioner"])
    session, claims = _session_with_claims(staff, commissioner)
    participation.update_opportunity(session, by=staff, fee_basis="per_activity")
    overpayment = FeeAdjustment.objects.to_decide().get()
    services.decide_overpayment(overpayment, by=commissioner, outcome="recover", reason="Agreed")
    claim = overpayment.claim
    sign_in(commissioner)

    page.goto("/payments/money-asked-back/")
    axe(page)
    fits_320()
    page.set_viewport_size({"width": 1280, "height": 800})
    assert "£25 still to come back" in page.locator("main").inner_text()
    page.get_by_role("link", name=f"Record money received on {claim.reference}").click()

    page.get_by_label("Amount received").fill("40")
    today = timezone.localdate()
    page.get_by_label("Day").fill(str(today.day))
    page.get_by_label("Month").fill(str(today.month))
    page.get_by_label("Year").fill(str(today.year))
    page.get_by_role("button", name="Record money received").click()
    page.locator(".govuk-error-summary").wait_for()
    axe(page)
    fits_320()
    assert (
        "more than the £25 still to pay back" in page.locator(".govuk-error-summary").inner_text()
    )
    assert page.get_by_label("Amount received").input_value() == "40"

    page.get_by_label("Amount received").fill("10")
    page.get_by_role("button", name="Record money received").click()
    page.locator(".govuk-notification-banner").wait_for()
    axe(page)
    fits_320()
    assert "£10 paid back, £15 still to come" in page.locator("main").inner_text()

    page.get_by_role("link", name="Stop asking for the money back").click()
    page.get_by_role("button", name="Stop asking for it back").click()
    page.locator(".govuk-error-summary").wait_for()
    axe(page)
    fits_320()
    page.get_by_label("Why are you no longer asking for it back?").fill("Hardship.")
    page.get_by_role("button", name="Stop asking for it back").click()
    page.locator(".govuk-notification-banner").wait_for()
    assert FeeAdjustment.objects.get(pk=overpayment.pk).stopped_asking_at is not None

    page.context.clear_cookies()
    sign_in(claim.claimant)
    page.goto(claim.get_absolute_url())
    axe(page)
    fits_320()
    text = page.locator("main").inner_text()
    assert "Money we asked you to pay back" in text
    assert "No need to pay the rest back" in text
