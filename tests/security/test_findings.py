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


@pytest.mark.parametrize("starts_on", [("2200000000", "4", "2027"), ("1", "4", "99999")])
def test_a_fee_rate_date_too_big_for_the_computer_is_a_form_error(client, commissioner, starts_on):
    from payments.models import FeeRate

    client.force_login(commissioner)
    day, month, year = starts_on

    response = client.post(
        reverse("payments:add_fee_rate"),
        {
            "basis": "per_hour",
            "amount": "21.50",
            "starts_on_0": day,
            "starts_on_1": month,
            "starts_on_2": year,
        },
    )

    assert response.status_code == 200
    assert "Enter a real date" in response.text
    assert not FeeRate.objects.exists()


@pytest.mark.parametrize("next_url", ["000", "participation:profile", "https://evil.example/"])
def test_a_next_address_that_is_not_a_path_here_goes_to_the_profile(client, resident, next_url):
    """redirect() took "000" for the name of a URL pattern and failed: a server error."""
    client.force_login(resident)

    response = client.post(
        reverse("participation:interests"), {"preferred_levels": ["service"], "next": next_url}
    )

    assert response.status_code == 302
    assert response.url == reverse("participation:profile")


def test_calendar_files_leave_out_control_characters_saved_before_forms_refused_them(client):
    from tests.participation.factories import OpportunityFactory

    opportunity = OpportunityFactory(title="Carers\x0b lunch", description="Bring\x01 a friend")

    response = client.get(reverse("participation:calendar", args=[opportunity.pk]))

    assert response.status_code == 200
    assert "SUMMARY:Carers lunch" in response.content.decode()
    assert "\x01" not in response.content.decode()


def test_opportunities_with_control_characters_are_refused(client, staff):
    from participation.models import Venue

    client.force_login(staff)

    response = client.post(
        reverse("participation:venue_create"), {"name": "Hall\x1b[31m", "address": "1 High St"}
    )

    assert response.status_code == 200
    assert "characters that are not ordinary text" in response.text
    assert not Venue.objects.exists()


@pytest.mark.parametrize(
    "ticked", ["9223372036854775808", "-9223372036854775809", "9" * 5000, "\u00b2", "1\u00b2"]
)
def test_a_ticked_id_too_big_for_a_database_is_a_form_error(client, staff, ticked):
    """On SQLite the id query raised OverflowError (a server error); "²", which str.isdigit()
    takes for a digit, made int() raise ValueError."""
    from tests.projects.factories import make_opportunity

    project = ProjectFactory(owner=staff)
    make_opportunity(project)
    client.force_login(staff)

    response = client.post(
        reverse("projects:update_create", args=[project.slug]),
        {"said": "The forms are too long.", "did": "We cut them.", "opportunities": ticked},
    )

    assert response.status_code == 200
    assert "Choose sessions from this project" in response.text
    assert not Update.objects.exists()


@pytest.mark.parametrize("year", ["0", "99999", "99999999999999999999"])
def test_a_we_rating_address_with_an_impossible_year_is_not_found(client, staff, year):
    """date(99999, 1, 1) raised ValueError: a server error, not a 404."""
    project = ProjectFactory(owner=staff)
    client.force_login(staff)

    response = client.get(f"/insight/projects/{project.slug}/we/{year}/q1/")

    assert response.status_code == 404


@pytest.mark.parametrize("project", ["\u00b2", "9" * 40, "-1", "abc"])
def test_an_odd_project_in_the_new_opportunity_address_is_ignored(client, staff, project):
    """?project=² passed str.isdigit() and then broke the query: a server error."""
    client.force_login(staff)

    response = client.get(reverse("participation:create"), {"project": project})

    assert response.status_code == 200
    assert "Add an opportunity" in response.text


def test_an_unsubscribe_link_that_outlived_its_account_still_answers(client):
    """The unsubscribe row's foreign key refused a deleted account's id: a server error."""
    from notifications.models import Unsubscribe
    from notifications.tokens import unsubscribe_token

    token = unsubscribe_token(999999, "claims")

    response = client.post(reverse("notifications:unsubscribe", args=[token]))

    assert response.status_code == 200
    assert "You will not get these messages again" in response.text
    assert not Unsubscribe.objects.exists()


@pytest.mark.parametrize("year", ["9999", "0001", "1899"])
def test_a_session_date_in_an_impossible_year_is_a_form_error(client, staff, year):
    """Any year went through, and sums with dates (a survey's closing day) overflow near 9999."""
    from participation.models import Opportunity

    client.force_login(staff)

    typed = {"date_0": "1", "date_1": "1", "date_2": year, "title": "Forum"}
    response = client.post(reverse("participation:create"), typed)

    assert response.status_code == 200
    assert "The date must be a real date" in response.text
    assert not Opportunity.objects.exists()
