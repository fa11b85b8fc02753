"""A project is published only with someone to contact about it: the public page says who
(SPEC 4.1). Publishing without is refused, with an error summary linking to where to add an
email address or phone number; a published project cannot lose them."""

import pytest
from django.urls import reverse

from projects.models import Project
from projects.services import (
    CONTACT_NEEDED,
    STEP_NEEDED,
    NotReadyToPublish,
    record_step,
    set_published,
)

from .factories import ProjectFactory, evidence, project_post_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_contact(owner):
    project = ProjectFactory(
        title="Day opportunities plan",
        slug="day-opportunities",
        owner=owner,
        is_published=False,
        contact_name="Jo Bloggs",  # a name alone reaches nobody
        contact_email="",
    )
    record_step(project, by=owner, claimed=7, evidence=evidence())
    return project


def publish(client, project):
    client.force_login(project.owner)
    return client.post(reverse("projects:publish", args=[project.slug]), {"publish": "yes"})


def test_publishing_without_a_contact_is_refused_with_a_link_to_add_one(client, no_contact):
    response = publish(client, no_contact)

    assert response.status_code == 200
    page = response.text
    assert "<title>Error: Day opportunities plan" in page
    assert 'class="govuk-error-summary"' in page
    edit = reverse("projects:edit", args=[no_contact.slug])
    assert f'<li><a href="{edit}#id_contact_email">{CONTACT_NEEDED}</a></li>' in page
    no_contact.refresh_from_db()
    assert no_contact.is_published is False
    client.logout()
    assert client.get(no_contact.get_absolute_url()).status_code == 404


def test_the_link_leads_to_the_box_for_the_email_address(client, no_contact):
    client.force_login(no_contact.owner)

    page = client.get(reverse("projects:edit", args=[no_contact.slug])).text

    assert 'id="id_contact_email"' in page
    assert "You need an email address or a phone number, or both, before you can publish" in page


def test_a_project_with_no_step_and_no_contact_is_told_both(client, owner):
    project = ProjectFactory(owner=owner, is_published=False, contact_email="")

    page = publish(client, project).text

    step = reverse("projects:step", args=[project.slug])
    edit = reverse("projects:edit", args=[project.slug])
    assert f'<li><a href="{step}">{STEP_NEEDED}</a></li>' in page
    assert f'<li><a href="{edit}#id_contact_email">{CONTACT_NEEDED}</a></li>' in page


def test_the_team_sees_what_is_missing_before_they_press_publish(client, no_contact):
    client.force_login(no_contact.owner)

    page = client.get(no_contact.get_absolute_url()).text

    assert "Add a contact email address or phone number before you publish it." in page


@pytest.mark.parametrize(
    "contact", [{"contact_email": "dayops@anytown.example"}, {"contact_phone": "01632 960 002"}]
)
def test_an_email_address_or_a_phone_number_is_enough(client, no_contact, contact):
    Project.objects.filter(pk=no_contact.pk).update(**contact)

    response = publish(client, no_contact)

    assert response.status_code == 302
    no_contact.refresh_from_db()
    assert no_contact.is_published is True
    client.logout()
    public = client.get(no_contact.get_absolute_url()).text
    assert "Contact</h2>" in public
    assert next(iter(contact.values())) in public


def test_adding_a_contact_on_the_details_page_then_publishing_works(client, no_contact):
    data = project_post_data(
        no_contact.service_area,
        no_contact.owner,
        title=no_contact.title,
        slug=no_contact.slug,
        contact_email="dayops@anytown.example",
        contact_phone="",
    )
    data.pop("budget_pence", None)
    client.force_login(no_contact.owner)
    client.post(reverse("projects:edit", args=[no_contact.slug]), data)

    response = publish(client, no_contact)

    assert response.status_code == 302
    no_contact.refresh_from_db()
    assert no_contact.is_published is True


def test_the_service_says_what_is_missing(owner):
    project = ProjectFactory(owner=owner, is_published=False, contact_email="")

    with pytest.raises(NotReadyToPublish) as refused:
        set_published(project, by=owner, published=True)

    assert refused.value.problems == [("step", STEP_NEEDED), ("contact", CONTACT_NEEDED)]


def test_unpublishing_needs_no_contact(owner):
    project = ProjectFactory(owner=owner, contact_email="")  # published before the rule

    set_published(project, by=owner, published=False)

    project.refresh_from_db()
    assert project.is_published is False


def test_a_published_project_cannot_lose_its_contact(client, project):
    data = project_post_data(
        project.service_area,
        project.owner,
        title=project.title,
        team=[str(member.pk) for member in project.team.all()],
        contact_email="",
        contact_phone="",
    )
    data.pop("budget_pence", None)
    client.force_login(project.owner)

    response = client.post(reverse("projects:edit", args=[project.slug]), data)

    assert response.status_code == 200
    assert (
        '<a href="#id_contact_email">Enter a contact email address or phone number. The project '
        "is published, and its page must say who to contact</a>"
    ) in response.text
    project.refresh_from_db()
    assert project.contact_email == "jo.bloggs@anytown.example"
