"""An admin taking the staff role from someone who still runs a session is refused, on a page
that passes axe, and follows its link to hand the session over."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from participation.models import Opportunity
from tests.factories import OpportunityFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    # Django's own password box on the admin's page reads an unset variable.
    pytest.mark.ignore_template_errors,
]


@pytest.mark.page_answers_with(404)  # the admin asks for /favicon.ico, which the hub has not
def test_the_refusal_lists_what_to_hand_over_and_links_to_it(page, axe, sign_in, admin_user, staff):
    session = OpportunityFactory(
        created_by=staff,
        title="Carers' cuppa",
        starts_at=timezone.now() + timedelta(days=10),
        status=Opportunity.Status.PUBLISHED,
    )
    sign_in(admin_user)
    page.goto(reverse("admin:users_user_change", args=[staff.pk]))

    page.get_by_label("staff", exact=True).uncheck()
    page.get_by_role("button", name="Save", exact=True).click()

    page.get_by_text("Sam Staff still runs things").wait_for()
    axe(page)
    page.get_by_role("link", name="“Carers' cuppa”").click()
    page.get_by_label("Who runs this session (only if there is no project)").wait_for()
    assert page.url.endswith(reverse("participation:edit", args=[session.pk]))
