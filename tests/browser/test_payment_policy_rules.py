"""A commissioner raises the taxi cap from the policy page: the form starts from the rule in
force, the check page shows what changes, and the saved message says the new amount. Every
page, and the error states, pass axe and fit a 320px screen."""

from datetime import timedelta

import pytest
from django.utils import timezone

from payments.models import ExpenseRule
from tests.factories import UserFactory
from tests.payments.factories import make_policy

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fill_date(page, day):
    page.get_by_label("Day").fill(str(day.day))
    page.get_by_label("Month").fill(str(day.month))
    page.get_by_label("Year").fill(str(day.year))


def test_raising_the_taxi_cap_keeps_the_rest_of_the_rule(page, axe, fits_320, sign_in):
    make_policy()
    sign_in(UserFactory(roles=["commissioner"]))
    starts = timezone.localdate() + timedelta(days=40)

    page.goto("/payments/policy/")
    page.get_by_role(
        "link", name="Change the rule for taxi (agreed with us before the journey)"
    ).click()
    page.get_by_role("heading", name="Taxi (agreed with us before the journey)").wait_for()
    axe(page)
    fits_320()
    assert page.get_by_label("Most we pay for each session (optional)").input_value() == "40"
    agreed = page.get_by_label("Must be agreed with us before the person spends the money")
    assert agreed.is_checked()

    page.get_by_label("Most we pay for each session (optional)").fill("50")
    agreed.uncheck()
    fill_date(page, starts)
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="Check the new rule before saving").wait_for()
    axe(page)
    fits_320()
    changes = page.get_by_role("table").inner_text()
    assert "£40\t£50" in changes
    assert "Must be agreed with us before the money is spent\tYes\tNo" in changes
    assert not ExpenseRule.objects.filter(starts_on=starts).exists()

    page.get_by_role("button", name="Save rule").click()
    page.get_by_role("heading", name="Payment policy").wait_for()
    assert "up to £50 a session from" in page.locator(".govuk-notification-banner").inner_text()
    rule = ExpenseRule.objects.get(starts_on=starts)
    assert (rule.cap_pence, rule.needs_prior_agreement, rule.receipt_rule) == (
        5000,
        False,
        "always",
    )


def test_the_rule_pages_and_their_errors_are_accessible(page, axe, fits_320, sign_in):
    make_policy()
    sign_in(UserFactory(roles=["commissioner"]))

    page.goto("/payments/policy/expenses/add/")
    axe(page)
    fits_320()
    page.get_by_role("button", name="Continue").click()
    page.locator(".govuk-error-summary").wait_for()
    assert page.title().startswith("Error: ")
    axe(page)
    fits_320()

    page.get_by_label("Mileage in your own vehicle").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="Mileage in your own vehicle").wait_for()
    # "Only over an amount" shows the amount under it once chosen.
    over = page.get_by_label("Receipt needed over this amount")
    assert not over.is_visible()
    page.get_by_label("Only over an amount").check()
    assert over.is_visible()

    page.get_by_label("Amount per mile").fill("5")
    fill_date(page, timezone.localdate())
    page.get_by_role("button", name="Continue").click()
    page.locator(".govuk-error-summary").wait_for()
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "£5.00 a mile is more than we would expect" in summary
    assert "The start date must be tomorrow or later" in summary
    assert "Enter the amount over which a receipt is needed" in summary
    axe(page)
    fits_320()
