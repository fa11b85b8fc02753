"""A closed project takes no new sessions: none is added to it, moved into it or opened for
sign-up on it, and staff are told why. Its past sessions can still be put right."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from participation import services
from participation.models import Opportunity
from projects.models import Project
from tests.factories import date_boxes

from .factories import OpportunityFactory, ProjectFactory
from .test_copy_opportunity import _monthly_session, _next_month, _posted
from .test_staff_pages import form_data, url

pytestmark = pytest.mark.django_db

CLOSED_WORDS = "\u201cShort breaks review\u201d is closed, so it cannot have new sessions."


@pytest.fixture
def closed_project(staff):
    return ProjectFactory(owner=staff, title="Short breaks review", status=Project.Status.CLOSED)


@pytest.fixture
def open_project(staff):
    return ProjectFactory(owner=staff, title="Day services plan", status=Project.Status.ACTIVE)


def test_a_session_on_a_closed_project_is_not_published(client, staff, closed_project):
    draft = OpportunityFactory(
        project=closed_project,
        created_by=staff,
        status=Opportunity.Status.DRAFT,
        published_at=None,
    )
    client.force_login(staff)

    response = client.post(url("publish", draft), follow=True)

    assert (
        "\u201cShort breaks review\u201d is closed, so its sessions cannot open for sign-up. If "
        "the project is running again, change its status in its details first."
    ) in response.text
    draft.refresh_from_db()
    assert draft.status == Opportunity.Status.DRAFT
    assert draft.published_at is None


def test_the_same_session_is_published_once_the_project_is_open_again(staff, closed_project):
    draft = OpportunityFactory(
        project=closed_project, created_by=staff, status=Opportunity.Status.DRAFT
    )
    Project.objects.filter(pk=closed_project.pk).update(status=Project.Status.ACTIVE)

    services.publish_opportunity(draft, by=staff)

    draft.refresh_from_db()
    assert draft.status == Opportunity.Status.PUBLISHED


def test_a_closed_project_is_not_offered_for_a_new_session(
    client, staff, closed_project, open_project
):
    client.force_login(staff)

    page = client.get(reverse("participation:create")).text
    from_its_page = client.get(reverse("participation:create"), {"project": closed_project.pk}).text

    assert "Day services plan" in page
    assert "Short breaks review" not in page
    assert "Short breaks review" not in from_its_page


def test_a_new_session_sent_for_a_closed_project_is_refused(client, staff, closed_project):
    client.force_login(staff)

    response = client.post(
        reverse("participation:create"), form_data(project=str(closed_project.pk))
    )

    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert not Opportunity.objects.exists()


def test_the_service_refuses_a_new_session_on_a_closed_project(staff, closed_project):
    start = timezone.now() + timedelta(days=7)

    with pytest.raises(services.ParticipationError) as refused:
        services.create_opportunity(
            by=staff,
            project=closed_project,
            title="One more workshop",
            description="Come along.",
            kind=Opportunity.Kind.WORKSHOP,
            format=Opportunity.Format.ONLINE,
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            capacity=10,
        )

    assert str(refused.value).startswith(CLOSED_WORDS)
    assert refused.value.field == "project"
    assert not Opportunity.objects.exists()


def test_copying_a_session_of_a_closed_project_says_why_it_cannot_go_there(
    client, staff, closed_project
):
    original = _monthly_session(staff, project=closed_project, level="", step=None)
    client.force_login(staff)

    form = client.get(url("copy", original)).text
    data = _posted(form) | date_boxes("date", _next_month())
    response = client.post(url("copy", original), data)

    # The project stays chosen, rather than the copy quietly standing alone.
    assert f'<option value="{closed_project.pk}" selected>' in form
    assert response.status_code == 200
    assert CLOSED_WORDS in response.text
    assert Opportunity.objects.count() == 1


def test_a_session_is_not_moved_into_a_closed_project(staff, closed_project, open_project):
    session = OpportunityFactory(project=open_project, created_by=staff)

    with pytest.raises(services.ParticipationError, match="is closed"):
        services.update_opportunity(session, by=staff, project=closed_project)

    session.refresh_from_db()
    assert session.project == open_project


def test_a_closed_projects_own_sessions_can_still_be_put_right(staff, closed_project):
    held = OpportunityFactory(
        project=closed_project,
        created_by=staff,
        title="Workshp",
        starts_at=timezone.now() - timedelta(days=20),
    )

    services.update_opportunity(held, by=staff, title="Workshop")

    held.refresh_from_db()
    assert held.title == "Workshop"


def test_its_sessions_can_still_be_changed_on_the_form(client, staff, closed_project):
    # At 10am: the form takes one day, so a session started late in the evening would end
    # "before" it started and be refused whatever time of day the test runs.
    morning = timezone.localtime(timezone.now() - timedelta(days=20)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    held = OpportunityFactory(
        project=closed_project,
        created_by=staff,
        starts_at=morning,
        status=Opportunity.Status.CLOSED,
    )
    client.force_login(staff)

    data = _posted(client.get(url("edit", held)).text)
    data["title"] = "Carers' panel: what we heard"
    response = client.post(url("edit", held), data)

    assert response.status_code == 302, response.text
    held.refresh_from_db()
    assert held.title == "Carers' panel: what we heard"
