"""Closing the loop in a real browser: staff post a "we said, we did" update; it shows on the
project page and the hub-wide feed; a participant's email carries it, and the email's
unsubscribe link works without signing in. axe on every page."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from coprod_hub.users.roles import Role
from notifications.models import Unsubscribe
from participation.models import Opportunity, SignUp
from projects.models import Project, ServiceArea
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def project_with_participant():
    owner = UserFactory(display_name="Grace Adeyemi", roles=[Role.STAFF])
    project = Project.objects.create(
        title="Day centre transport",
        slug="day-centre-transport",
        summary="Getting people to day centres reliably.",
        service_area=ServiceArea.objects.create(name="Older people", slug="older-people"),
        level="service",
        owner=owner,
        is_published=True,
        status=Project.Status.ACTIVE,
        claimed_step=5,
        evidenced_step=5,
        not_coproduction_reason="The transport contract is already let.",
    )
    started = timezone.now() - timedelta(days=14)
    session = Opportunity.objects.create(
        project=project,
        title="Transport workshop",
        description="Tell us about the buses.",
        kind=Opportunity.Kind.WORKSHOP,
        format=Opportunity.Format.IN_PERSON,
        starts_at=started,
        ends_at=started + timedelta(hours=2),
        capacity=10,
        status=Opportunity.Status.CLOSED,
        created_by=owner,
    )
    participant = UserFactory(display_name="Priya Shah", roles=[Role.RESIDENT])
    SignUp.objects.create(
        opportunity=session,
        resident=participant,
        status=SignUp.Status.BOOKED,
        attendance=SignUp.Attendance.ATTENDED,
    )
    return project, owner, participant


def test_staff_post_an_update_and_the_participant_hears_and_can_unsubscribe(
    page, axe, fits_320, sign_in, project_with_participant
):
    project, owner, participant = project_with_participant
    sign_in(owner)

    page.goto(f"/projects/{project.slug}/updates/new/")
    axe(page)
    page.get_by_role("button", name="Check your update").click()  # nothing typed yet
    assert page.locator(".govuk-error-summary").is_visible()
    axe(page)
    page.get_by_label("What people said").fill(
        "The minibus was often late, so people missed the start."
    )
    page.get_by_label("What we did").fill("We moved the start to 11am and added a second minibus.")
    page.get_by_label("What happens next (optional)").fill("We will check timings again in March.")
    page.get_by_role("button", name="Check your update").click()
    # The update and its email as people will get them, before anything is sent.
    page.get_by_role("heading", name="Check your update before posting").wait_for()
    assert page.get_by_text("1 person who took part will hear about it").is_visible()
    assert not mail.outbox
    axe(page)
    fits_320()
    page.get_by_role("button", name="Post update").click()
    page.wait_for_load_state()

    page.goto(project.get_absolute_url())
    assert page.get_by_text("added a second minibus").first.is_visible()
    axe(page)
    page.goto("/updates/")
    assert page.get_by_text("added a second minibus").first.is_visible()
    axe(page)
    fits_320()

    emails = [email for email in mail.outbox if participant.email in email.to]
    assert len(emails) == 1
    assert "added a second minibus" in emails[0].body
    link = re.search(r"http://\S+/unsubscribe/\S+/", emails[0].body).group(0)

    page.context.clear_cookies()  # the participant is not signed in
    page.goto(link.replace("http://127.0.0.1:8000", ""))
    axe(page)
    page.get_by_role("button", name="Stop these messages").click()
    page.get_by_role("heading", name="You will not get these messages again").wait_for()
    axe(page)
    assert Unsubscribe.objects.filter(user=participant, category="updates").exists()
