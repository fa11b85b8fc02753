"""Making a project for someone else, and handing one over: nobody is sent on to a page they
are refused, and nobody who can change every project is stopped."""

import pytest
from django.urls import reverse

from coprod_hub.users.roles import Role
from coprod_hub.users.services import revoke_role
from projects import services
from projects.models import Project
from projects.services import ProjectError, update_project

from .factories import ServiceAreaFactory, project_post_data

pytestmark = pytest.mark.django_db

LOCKED_OUT = (
    "Add yourself to the team, or you will not be able to record the step or change this project"
)


@pytest.fixture
def area(db):
    return ServiceAreaFactory(name="Carers", slug="carers")


def test_staff_who_make_a_project_for_someone_else_are_asked_to_join_its_team(
    client, staff, other_staff, area
):
    client.force_login(staff)
    response = client.post(reverse("projects:create"), project_post_data(area, other_staff))

    assert response.status_code == 200
    assert "<title>Error: Create a project" in response.text
    assert f'<a href="#id_team_1">{LOCKED_OUT}</a>' in response.text
    assert not Project.objects.exists()


def test_staff_who_join_the_team_go_on_to_record_the_step(client, staff, other_staff, area):
    client.force_login(staff)
    data = project_post_data(area, other_staff, team=[str(staff.pk)])

    response = client.post(reverse("projects:create"), data, follow=True)

    assert response.status_code == 200
    assert "Record the step of participation" in response.text
    project = Project.objects.get()
    assert (project.owner, list(project.team.all())) == (other_staff, [staff])


@pytest.mark.parametrize("who", ["commissioner", "admin_user"])
def test_commissioners_and_admins_make_projects_for_others_without_joining(
    client, request, other_staff, area, who
):
    client.force_login(request.getfixturevalue(who))

    response = client.post(
        reverse("projects:create"), project_post_data(area, other_staff), follow=True
    )

    assert response.status_code == 200
    assert "Record the step of participation" in response.text
    assert Project.objects.get().owner == other_staff


def test_an_owner_who_hands_the_project_over_is_told_and_sent_to_its_page(
    client, owner, other_staff, project
):
    client.force_login(owner)
    data = project_post_data(project.service_area, other_staff, slug=project.slug)

    response = client.post(reverse("projects:edit", args=[project.slug]), data, follow=True)

    assert response.status_code == 200
    assert response.redirect_chain == [(project.get_absolute_url(), 302)]
    assert (
        "Project details saved. You handed the project over to Stella Staff, so you can no "
        "longer change it." in response.text
    )
    assert "Change details" not in response.text
    project.refresh_from_db()
    assert (project.owner, list(project.team.all())) == (other_staff, [])


def test_a_team_member_who_leaves_the_team_is_told_they_can_no_longer_change_it(
    client, owner, team_member, project
):
    client.force_login(team_member)
    data = project_post_data(project.service_area, owner, team=[])

    response = client.post(reverse("projects:edit", args=[project.slug]), data, follow=True)

    assert response.status_code == 200
    assert "You handed the project over to Olu Owner" in response.text


def test_an_owner_who_keeps_the_project_just_sees_it_saved(client, owner, other_staff, project):
    client.force_login(owner)
    data = project_post_data(project.service_area, owner, team=[str(other_staff.pk)])

    response = client.post(reverse("projects:edit", args=[project.slug]), data, follow=True)

    assert "Project details saved" in response.text
    assert "handed the project over" not in response.text
    assert "Change details" in response.text


def test_a_commissioner_who_gives_a_project_to_someone_else_can_still_change_it(
    client, commissioner, other_staff, project
):
    client.force_login(commissioner)
    data = project_post_data(project.service_area, other_staff)

    response = client.post(reverse("projects:edit", args=[project.slug]), data, follow=True)

    assert "handed the project over" not in response.text
    assert "Change details" in response.text


# Who runs a project: the owner, commissioners and admins decide. A team member may leave.


