"""Creating and changing projects: every field, generated slugs, and bad input."""

import pytest
from django.urls import reverse

from coprod_hub.users.roles import Role
from projects.models import Project
from projects.services import record_step, set_published, update_project
from tests.factories import UserFactory

from .factories import ProjectFactory, ServiceAreaFactory, evidence, project_post_data
from .html import checked, value

pytestmark = pytest.mark.django_db


@pytest.fixture
def carers(db):
    return ServiceAreaFactory(name="Carers", slug="carers")


def staff_post_data(area, owner, **changes):
    """What the form posts for staff: every field but the budget, which only a commissioner
    sets (tests/projects/test_who_sets_the_budget.py)."""
    data = project_post_data(area, owner, **changes)
    data.pop("budget_pence", None)
    return data


def test_staff_create_a_project_with_every_field(client, staff, other_staff, carers):
    client.force_login(staff)
    response = client.post(
        reverse("projects:create"), staff_post_data(carers, staff, team=[str(other_staff.pk)])
    )

    project = Project.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("projects:step", args=["carers-breaks-review"])
    assert project.slug == "carers-breaks-review"
    assert project.owner == staff
    assert list(project.team.all()) == [other_staff]
    assert project.activity_types == ["co_design", "co_evaluation"]
    assert project.principles == ["equality", "reciprocity"]
    assert str(project.start_date) == "2026-04-01"
    assert str(project.end_date) == "2027-03-31"
    assert project.budget_pence is None  # a commissioner sets it
    assert project.wtfc_stage == "collect"
    assert project.contact_phone == "01632 960 001"
    # New projects are hidden until they have a step and someone publishes them.
    assert project.is_published is False
    assert project.claimed_step is None


def test_the_owner_defaults_to_the_person_creating(client, staff):
    client.force_login(staff)
    page = client.get(reverse("projects:create")).text
    assert f'<option value="{staff.pk}" selected>' in page


def test_slugs_are_made_unique_from_the_title(client, staff, carers):
    ProjectFactory(title="Day services", slug="day-services")
    client.force_login(staff)
    client.post(reverse("projects:create"), staff_post_data(carers, staff, title="Day services"))
    client.post(reverse("projects:create"), staff_post_data(carers, staff, title="Day Services!"))
    assert set(Project.objects.values_list("slug", flat=True)) == {
        "day-services",
        "day-services-2",
        "day-services-3",
    }


def test_a_title_that_matches_a_page_never_takes_its_address(client, staff, carers):
    client.force_login(staff)
    client.post(reverse("projects:create"), staff_post_data(carers, staff, title="Manage"))
    assert Project.objects.get().slug == "manage-2"


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("taken", "Another project already uses that web address"),
        ("new", "That web address is used by another page"),
        ("how-we-decide-the-step", "That web address is used by another page"),
        ("not a slug!", "The web address can only use letters, numbers and hyphens"),
    ],
)
def test_a_bad_or_duplicate_slug_is_an_error(client, staff, carers, slug, message):
    ProjectFactory(slug="taken")
    client.force_login(staff)
    response = client.post(reverse("projects:create"), staff_post_data(carers, staff, slug=slug))
    assert response.status_code == 200
    assert message in response.text
    assert Project.objects.count() == 1


def test_an_end_date_before_the_start_is_an_error_and_everything_typed_is_kept(
    client, staff, carers
):
    client.force_login(staff)
    data = staff_post_data(carers, staff, end_date_2="2025")
    response = client.post(reverse("projects:create"), data)
    page = response.text
    assert response.status_code == 200
    assert "<title>Error: Create a project" in page
    assert 'href="#id_end_date_0"' in page
    assert "The end date must be the same as or after the start date" in page
    assert value(page, "title") == "Carers' breaks review"
    assert value(page, "contact_phone") == "01632 960 001"
    assert checked(page, "activity_types") == {"co_design", "co_evaluation"}
    assert not Project.objects.exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": ""}, "Enter the project name"),
        ({"summary": " "}, "Enter a summary of the project"),
        ({"service_area": "999"}, "Choose a service area from the list"),
        ({"level": "galactic"}, "Choose the level"),
        ({"activity_types": ["co_dancing"]}, "Choose types of activity from the list"),
        ({"status": ""}, "Choose the status"),
        ({"contact_email": "jo@"}, "Enter an email address in the right format"),
        ({"contact_phone": "call me"}, "Enter a phone number"),
        ({"start_date_1": "13"}, "Start date must be a real date"),
        ({"start_date_2": "26"}, "Start date must include a year with 4 numbers"),
        ({"start_date_0": ""}, "Start date must include a day"),
        ({"wtfc_stage": "dream"}, "Choose a stage from the list"),
    ],
)
def test_bad_input_is_an_error_and_saves_nothing(client, staff, carers, changes, message):
    client.force_login(staff)
    response = client.post(reverse("projects:create"), staff_post_data(carers, staff, **changes))
    assert response.status_code == 200
    assert "govuk-error-summary" in response.text
    assert message in response.text
    assert not Project.objects.exists()


