"""The admin screens, the explainer pages and the project page's fixed cost in queries."""

from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coprod_hub.users.roles import Role
from coprod_hub.users.services import revoke_role
from projects import services
from projects.ladder import LEVEL_DESCRIPTIONS, STEP_RULES, Level, Step
from projects.models import Project, StepChange, Update
from projects.services import record_step

from .factories import ProjectFactory, UpdateFactory, evidence, make_opportunity

pytestmark = pytest.mark.django_db


def test_admins_can_open_every_projects_admin_screen(client, admin_user, project):
    UpdateFactory(project=project)
    client.force_login(admin_user)
    for model in ["servicearea", "project", "stepchange", "update"]:
        assert client.get(reverse(f"admin:projects_{model}_changelist")).status_code == 200
    assert (
        client.get(reverse("admin:projects_project_change", args=[project.pk])).status_code == 200
    )


def test_the_step_history_cannot_be_changed_in_the_admin(client, admin_user, project):
    client.force_login(admin_user)
    change = StepChange.objects.get(project=project)
    assert client.get(reverse("admin:projects_stepchange_add")).status_code == 403
    response = client.post(
        reverse("admin:projects_stepchange_delete", args=[change.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert StepChange.objects.filter(pk=change.pk).exists()


class _FormValues(HTMLParser):
    """What a browser would send back from the page's main form, unchanged."""

    def __init__(self):
        super().__init__()
        self.data, self._select, self._textarea = {}, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button"):
            ticked = attrs.get("type") in ("checkbox", "radio")
            if ticked and "checked" not in attrs:
                return
            self.data.setdefault(name, []).append(attrs.get("value", "on" if ticked else ""))
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.data.setdefault(self._select, []).append(attrs.get("value", ""))
        elif tag == "textarea":
            self._textarea = name
            self.data[name] = [""]

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][0] += data.removeprefix("\n")


def _admin_form(client, url) -> dict:
    parser = _FormValues()
    parser.feed(client.get(url).text)
    return parser.data


def test_publishing_cannot_be_changed_in_the_admin(client, admin_user, draft):
    """The admin skipped the step check: a project with no step could go public."""
    url = reverse("admin:projects_project_change", args=[draft.pk])
    client.force_login(admin_user)
    data = _admin_form(client, url)
    assert "is_published" not in data
    assert "claimed_step" not in data and "evidenced_step" not in data
    data.update(is_published=["on"], claimed_step=["7"], evidenced_step=["7"], title=["Renamed"])

    response = client.post(url, data)

    assert response.status_code == 302, response.text[:2000]
    draft.refresh_from_db()
    assert draft.title == "Renamed"  # the rest of the form still saves
    assert draft.is_published is False
    assert (draft.claimed_step, draft.evidenced_step) == (None, None)
    client.logout()
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_updates_cannot_be_added_or_moved_in_the_admin(client, admin_user, project):
    update = UpdateFactory(project=project)
    other = ProjectFactory(title="Another project")
    client.force_login(admin_user)
    assert client.get(reverse("admin:projects_update_add")).status_code == 403
    url = reverse("admin:projects_update_change", args=[update.pk])
    data = _admin_form(client, url)
    data.update(project=[str(other.pk)], said=["Corrected spelling."])

    assert client.post(url, data).status_code == 302
    update.refresh_from_db()
    assert update.said == "Corrected spelling."
    assert update.corrected_by == admin_user  # the page says it was corrected
    assert update.project == project
    assert not Update.objects.filter(project=other).exists()
    assert Project.objects.get(pk=project.pk).updates.count() == 1


def test_how_we_decide_the_step_shows_every_rule_from_the_code(client):
    page = client.get(reverse("projects:how_we_decide")).text
    for rule in STEP_RULES:
        assert rule.when.replace("'", "&#x27;") in page
    assert "The first one that matches the answers gives the step" in page
    assert page.count('<tr class="govuk-table__row">') == len(STEP_RULES) + 1


def test_the_ladder_page_explains_every_step_level_and_type(client):
    page = client.get(reverse("projects:ladder")).text
    for step in Step:
        assert f"Step {step.value}: {step.label}" in page
    for words in [
        "Doing to",
        "Doing for",
        "Doing with",
        "Individual",
        "Strategic",
        "Co-evaluation",
    ]:
        assert words in page
    assert 'aria-current="step"' not in page  # no project, so no step is marked


def test_the_project_page_says_what_its_level_means(client, project):
    project.level = "strategic"
    project.save()

    page = client.get(project.get_absolute_url()).text

    assert "Strategic" in page
    assert LEVEL_DESCRIPTIONS[Level.STRATEGIC] in page


def test_the_project_page_leads_back_to_all_projects(client, project):
    # As an opportunity's page leads back to all opportunities.
    page = client.get(project.get_absolute_url()).text
    assert f'<a href="{reverse("projects:list")}" class="govuk-back-link">All projects</a>' in page


def test_the_project_page_links_to_its_opportunities(client, project):
    session = make_opportunity(project, title="Coffee morning")
    page = client.get(project.get_absolute_url()).text
    assert f'href="{session.get_absolute_url()}"' in page


def test_the_project_page_costs_the_same_queries_however_much_history_it_has(
    client, owner, project
):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(project.get_absolute_url()).status_code == 200
        return len(queries)

    client.force_login(owner)
    UpdateFactory(project=project)
    make_opportunity(project)
    few = count()
    for _ in range(6):
        record_step(project, by=owner, claimed=7, evidence=evidence())
        update = UpdateFactory(project=project)
        update.opportunities.add(make_opportunity(project))
    assert count() == few


def test_the_project_page_shows_the_newest_step_changes_and_links_to_the_rest(
    client, owner, project
):
    for number in range(1, 25):
        record_step(project, by=owner, claimed=7, evidence=evidence(), note=f"Review {number:02}")
    history = reverse("projects:step_history", args=[project.slug])

    page = client.get(project.get_absolute_url()).text
    first = client.get(history).text
    second = client.get(history, {"page": 2}).text

    assert [f"Review {n:02}" in page for n in (24, 20, 19)] == [True, True, False]
    assert f'href="{history}">See all 25 changes to the step</a>' in page
    assert "Showing 1 to 20 of 25 changes." in first
    assert first.index("Review 24") < first.index("Review 05")  # newest first
    assert "Review 04" not in first and "Review 04" in second
    assert "Step first recorded" in second


def test_the_step_history_of_an_unpublished_project_is_not_public(client, owner):
    draft = ProjectFactory(owner=owner, is_published=False)
    history = reverse("projects:step_history", args=[draft.slug])

    assert client.get(history).status_code == 404
    client.force_login(owner)
    assert client.get(history).status_code == 200


def test_the_step_history_costs_the_same_queries_however_long_it_is(client, owner, project):
    def count():
        with CaptureQueriesContext(connection) as queries:
            url = reverse("projects:step_history", args=[project.slug])
            assert client.get(url).status_code == 200
        return len(queries)

    client.force_login(owner)
    few = count()
    for _ in range(25):
        record_step(project, by=owner, claimed=7, evidence=evidence())
    assert count() == few


def test_the_atom_feed_is_named_after_the_site(client, settings):
    settings.SITE_NAME = "Anytown Together"
    body = client.get(reverse("projects:updates_feed")).content.decode()
    assert "We said, we did: updates from the Anytown Together" in body


def test_an_owner_whose_staff_role_goes_as_the_admin_form_is_sent_is_refused(
    client, monkeypatch, admin_user, owner, other_staff, project
):
    """The admin's list of staff was read when the page opened: the save checks again under
    lock (coprod_hub.users.handing_over), as the hub's own form does."""
    check = services.lock_and_check_staff

    def role_taken_meanwhile(person):
        revoke_role(person, Role.STAFF)
        return check(person)

    monkeypatch.setattr(services, "lock_and_check_staff", role_taken_meanwhile)
    url = reverse("admin:projects_project_change", args=[project.pk])
    client.force_login(admin_user)
    data = _admin_form(client, url)
    data.update(owner=[str(other_staff.pk)], title=["Renamed"])

    response = client.post(url, data)

    assert response.status_code == 200
    assert (
        "Stella Staff cannot own a project, as they are not a member of staff. Choose a member "
        "of staff as the owner"
    ) in response.text
    project.refresh_from_db()
    assert (project.owner, project.title) == (owner, "Carers short breaks review")
