"""Only commissioners (and admins) set or change a project's budget. Staff who run a project
see it as text; a budget they send anyway is refused by the service, with the reason."""

import pytest
from django.urls import reverse

from projects.models import Project
from projects.services import ProjectError, create_project, update_project

from .factories import ProjectFactory, ServiceAreaFactory, project_post_data
from .html import value

pytestmark = pytest.mark.django_db

REFUSAL = "Only a commissioner can set or change a project&#x27;s budget"


@pytest.fixture
def area(db):
    return ServiceAreaFactory(name="Carers", slug="carers")


@pytest.fixture
def budgeted(owner, team_member):
    return ProjectFactory(
        title="Carers short breaks review",
        slug="carers-short-breaks",
        owner=owner,
        team=[team_member],
        budget_pence=500_000,
    )


def _edit(project):
    return reverse("projects:edit", args=[project.slug])


def _post_as_sent(project, **changes):
    """The edit form as the page sends it, with `changes` on top."""
    team = [str(member.pk) for member in project.team.all()]
    return project_post_data(
        project.service_area, project.owner, slug=project.slug, team=team, **changes
    )


# --- What staff see ---------------------------------------------------------------------------


def test_staff_creating_a_project_get_no_budget_box_and_are_told_who_sets_it(client, staff):
    client.force_login(staff)
    page = client.get(reverse("projects:create")).text
    assert 'name="budget_pence"' not in page
    assert "Only a commissioner can set the project's budget" in page
    # Everything else is still there.
    assert 'name="title"' in page and 'name="contact_phone"' in page


@pytest.mark.parametrize("who", ["owner", "team_member"])
def test_staff_running_a_project_see_its_budget_as_text(client, request, budgeted, who):
    client.force_login(request.getfixturevalue(who))
    page = client.get(_edit(budgeted)).text
    assert 'name="budget_pence"' not in page
    assert "£5,000" in page
    assert "Only a commissioner can change the budget." in page


def test_a_project_without_a_budget_says_none_is_set(client, owner, budgeted):
    Project.objects.filter(pk=budgeted.pk).update(budget_pence=None)
    client.force_login(owner)
    page = client.get(_edit(budgeted)).text
    assert "No budget set" in page
    assert "Only a commissioner can set the budget." in page


# --- A budget sent anyway ---------------------------------------------------------------------


@pytest.mark.parametrize("budget", ["9,999,999", "", "lots"])
def test_a_budget_change_sent_by_staff_is_refused_and_nothing_is_saved(
    client, owner, budgeted, budget
):
    client.force_login(owner)
    data = _post_as_sent(budgeted, title="Short breaks for carers", budget_pence=budget)

    response = client.post(_edit(budgeted), data)

    assert response.status_code == 200
    assert "<title>Error: Change Carers short breaks review" in response.text
    assert REFUSAL in response.text
    # What they typed elsewhere is kept for them to send again without the budget.
    assert value(response.text, "title") == "Short breaks for carers"
    budgeted.refresh_from_db()
    assert budgeted.budget_pence == 500_000
    assert budgeted.title == "Carers short breaks review"


def test_a_team_member_sending_a_budget_is_refused_too(client, team_member, budgeted):
    client.force_login(team_member)
    data = _post_as_sent(budgeted, budget_pence="1")

    response = client.post(_edit(budgeted), data)

    assert REFUSAL in response.text
    budgeted.refresh_from_db()
    assert budgeted.budget_pence == 500_000


def test_the_budget_sent_back_unchanged_is_no_change(client, owner, budgeted):
    client.force_login(owner)
    data = _post_as_sent(budgeted, title="Short breaks", budget_pence="5000")

    response = client.post(_edit(budgeted), data)

    assert response.status_code == 302
    budgeted.refresh_from_db()
    assert (budgeted.title, budgeted.budget_pence) == ("Short breaks", 500_000)


def test_staff_editing_without_a_budget_keep_the_one_set(client, owner, budgeted):
    client.force_login(owner)
    data = _post_as_sent(budgeted, title="Short breaks")
    data.pop("budget_pence", None)

    response = client.post(_edit(budgeted), data)

    assert response.status_code == 302
    budgeted.refresh_from_db()
    assert (budgeted.title, budgeted.budget_pence) == ("Short breaks", 500_000)


def test_staff_creating_a_project_with_a_budget_sent_anyway_are_refused(client, staff, area):
    client.force_login(staff)

    data = project_post_data(area, staff, budget_pence="£12,500.50")

    response = client.post(reverse("projects:create"), data)

    assert response.status_code == 200
    assert REFUSAL in response.text
    assert value(response.text, "title") == "Carers' breaks review"
    assert not Project.objects.exists()


# --- Commissioners and admins -----------------------------------------------------------------


@pytest.mark.parametrize("who", ["commissioner", "admin_user"])
def test_commissioners_and_admins_change_the_budget(client, request, budgeted, who):
    client.force_login(request.getfixturevalue(who))
    page = client.get(_edit(budgeted)).text
    assert value(page, "budget_pence") == "5000"
    assert "Only a commissioner can" not in page

    response = client.post(_edit(budgeted), _post_as_sent(budgeted, budget_pence="7,500"))

    assert response.status_code == 302
    budgeted.refresh_from_db()
    assert budgeted.budget_pence == 750_000


def test_a_commissioner_can_take_the_budget_away(client, commissioner, budgeted):
    client.force_login(commissioner)
    client.post(_edit(budgeted), _post_as_sent(budgeted, budget_pence=""))
    budgeted.refresh_from_db()
    assert budgeted.budget_pence is None


def test_a_commissioner_creates_a_project_with_a_budget(client, commissioner, area):
    client.force_login(commissioner)
    assert 'name="budget_pence"' in client.get(reverse("projects:create")).text

    data = project_post_data(area, commissioner, budget_pence="£12,500.50")

    response = client.post(reverse("projects:create"), data)

    assert response.status_code == 302
    assert Project.objects.get().budget_pence == 1_250_050


# --- The service is where the rule lives ------------------------------------------------------


def test_the_service_refuses_staff_a_budget_change(owner, budgeted):
    with pytest.raises(ProjectError, match="Only a commissioner can set or change"):
        update_project(budgeted, by=owner, title="Short breaks", budget_pence=1)
    budgeted.refresh_from_db()
    assert (budgeted.title, budgeted.budget_pence) == ("Carers short breaks review", 500_000)


def test_the_service_refuses_staff_a_budget_on_a_new_project(staff, area):
    with pytest.raises(ProjectError, match="Only a commissioner can set or change"):
        create_project(by=staff, title="New", summary="x", service_area=area, budget_pence=1)
    assert not Project.objects.exists()


def test_the_service_lets_staff_change_everything_else(owner, budgeted):
    update_project(budgeted, by=owner, title="Short breaks", budget_pence=500_000)
    budgeted.refresh_from_db()
    assert (budgeted.title, budgeted.budget_pence) == ("Short breaks", 500_000)


def test_the_service_lets_a_commissioner_set_the_budget(commissioner, budgeted, staff, area):
    update_project(budgeted, by=commissioner, budget_pence=1)
    budgeted.refresh_from_db()
    assert budgeted.budget_pence == 1
    made = create_project(
        by=commissioner, owner=staff, title="New", summary="x", service_area=area, budget_pence=2
    )
    assert made.budget_pence == 2
