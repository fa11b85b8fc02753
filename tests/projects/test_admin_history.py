"""A project's history outlives mistakes made in the admin: it cannot be deleted with its
step history or its updates, its published address stays, and only staff can run it."""

import pytest
from django.urls import reverse

from projects.models import Project, StepChange

from .factories import UpdateFactory
from .test_admin_and_pages import _admin_form

pytestmark = pytest.mark.django_db


def test_a_project_with_a_step_history_cannot_be_deleted_in_the_admin(client, admin_user, project):
    """Deleting it took the step history (and any updates) with it."""
    UpdateFactory(project=project)
    client.force_login(admin_user)

    page = client.post(
        reverse("admin:projects_project_delete", args=[project.pk]), {"post": "yes"}
    ).text
    client.post(
        reverse("admin:projects_project_changelist"),
        {"action": "delete_selected", "_selected_action": [project.pk], "post": "yes"},
    )

    assert "1 step change: the step history is kept" in page
    assert "1 update: people were told these" in page
    assert Project.objects.filter(pk=project.pk).exists()
    assert StepChange.objects.filter(project=project).count() == 1


def test_a_project_made_by_mistake_can_still_be_deleted(client, admin_user, draft):
    client.force_login(admin_user)

    client.post(reverse("admin:projects_project_delete", args=[draft.pk]), {"post": "yes"})

    assert not Project.objects.filter(pk=draft.pk).exists()


def test_a_published_projects_address_cannot_change_in_the_admin(client, admin_user, project):
    url = reverse("admin:projects_project_change", args=[project.pk])
    client.force_login(admin_user)
    data = _admin_form(client, url)
    assert "slug" not in data
    data.update(slug=["somewhere-else"], title=["Carers' short breaks review"])

    assert client.post(url, data).status_code == 302

    project.refresh_from_db()
    assert project.title == "Carers' short breaks review"
    assert project.slug == "carers-short-breaks"


def test_a_draft_projects_address_can_still_change_in_the_admin(client, admin_user, draft):
    url = reverse("admin:projects_project_change", args=[draft.pk])
    client.force_login(admin_user)
    data = _admin_form(client, url)
    data.update(slug=["day-services-plan"])

    assert client.post(url, data).status_code == 302

    draft.refresh_from_db()
    assert draft.slug == "day-services-plan"


def test_only_staff_can_be_given_a_project_to_run_in_the_admin(
    client, admin_user, project, resident, staff
):
    url = reverse("admin:projects_project_change", args=[project.pk])
    client.force_login(admin_user)
    data = _admin_form(client, url)

    refused = client.post(url, {**data, "owner": [str(resident.pk)]})
    client.post(url, {**data, "team": [str(resident.pk)]})
    client.post(url, {**data, "owner": [str(staff.pk)]})

    assert refused.status_code == 200  # the form again, with the error
    assert "Choose one of the options shown" in refused.text
    project.refresh_from_db()
    assert not project.team.filter(pk=resident.pk).exists()
    assert project.owner == staff
