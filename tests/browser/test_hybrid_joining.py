"""A resident signs up to a hybrid session, says how they will join, and changes it from
their place's page: every page passes axe, errors included, and works by keyboard."""

from datetime import timedelta

import pytest
from django.utils import timezone

from participation.models import Opportunity, SignUp
from tests.factories import UserFactory
from tests.participation.factories import OpportunityFactory, VenueFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_resident_says_how_they_will_join_and_changes_it(page, axe, fits_320, sign_in):
    staff = UserFactory(roles=["staff"])
    resident = UserFactory(display_name="Rita Resident")
    opportunity = OpportunityFactory(
        title="Carers' forum",
        format=Opportunity.Format.HYBRID,
        venue=VenueFactory(name="Northfield Library"),
        online_details="Join on https://meet.example/forum",
        starts_at=timezone.now() + timedelta(days=12),
        created_by=staff,
    )
    sign_in(resident)

    page.goto(f"/opportunities/{opportunity.pk}/sign-up/")
    axe(page)
    page.get_by_label("Is there anything you need for this session? (optional)").fill("Captions")
    page.get_by_role("button", name="Confirm and sign up").click()
    # Nothing chosen: the error summary, which leads to the question.
    summary = page.locator(".govuk-error-summary")
    assert "Choose how you will join: in person or online" in summary.inner_text()
    axe(page)
    summary.get_by_role("link", name="Choose how you will join").click()
    assert page.evaluate("document.activeElement.id") == "id_joining_1"
    assert page.get_by_label("Is there anything you need").input_value() == "Captions"
    page.keyboard.press("ArrowDown")  # the radios' keys: In person, then Online
    assert page.get_by_label("Online", exact=True).is_checked()
    page.get_by_role("button", name="Confirm and sign up").click()

    place = SignUp.objects.get(resident=resident)
    assert place.joining == SignUp.Joining.ONLINE
    assert "https://meet.example/forum" in page.content()
    axe(page)
    fits_320()

    page.get_by_role("link", name="Change how you will join").click()
    assert page.get_by_label("Online", exact=True).is_checked()
    axe(page)
    fits_320()
    page.get_by_label("In person", exact=True).check()
    page.get_by_role("button", name="Save").click()

    assert "You will come in person" in page.content()
    assert "Northfield Library" in page.content()
    assert "https://meet.example/forum" not in page.content()
    axe(page)
    place.refresh_from_db()
    assert place.joining == SignUp.Joining.IN_PERSON


def test_someone_with_a_taxi_is_warned_before_joining_online_and_staff_see_no_button(
    page, axe, fits_320, sign_in
):
    from payments import services as payments
    from tests.payments.factories import make_policy

    make_policy()
    staff = UserFactory(roles=["staff"], display_name="Sam Staff")
    resident = UserFactory(display_name="Rita Resident")
    opportunity = OpportunityFactory(
        title="Carers' forum",
        format=Opportunity.Format.HYBRID,
        venue=VenueFactory(name="Northfield Library"),
        online_details="Join on https://meet.example/forum",
        starts_at=timezone.now() + timedelta(days=12),
        pays_expenses=True,
        created_by=staff,
    )
    place = SignUp.objects.create(
        opportunity=opportunity,
        resident=resident,
        status=SignUp.Status.BOOKED,
        joining=SignUp.Joining.IN_PERSON,
    )
    payments.agree_taxi(place, by=staff)
    sign_in(resident)

    page.goto(f"/sign-ups/{place.pk}/joining/")
    warning = page.locator(".govuk-warning-text")
    assert "If you join online, we will no longer pay for it." in warning.inner_text()
    axe(page)
    fits_320()
    page.get_by_label("Online", exact=True).check()
    page.get_by_role("button", name="Save").click()

    assert "We will no longer pay for the taxi we agreed" in page.content()
    assert "A taxi has been agreed" not in page.content()
    axe(page)

    page.context.clear_cookies()  # signed out
    sign_in(staff)
    page.goto(f"/opportunities/{opportunity.pk}/manage/taxis/")
    assert "Joining online, so no taxi" in page.content()
    assert page.get_by_role("button", name="Agree a taxi").count() == 0
    axe(page)
