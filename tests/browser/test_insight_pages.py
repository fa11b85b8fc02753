"""Every insight page passes axe and fits a 320px screen: "We" ratings, comments, the
problem pages for survey links, and the page residents see instead of the dashboard."""

from datetime import timedelta

import pytest
from django.utils import timezone

from insight.models import SurveyInvitation
from insight.tokens import survey_token
from insight.we import rateable_quarters
from tests.factories import UserFactory
from tests.insight.factories import ProjectFactory, SignUpFactory, invitation_for, response_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _open_error_page(page, path, status):
    """Load a page that answers 4xx. The browser logs any 4xx document as a console error,
    which the shared fixture treats as a failure, so fetch it and show it in place."""
    response = page.request.get(path)
    assert response.status == status, path
    page.goto("/")
    page.set_content(response.text())


def test_a_project_team_rates_the_we_statements(page, axe, fits_320, sign_in, staff):
    project = ProjectFactory(owner=staff, title="Short breaks for carers")
    signup = SignUpFactory(opportunity__project=project)
    response_for(signup, rating=3, comment="Good, but [name] never rang back.")
    sign_in(staff)

    page.goto("/insight/we/")
    axe(page)
    fits_320()
    page.get_by_role("link", name="Short breaks for carers").click()
    axe(page)
    quarter = rateable_quarters(timezone.localdate())[0]
    page.get_by_role("link", name=quarter.label).click()
    page.get_by_role("heading", name="How well did the team live up to").wait_for()
    axe(page)
    fits_320()

    page.get_by_role("button", name="Save ratings").click()
    page.locator(".govuk-error-summary").wait_for()
    axe(page)
    for label in ["We work with people as equal partners", "We work in partnership"]:
        page.get_by_role("group", name=label).get_by_label("Strongly agree").check()
    for label in ["We involve people so they feel valued", "We focus on what matters to people"]:
        page.get_by_role("group", name=label).get_by_label("Agree", exact=True).check()
    for box in page.get_by_role("textbox").all():
        box.fill("Carers co-chair the group and set the agenda.")
    page.get_by_role("button", name="Save ratings").click()
    page.get_by_text("Your team’s ratings are saved").wait_for()
    axe(page)
    assert "Carers co-chair the group" in page.content()


def test_comments_and_the_page_for_non_staff(page, axe, fits_320, sign_in, staff):
    # Comments show once ten people have answered about a session, so none can be picked out.
    first = SignUpFactory()
    response_for(first, rating=4, comment="The room was cold. [phone number]")
    for _ in range(9):
        response_for(SignUpFactory(opportunity=first.opportunity), rating=4)
    _open_error_page(page, "/insight/", 403)
    page.get_by_role("link", name="sign in", exact=True).wait_for()
    axe(page)
    sign_in(UserFactory(roles=["resident"]))
    _open_error_page(page, "/insight/", 403)
    page.get_by_text("Your account does not give you access").wait_for()
    axe(page)
    page.context.clear_cookies()
    sign_in(staff)
    page.goto("/insight/comments/")
    page.get_by_text("The room was cold.").wait_for()
    axe(page)
    fits_320()
    page.goto("/insight/?start=banana")
    page.locator(".govuk-error-summary").wait_for()
    axe(page)


def test_survey_link_problems_are_explained(page, axe):
    signup = SignUpFactory()
    invitation_for(signup)
    token = survey_token(signup)
    _open_error_page(page, f"/survey/{token[:-4]}abcd/", 404)
    page.get_by_role("heading", name="This link does not work").wait_for()
    axe(page)
    SurveyInvitation.objects.filter(signup=signup).update(
        closes_at=timezone.now() - timedelta(days=1)
    )
    _open_error_page(page, f"/survey/{token}/", 410)
    page.get_by_role("heading", name="This survey has closed").wait_for()
    axe(page)