def test_a_team_member_sees_the_owner_but_cannot_hand_the_project_over(
    client, owner, team_member, other_staff, project
):
    client.force_login(team_member)
    page = client.get(reverse("projects:edit", args=[project.slug]))
    assert "Only the owner or a commissioner can hand the project over." in page.text
    assert (
        "You can take yourself off the team. Only the owner, Olu Owner, or a commissioner can "
        "add or remove anyone else." in page.text
    )

    # The owner box is disabled, so whatever is sent for it is ignored; the rest is saved.
    data = project_post_data(
        project.service_area,
        team_member,
        slug=project.slug,
        title="Short breaks for carers",
        team=[str(team_member.pk)],
    )
    response = client.post(reverse("projects:edit", args=[project.slug]), data, follow=True)

    assert "Project details saved" in response.text
    project.refresh_from_db()
    assert (project.title, project.owner) == ("Short breaks for carers", owner)


@pytest.mark.parametrize("change", ["add a colleague", "take someone else off"])
def test_a_team_member_cannot_change_who_else_is_on_the_team(
    client, owner, team_member, other_staff, project, change
):
    if change == "take someone else off":
        project.team.add(other_staff)
        team = [str(team_member.pk)]
    else:
        team = [str(team_member.pk), str(other_staff.pk)]
    client.force_login(team_member)
    data = project_post_data(
        project.service_area, owner, slug=project.slug, title="Short breaks for carers", team=team
    )

    response = client.post(reverse("projects:edit", args=[project.slug]), data)

    assert response.status_code == 200
    assert "<title>Error: Change Carers short breaks review" in response.text
    assert (
        "Only the owner, Olu Owner, or a commissioner can change who runs the project. You can "
        "take yourself off the team" in response.text
    )
    # What they typed is still in the form, and nothing was saved.
    assert 'value="Short breaks for carers"' in response.text
    project.refresh_from_db()
    assert project.title == "Carers short breaks review"
    expected = {team_member, other_staff} if change == "take someone else off" else {team_member}
    assert set(project.team.all()) == expected


@pytest.mark.parametrize("who", ["owner", "commissioner"])
def test_the_owner_and_commissioners_change_the_team(
    client, request, owner, team_member, other_staff, project, who
):
    client.force_login(request.getfixturevalue(who))
    data = project_post_data(
        project.service_area, owner, slug=project.slug, team=[str(other_staff.pk)]
    )

    response = client.post(reverse("projects:edit", args=[project.slug]), data, follow=True)

    assert "Project details saved" in response.text
    assert list(project.team.all()) == [other_staff]


def test_the_service_refuses_a_team_member_who_hands_the_project_to_someone_else(
    owner, team_member, other_staff, project
):
    with pytest.raises(ProjectError, match="Only the owner, Olu Owner, or a commissioner"):
        update_project(project, by=team_member, owner=other_staff, team=[team_member])
    with pytest.raises(ProjectError):
        update_project(project, by=team_member, team=[team_member, other_staff])

    update_project(project, by=team_member, team=[])  # leaving is theirs to do

    project.refresh_from_db()
    assert (project.owner, list(project.team.all())) == (owner, [])


def test_a_new_owner_whose_staff_role_goes_as_the_form_is_sent_is_refused_on_the_page(
    client, monkeypatch, owner, other_staff, project
):
    """The form's list of staff was read before the save: an administrator may take the role
    away in between. The save checks again under lock (handing_over), and the page says why,
    keeping what was typed."""
    check = services.lock_and_check_staff

    def role_taken_meanwhile(person):
        revoke_role(person, Role.STAFF)
        return check(person)

    monkeypatch.setattr(services, "lock_and_check_staff", role_taken_meanwhile)
    client.force_login(owner)
    data = project_post_data(
        project.service_area, other_staff, slug=project.slug, title="Carers' breaks, again"
    )

    response = client.post(reverse("projects:edit", args=[project.slug]), data)

    assert response.status_code == 200
    assert "<title>Error: " in response.text
    assert (
        '<a href="#id_owner">Stella Staff cannot own a project, as they are not a member of '
        "staff. Choose a member of staff as the owner</a>"
    ) in response.text
    assert 'value="Carers&#x27; breaks, again"' in response.text
    project.refresh_from_db()
    assert (project.title, project.owner) == ("Carers short breaks review", owner)
