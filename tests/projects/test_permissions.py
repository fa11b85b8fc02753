"""Who may see and change projects: every project view against every kind of person."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PEOPLE = [
    "visitor",
    "resident",
    "moderator",
    "staff",
    "team_member",
    "owner",
    "commissioner",
    "admin_user",
]
EDITORS = {"team_member", "owner", "commissioner", "admin_user"}
STAFF = EDITORS | {"staff"}


@pytest.fixture
def as_person(client, request):
    def sign_in(who):
        if who != "visitor":
            client.force_login(request.getfixturevalue(who))
        return client

    return sign_in


def _expected_for_staff_page(who, allowed):
    if who == "visitor":
        return 302  # sent to sign in
    if who not in STAFF:
        return 403
    return 200 if who in allowed else 403


@pytest.mark.parametrize("who", PEOPLE)
def test_anyone_can_read_the_public_pages(as_person, project, who):
    client = as_person(who)
    for url in [
        reverse("projects:list"),
        reverse("projects:detail", args=[project.slug]),
        reverse("projects:ladder"),
        reverse("projects:how_we_decide"),
        reverse("projects:updates"),
        reverse("projects:updates_feed"),
    ]:
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("who", PEOPLE)
def test_only_staff_can_see_a_draft(as_person, draft, who):
    response = as_person(who).get(reverse("projects:detail", args=[draft.slug]))
    assert response.status_code == (200 if who in STAFF else 404)


@pytest.mark.parametrize("who", PEOPLE)
def test_drafts_never_appear_in_public_lists(as_person, project, draft, who):
    response = as_person(who).get(reverse("projects:list"))
    assert project.title in response.text
    assert draft.title not in response.text


@pytest.mark.parametrize("who", PEOPLE)
def test_only_staff_can_create_projects_and_see_the_overview(as_person, who):
    client = as_person(who)
    for name in ["projects:create", "projects:manage"]:
        expected = _expected_for_staff_page(who, STAFF)
        response = client.get(reverse(name))
        assert response.status_code == expected, name
        if expected == 302:
            assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize("name", ["projects:edit", "projects:step", "projects:update_create"])
@pytest.mark.parametrize("which", ["project", "draft"])
def test_only_the_owner_team_commissioners_and_admins_can_change_a_project(
    as_person, request, who, name, which
):
    target = request.getfixturevalue(which)
    response = as_person(who).get(reverse(name, args=[target.slug]))
    assert response.status_code == _expected_for_staff_page(who, EDITORS)


@pytest.mark.parametrize("who", PEOPLE)
def test_only_editors_can_publish_or_unpublish(as_person, project, who):
    response = as_person(who).post(
        reverse("projects:publish", args=[project.slug]), {"publish": "no"}
    )
    expected = _expected_for_staff_page(who, EDITORS)
    assert response.status_code == (302 if expected == 200 else expected)
    project.refresh_from_db()
    assert project.is_published is (who not in EDITORS)


@pytest.mark.parametrize("who", ["team_member", "owner", "commissioner", "admin_user"])
def test_writes_by_people_who_may_not_edit_change_nothing(as_person, project, staff, who):
    # `staff` is on no team: every write is refused and nothing changes.
    client = as_person("staff")
    before = (project.title, project.claimed_step, project.updates.count())
    assert (
        client.post(
            reverse("projects:edit", args=[project.slug]), {"title": "Hijacked"}
        ).status_code
        == 403
    )
    assert (
        client.post(
            reverse("projects:step", args=[project.slug]), {"claimed_step": "7"}
        ).status_code
        == 403
    )
    assert (
        client.post(
            reverse("projects:update_create", args=[project.slug]), {"said": "x", "did": "y"}
        ).status_code
        == 403
    )
    project.refresh_from_db()
    assert (project.title, project.claimed_step, project.updates.count()) == before


def test_a_project_that_does_not_exist_is_404_even_for_admins(client, admin_user):
    client.force_login(admin_user)
    for name in ["projects:detail", "projects:edit", "projects:step", "projects:update_create"]:
        assert client.get(reverse(name, args=["no-such-project"])).status_code == 404


def test_the_edit_buttons_show_only_for_people_who_may_edit(client, project, staff, owner):
    client.force_login(staff)
    page = client.get(project.get_absolute_url()).text
    assert "Change details" not in page
    assert "Add an opportunity" not in page
    client.force_login(owner)
    page = client.get(project.get_absolute_url()).text
    assert "Change details" in page
    # Adding an opportunity starts with this project chosen.
    add = f"/opportunities/new/?project={project.pk}"
    assert f'href="{add}">Add an opportunity' in page
    assert f'<option value="{project.pk}" selected>' in client.get(add).text


def test_a_person_who_loses_the_staff_role_can_no_longer_edit(client, project, team_member):
    from coprod_hub.users.roles import Role
    from coprod_hub.users.services import revoke_role

    revoke_role(team_member, Role.STAFF)
    client.force_login(team_member)
    assert client.get(reverse("projects:edit", args=[project.slug])).status_code == 403


def test_opening_the_publish_url_leads_to_the_project_and_changes_nothing(client, owner, project):
    was_published = project.is_published
    client.force_login(owner)
    response = client.get(reverse("projects:publish", args=[project.slug]))
    assert response.status_code == 302
    assert response["Location"] == project.get_absolute_url()
    project.refresh_from_db()
    assert project.is_published == was_published


@pytest.mark.parametrize("name", ["projects:edit", "projects:step", "projects:update_create"])
def test_staff_refused_a_project_are_told_who_runs_it_and_led_back(client, project, staff, name):
    client.force_login(staff)
    response = client.get(reverse(name, args=[project.slug]))
    assert response.status_code == 403
    page = response.text
    assert "Only the project&#x27;s owner, its team, commissioners and admins can change" in page
    assert "Olu Owner is the owner." in page
    assert "ask them to add you to its team" in page
    assert f'<a class="govuk-link" href="{project.get_absolute_url()}">' in page


def test_people_without_the_staff_role_are_not_told_who_runs_a_project(client, project, resident):
    client.force_login(resident)
    response = client.get(reverse("projects:edit", args=[project.slug]))
    assert response.status_code == 403
    assert "Olu Owner" not in response.text


def test_the_team_sees_opportunities_not_on_the_public_pages_yet(client, project, owner, staff):
    from tests.projects.factories import make_opportunity

    make_opportunity(project, title="Planning day", status="draft")
    make_opportunity(project, title="Open workshop")
    client.force_login(owner)

    page = client.get(project.get_absolute_url()).text

    assert "Not on the public pages yet" in page
    draft_section = page.split("Not on the public pages yet")[1].split("</ul>")[0]
    assert "Planning day" in draft_section and "Open workshop" not in draft_section
    client.force_login(staff)  # staff, but not on the team
    assert "Planning day" not in client.get(project.get_absolute_url()).text
