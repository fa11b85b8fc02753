"""The banner after saving something is a sentence, so it ends with a full stop: once, even
where its words end with one already, and not after a question mark."""

import re

import pytest
from django.urls import reverse

from .factories import ServiceAreaFactory, project_post_data

pytestmark = pytest.mark.django_db

BANNER = re.compile(r'<p class="govuk-notification-banner__heading hub-break-words">(.*?)</p>')


def _banner(response) -> str:
    assert response.status_code == 200
    (words,) = BANNER.findall(response.text)
    return words


def test_saving_a_projects_details_says_so_in_a_sentence(client, owner, project):
    client.force_login(owner)
    data = project_post_data(project.service_area, owner, team=[])

    response = client.post(reverse("projects:edit", args=[project.slug]), data, follow=True)

    assert _banner(response) == "Project details saved."


def test_unpublishing_a_project_says_so_in_a_sentence(client, owner, project):
    client.force_login(owner)

    response = client.post(
        reverse("projects:publish", args=[project.slug]), {"publish": "no"}, follow=True
    )

    assert _banner(response) == "Project unpublished: only staff can see it now."


def test_a_banner_ending_in_its_own_full_stop_gets_no_second_one(client, team_member, project):
    client.force_login(team_member)
    data = project_post_data(project.service_area, project.owner, team=[])

    response = client.post(reverse("projects:edit", args=[project.slug]), data, follow=True)

    assert _banner(response).endswith("so you can no longer change it.")


def test_a_banner_ending_in_a_question_mark_gets_no_full_stop(client, owner):
    client.force_login(owner)
    area = ServiceAreaFactory(name="Carers", slug="carers")
    data = project_post_data(area, owner, title="What matters to carers?")

    response = client.post(reverse("projects:create"), data, follow=True)

    assert _banner(response) == "Project created: What matters to carers?"
