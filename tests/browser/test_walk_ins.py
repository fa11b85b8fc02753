"""On the day: staff put people who came without a place on the register, from the
session's page, with a keyboard and a screen reader, at 320px."""

from datetime import timedelta

import pytest
from django.utils import timezone

from participation import services
from participation.models import Opportunity, SignUp
from tests.factories import UserFactory
from tests.participation.factories import OpportunityFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_add_people_who_came_to_a_full_session(page, axe, fits_320, sign_in):
    staff = UserFactory(roles=["staff"], display_name="Grace Adeyemi")
    opportunity = OpportunityFactory(
        created_by=staff, capacity=1, title="Carers' lunch", fee_basis="per_hour"
    )
    services.sign_up(opportunity, resident=UserFactory(display_name="Ann Able"))
    services.sign_up(opportunity, resident=UserFactory(display_name="Dev Dale"))  # waiting
    walk_in = UserFactory(display_name="Priya Shah")
    services.sign_up(OpportunityFactory(created_by=staff), resident=walk_in)  # known to staff
    starts = timezone.now() - timedelta(hours=1)
    Opportunity.objects.filter(pk=opportunity.pk).update(
        starts_at=starts, ends_at=starts + timedelta(hours=2)
    )
    sign_in(staff)

    page.goto(f"/opportunities/{opportunity.pk}/manage/")
    page.get_by_role("button", name="Mark as attended for Dev Dale").click()
    page.get_by_text("Dev Dale is on the register, marked as attended.").wait_for()
    axe(page)
    fits_320()  # its tables may scroll in their boxes, as on every manage page

    page.get_by_role("link", name="Add someone who came").click()
    page.get_by_role("heading", name="Add someone who came").wait_for()
    axe(page)
    fits_320()
    # Bad input first: the error summary, and what was typed is kept.
    page.get_by_label("Their email address, name or phone number").fill("P")
    page.get_by_role("button", name="Find them").click()
    page.locator(".govuk-error-summary").wait_for()
    assert page.title().startswith("Error: Add someone who came")
    assert page.get_by_label("Their email address, name or phone number").input_value() == "P"
    axe(page)

    page.get_by_label("Their email address, name or phone number").fill("Priya")
    page.get_by_role("button", name="Find them").click()
    page.get_by_role("button", name="Record that Priya Shah came").click()
    page.get_by_text("Priya Shah is on the register, marked as attended.").wait_for()
    assert page.get_by_text("Added on the day by Grace Adeyemi").count() == 2

    page.get_by_role("link", name="add someone new who came").click()
    page.get_by_role("heading", name="Add someone new who came").wait_for()
    axe(page)
    page.get_by_label("Their name").fill("Edna Offline")
    page.get_by_label("Phone number (optional)").fill("01632 960 001")
    page.get_by_role("button", name="Add them and record that they came").click()
    page.get_by_text("Edna Offline is on the register, marked as attended.").wait_for()
    axe(page)

    came = SignUp.objects.filter(opportunity=opportunity, attendance="attended")
    assert sorted(came.values_list("resident__display_name", flat=True)) == [
        "Dev Dale",
        "Edna Offline",
        "Priya Shah",
    ]
