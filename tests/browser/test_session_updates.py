"""Browser check for "we said, we did" updates about a session standing alone: the member of
staff who made it posts one from its manage page (the form, a mistake, the check page), and
the session's page, the hub-wide list and the correction page show it. axe on every page, and
320px."""

from datetime import timedelta

import pytest
from django.utils import timezone

from coprod_hub.users.roles import Role
from participation.models import Opportunity, SignUp
from projects.models import Update
from tests.factories import OpportunityFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_post_an_update_about_a_session_standing_alone(
    page, axe, fits_320, sign_in, live_server
):
    maker = UserFactory(display_name="Sam Staff", roles=[Role.STAFF])
    starts = timezone.now() - timedelta(days=3)
    session = OpportunityFactory(
        project=None,
        title="Day centre listening session",
        format=Opportunity.Format.IN_PERSON,
        starts_at=starts,
        status=Opportunity.Status.CLOSED,
        created_by=maker,
    )
    SignUp.objects.create(
        opportunity=session, resident=UserFactory(), status="booked", attendance="attended"
    )
    sign_in(maker)

    page.goto(f"/opportunities/{session.pk}/manage/")
    page.get_by_role("link", name="Post a \u201cwe said, we did\u201d update").click()
    page.wait_for_load_state()
    axe(page)
    fits_320()

    page.get_by_label("What people said").fill("The room was too noisy.")
    page.get_by_role("button", name="Check your update").click()
    page.wait_for_load_state()
    assert page.locator(".govuk-error-summary").is_visible()
    assert page.get_by_label("What people said").input_value() == "The room was too noisy."
    axe(page)

    page.get_by_label("What we did").fill("We booked the quiet room.")
    page.get_by_role("button", name="Check your update").click()
    page.wait_for_load_state()
    assert "1 person who attended will hear about it" in page.content()
    axe(page)
    fits_320()

    page.get_by_role("button", name="Post update").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/opportunities/{session.pk}/")
    assert "We booked the quiet room." in page.content()
    axe(page)
    fits_320()

    update = Update.objects.get()
    for url in ("/updates/", f"/updates/{update.pk}/correct/"):
        page.goto(url)
        assert "Day centre listening session" in page.content()
        axe(page)
        fits_320()
