"""Staff running a session land on their opportunities, see that someone on their call list must
be phoned today, and go to the call list, where that call comes first, tagged. axe at 1280px
and at 320px on both pages."""

import os
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from coprod_hub.users.roles import Role
from notifications.models import Message
from participation import services
from participation.models import Profile
from tests.factories import UserFactory
from tests.participation.factories import OpportunityFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def phoned(name):
    person = UserFactory(display_name=name)
    Profile.objects.create(
        user=person,
        contact_by=Profile.ContactBy.POST_OR_PHONE,
        phone="01632 960001",
        postal_address="Flat 12, Wordsworth-Longfellow House\n1 Extraordinarily Long Road Name",
    )
    return person


def offered_a_place(runner, person):
    session = OpportunityFactory(
        title=f"Carers' panel for {person.display_name}", capacity=1, created_by=runner
    )
    booked = services.sign_up(session, resident=UserFactory())
    services.sign_up(session, resident=person)
    services.cancel_sign_up(booked, by=booked.resident)
    return Message.objects.get(kind="place_offered", recipient=person)


def later_today():
    """A time still to come today (UK time), whatever time the test runs."""
    now = timezone.now()
    tomorrow = timezone.localtime(now).date() + timedelta(days=1)
    midnight = timezone.make_aware(datetime.combine(tomorrow, time()))
    return now + min(timedelta(hours=1), (midnight - now) / 2)


def screenshot(page, name):
    """Full-page screenshots for a person to look at: set SCREENSHOT_DIR to keep them."""
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def check_at_both_widths(page, axe, fits_320, name):
    page.set_viewport_size({"width": 1280, "height": 800})
    axe(page)
    screenshot(page, f"{name}-1280")
    page.set_viewport_size({"width": 320, "height": 800})
    axe(page)
    screenshot(page, f"{name}-320")
    fits_320()  # no sideways scrolling at 320px; leaves the page at 1280px


def test_a_call_due_today_is_flagged_on_landing_and_first_on_the_call_list(
    page, axe, fits_320, sign_in
):
    runner = UserFactory(display_name="Grace Adeyemi", roles=[Role.STAFF])
    due_today = offered_a_place(runner, phoned("Tariq Today"))
    # Its offer runs out later today (as when an offer made late is cut short before the
    # session starts).
    Message.objects.filter(pk=due_today.pk).update(deadline=later_today())
    offered_a_place(runner, phoned("Lena Later"))  # until noon on a working day to come
    sign_in(runner)

    page.goto("/opportunities/staff/")
    banner = page.locator(".govuk-notification-banner")
    assert "1 person on your call list must be phoned before" in banner.inner_text()
    assert "today." in banner.inner_text()
    check_at_both_widths(page, axe, fits_320, "staff-list-calls-due")

    banner.get_by_role("link", name="Go to your call list").click()
    page.get_by_role("heading", name="Call list", level=1).wait_for()
    headings = page.locator(".hub-card__title").all_inner_texts()
    # Tariq's offer runs out first; then Lena's, before anything with no deadline.
    assert [heading.split(":")[0] for heading in headings[:2]] == ["Tariq Today", "Lena Later"]
    first = page.locator(".hub-card").first
    assert first.locator(".govuk-tag").inner_text().strip() == "Call today"
    assert "Answer needed by:" in first.inner_text()
    assert "the place goes to the next person waiting" in first.inner_text()
    assert page.locator(".hub-card").nth(1).locator(".govuk-tag").count() == 0
    check_at_both_widths(page, axe, fits_320, "call-list-deadlines")

    first.get_by_role("button", name="Mark as done for Tariq Today").click()
    page.locator(".govuk-notification-banner--success").wait_for()
    assert page.locator(".hub-card__title").first.inner_text().startswith("Lena Later")
    assert page.get_by_text("Call today", exact=True).count() == 0
    axe(page)

    page.goto("/opportunities/staff/")
    assert "must be phoned before" not in page.locator("main").inner_text()
    assert "must be phoned by a set time in the coming days" in page.locator("main").inner_text()
