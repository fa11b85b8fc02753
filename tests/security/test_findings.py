"""Each problem the form fuzzer found, pinned down as a plain test so it stays fixed."""

import pytest
from django.urls import reverse

from projects.models import Update
from tests.projects.factories import ProjectFactory, ServiceAreaFactory, UpdateFactory

pytestmark = pytest.mark.django_db


def _project_form(area, owner, **changes):
    data = {
        "title": "Carers' breaks review",
        "summary": "Carers tell us short breaks are hard to book.",
        "service_area": str(area.pk),
        "level": "service",
        "owner": str(owner.pk),
        "status": "active",
        "start_date_0": "1",
        "start_date_1": "4",
        "start_date_2": "2026",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    "day,month,year",
    [("2200000000", "3", "2027"), ("1", "9" * 30, "2027"), ("1", "1", "9223372036854775808")],
)
def test_a_date_too_big_for_the_computer_is_a_form_error(client, staff, day, month, year):
    """crispy-forms-gds' date input raised OverflowError (a server error) for these."""
    client.force_login(staff)
    data = _project_form(
        ServiceAreaFactory(), staff, start_date_0=day, start_date_1=month, start_date_2=year
    )

    response = client.post(reverse("projects:create"), data)

    assert response.status_code == 200
    assert "govuk-error-summary" in response.text
    assert "Start date must be a real date" in response.text


def test_an_old_update_with_control_characters_does_not_break_the_feed(client):
    """Django refuses to write XML with control characters: one update took the feed down."""
    UpdateFactory(said="Copied from a form\x0bwith a line break", did="We\x01 listened")

    response = client.get(reverse("projects:updates_feed"))

    assert response.status_code == 200
    assert "Copied from a formwith a line break" in response.text


def test_updates_with_control_characters_are_refused(client, staff):
    project = ProjectFactory(owner=staff)
    client.force_login(staff)

    response = client.post(
        reverse("projects:update_create", args=[project.slug]),
        {"said": "Pasted\x0bfrom a file", "did": "We\x00 listened"},
    )

    assert response.status_code == 200
    assert "govuk-error-summary" in response.text
    assert "characters that are not ordinary text" in response.text
    assert not Update.objects.exists()