@pytest.mark.parametrize(
    ("budget", "message"),
    [
        ("lots", "Enter an amount in pounds, like 12.50"),
        ("-5", "The amount cannot be less than £0"),
        ("99999999", "The amount must be £10,000,000 or less"),
    ],
)
def test_a_bad_budget_is_an_error_and_saves_nothing(client, commissioner, carers, budget, message):
    client.force_login(commissioner)
    data = project_post_data(carers, commissioner, budget_pence=budget)
    response = client.post(reverse("projects:create"), data)
    assert response.status_code == 200
    assert "govuk-error-summary" in response.text
    assert message in response.text
    assert value(response.text, "budget_pence") == budget
    assert not Project.objects.exists()


def test_only_staff_can_be_owner_or_team_members(client, staff, resident, carers):
    client.force_login(staff)
    response = client.post(
        reverse("projects:create"),
        staff_post_data(carers, resident, team=[str(resident.pk)]),
    )
    assert "Choose a member of staff as the owner" in response.text
    assert "Choose team members from the list of staff" in response.text
    assert not Project.objects.exists()
    page = client.get(reverse("projects:create")).text
    assert resident.email not in page


def test_commissioners_and_admins_can_be_chosen_as_staff(client, staff, commissioner, carers):
    admin = UserFactory(roles=[], is_superuser=True)
    inactive = UserFactory(roles=[Role.STAFF], is_active=False)
    client.force_login(staff)
    page = client.get(reverse("projects:create")).text
    assert commissioner.email in page
    assert admin.email in page
    assert inactive.email not in page


def test_editing_shows_the_current_details_and_saves_changes(client, owner, project, carers):
    project.budget_pence = 50_000
    project.activity_types = ["co_delivery"]
    project.save()
    client.force_login(owner)
    url = reverse("projects:edit", args=[project.slug])
    page = client.get(url).text
    assert value(page, "budget_pence") is None  # shown as text: a commissioner sets it
    assert "£500" in page
    assert checked(page, "activity_types") == {"co_delivery"}
    assert "testserver/projects/carers-short-breaks/" in page  # published: shown, fixed

    data = staff_post_data(
        carers, owner, title="Short breaks for carers", slug="carers-short-breaks"
    )
    response = client.post(url, data)

    assert response.status_code == 302
    project.refresh_from_db()
    assert project.title == "Short breaks for carers"
    assert project.slug == "carers-short-breaks"
    assert project.service_area == carers
    assert project.budget_pence == 50_000
    # Editing details never touches the step or its history.
    assert project.claimed_step == 4
    assert project.step_changes.count() == 1


def test_a_project_can_keep_its_own_slug_but_not_take_another(client, owner, draft, carers):
    ProjectFactory(slug="other-project")
    client.force_login(owner)
    url = reverse("projects:edit", args=[draft.slug])
    response = client.post(url, staff_post_data(carers, owner, slug="other-project"))
    assert "Another project already uses that web address" in response.text
    draft.refresh_from_db()
    assert draft.slug == "draft-day-services"


# --- The web address: fixed once published, so links already sent keep working ---------------


def test_a_published_project_keeps_its_web_address_whatever_is_sent(client, owner, project, carers):
    client.force_login(owner)
    url = reverse("projects:edit", args=[project.slug])
    page = client.get(url).text
    # Shown as a link, not as a greyed-out box nobody can focus.
    assert 'name="slug"' not in page
    assert 'href="/projects/carers-short-breaks/">testserver/projects/carers-short-breaks/' in page
    assert "its web address stays the same and links to it keep working" in page
    assert "Leave it blank" not in page

    response = client.post(
        url, staff_post_data(carers, owner, title="Short breaks", slug="short-breaks")
    )

    assert response.url == "/projects/carers-short-breaks/"
    assert client.get("/projects/carers-short-breaks/").status_code == 200
    project.refresh_from_db()
    assert (project.title, project.slug) == ("Short breaks", "carers-short-breaks")


def test_a_project_unpublished_again_still_keeps_its_web_address(client, owner, project, carers):
    set_published(project, by=owner, published=True)
    set_published(project, by=owner, published=False)
    client.force_login(owner)
    url = reverse("projects:edit", args=[project.slug])
    assert "its web address stays the same" in client.get(url).text

    client.post(url, staff_post_data(carers, owner, slug="short-breaks"))

    project.refresh_from_db()
    assert project.slug == "carers-short-breaks"


def test_a_project_never_published_can_change_its_web_address(client, owner, draft, carers):
    client.force_login(owner)
    url = reverse("projects:edit", args=[draft.slug])
    page = client.get(url).text
    assert "You can change it until the project is published" in page
    assert "Leave it blank" not in page

    response = client.post(url, staff_post_data(carers, owner, slug="day-services-plan"))

    assert response.url == "/projects/day-services-plan/"
    draft.refresh_from_db()
    assert draft.slug == "day-services-plan"


def test_a_draft_web_address_cannot_be_emptied(client, owner, draft, carers):
    client.force_login(owner)
    url = reverse("projects:edit", args=[draft.slug])
    response = client.post(url, staff_post_data(carers, owner, slug=" "))
    assert "Enter the web address" in response.text
    draft.refresh_from_db()
    assert draft.slug == "draft-day-services"


def test_publishing_while_the_form_is_open_keeps_the_web_address(owner, draft):
    loaded = Project.objects.get(pk=draft.pk)  # as the owner's edit request read it
    record_step(draft, by=owner, claimed=7, evidence=evidence())
    set_published(Project.objects.get(pk=draft.pk), by=owner, published=True)

    update_project(loaded, by=owner, slug="day-services-plan", title="Day services plan")

    draft.refresh_from_db()
    assert (draft.title, draft.slug) == ("Day services plan", "draft-day-services")


def test_the_create_form_still_offers_to_make_the_web_address(client, staff):
    client.force_login(staff)
    page = client.get(reverse("projects:create")).text
    assert "Web address (optional)" in page
    assert "Leave it blank and we will make one from the project name." in page


def test_an_invalid_edit_changes_nothing_and_the_heading_keeps_the_old_title(
    client, owner, project, carers
):
    client.force_login(owner)
    url = reverse("projects:edit", args=[project.slug])
    response = client.post(
        url, staff_post_data(carers, owner, title="New title", end_date_2="2020")
    )
    assert "Change Carers short breaks review" in response.text
    project.refresh_from_db()
    assert project.title == "Carers short breaks review"


def test_publishing_needs_a_step_first(client, owner, draft):
    client.force_login(owner)
    response = client.post(
        reverse("projects:publish", args=[draft.slug]), {"publish": "yes"}, follow=True
    )
    assert "Record the step of participation before you publish the project" in response.text
    draft.refresh_from_db()
    assert draft.is_published is False


def test_publishing_and_unpublishing(client, owner, project):
    client.force_login(owner)
    url = reverse("projects:publish", args=[project.slug])
    response = client.post(url, {"publish": "no"}, follow=True)
    assert "Project unpublished: only staff can see it now" in response.text
    client.logout()
    assert client.get(project.get_absolute_url()).status_code == 404
    client.force_login(owner)
    client.post(url, {"publish": "yes"})
    client.logout()
    assert client.get(project.get_absolute_url()).status_code == 200


# --- Saving details at the same time as a step change or a publish -----------------------------


def test_saving_details_keeps_a_step_recorded_since_the_form_was_loaded(
    client, owner, team_member, project, carers
):
    loaded = Project.objects.get(pk=project.pk)  # as the owner's edit request read it
    # Meanwhile a team member records that the project is now co-production.
    record_step(Project.objects.get(pk=project.pk), by=team_member, claimed=7, evidence=evidence())

    update_project(loaded, by=owner, title="Short breaks for carers", status="active")

    project.refresh_from_db()
    assert project.title == "Short breaks for carers"
    assert (project.claimed_step, project.evidenced_step) == (7, 7)
    assert project.not_coproduction_reason == ""
    page = client.get(project.get_absolute_url()).text
    assert "Short breaks for carers" in page
    assert "<strong>Co-production</strong>" in page


def test_saving_details_keeps_a_publish_made_since_the_form_was_loaded(client, owner, draft):
    record_step(draft, by=owner, claimed=7, evidence=evidence())
    loaded = Project.objects.get(pk=draft.pk)
    set_published(Project.objects.get(pk=draft.pk), by=owner, published=True)

    update_project(loaded, by=owner, summary="Planning day services with the people who use them.")

    draft.refresh_from_db()
    assert draft.is_published is True
    page = client.get(draft.get_absolute_url())
    assert page.status_code == 200
    assert "Planning day services with the people who use them." in page.text


def test_moving_to_another_working_together_for_change_stage_is_kept_in_the_audit_trail(staff):
    from auditlog.context import set_actor
    from auditlog.models import LogEntry

    from projects.services import update_project
    from tests.projects.factories import ProjectFactory

    project = ProjectFactory(owner=staff, wtfc_stage="theme")
    with set_actor(staff):
        update_project(project, by=staff, wtfc_stage="understand")

    entry = LogEntry.objects.get_for_object(project).latest("timestamp")
    assert entry.actor == staff
    assert entry.changes_dict["wtfc_stage"] == ["theme", "understand"]
