"""Who can open the dashboards, and what bad filters do."""

import pytest
from django.urls import reverse
from django.utils import timezone

from insight.filters import default_range
from tests.factories import PASSWORD

from .factories import OpportunityFactory, ServiceAreaFactory, SignUpFactory

pytestmark = pytest.mark.django_db

URL = reverse("insight:dashboard")


def test_the_dashboard_is_at_insight():
    assert URL == "/insight/"


def test_visitors_get_403_with_a_way_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 403
    assert "sign in" in response.content.decode()
    assert "/accounts/login/?next=/insight/" in response.content.decode()


def test_residents_get_403(client, resident):
    client.force_login(resident)
    response = client.get(URL)
    assert response.status_code == 403
    assert "Your account does not give you access" in response.content.decode()


def test_moderators_get_403(client, moderator):
    client.force_login(moderator)
    assert client.get(URL).status_code == 403


@pytest.mark.parametrize("who", ["staff", "commissioner", "admin_user"])
def test_staff_commissioners_and_admins_see_every_section(client, who, request):
    client.force_login(request.getfixturevalue(who))
    SignUpFactory()
    response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    for title in ["Honest ladder", "Reach", "Reciprocity", "Closing the loop", "Outcomes"]:
        assert f">{title}</h2>" in page


def test_the_header_links_to_insight_for_staff(client, staff):
    client.force_login(staff)
    assert 'href="/insight/"' in client.get("/").content.decode()


@pytest.mark.parametrize(
    "query, message",
    [
        ("start=banana", "Enter the from date as a real date"),
        ("end=2025-02-30", "Enter the to date as a real date"),
        ("start=2025-05-01&end=2025-04-01", "The to date must be the same as or after the from"),
        ("area=nowhere", "Choose a service area from the list"),
        ("level=galactic", "Choose a level from the list"),
        ("start=1999-10-14", "Choose dates between the year 2000"),
        ("start=1066-10-14", "Enter the from date as a real date"),
    ],
)
def test_bad_filters_get_a_clear_message_not_an_error(client, staff, query, message):
    client.force_login(staff)
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert message in page
    assert "<title>Error: Insight" in page
    assert "Fix the filters above" in page


def test_bad_filters_on_a_csv_download_get_a_400_with_the_reason(client, staff):
    client.force_login(staff)
    response = client.get(f"{URL}?format=csv&table=ladder_steps&level=galactic")
    assert response.status_code == 400
    assert "Choose a level from the list" in response.content.decode()


def test_an_unknown_csv_table_gets_a_400(client, staff):
    client.force_login(staff)
    response = client.get(f"{URL}?format=csv&table=secrets")
    assert response.status_code == 400
    assert "There is no table called" in response.content.decode()


def test_a_good_filter_is_kept_and_described(client, staff):
    area = ServiceAreaFactory(name="Carers", slug="carers")
    OpportunityFactory(project__service_area=area)
    client.force_login(staff)
    page = client.get(f"{URL}?start=2025-04-01&end=2026-03-31&area=carers&level=service")
    text = page.content.decode()
    assert "Showing 1 April 2025 to 31 March 2026, service area: Carers, level: Service." in text
    assert 'name="start" value="1/4/2025"' in text  # a link's date, as people type it


def test_the_date_boxes_show_the_range_in_view_as_people_write_dates(client, staff):
    client.force_login(staff)
    today = timezone.localdate()
    start, end = default_range(today)

    unfiltered = client.get(URL).content.decode()
    typed = client.get(URL, {"start": "1/4/2025", "end": "31 3 2026"}).content.decode()

    assert f'name="start" value="{start.day}/{start.month}/{start.year}"' in unfiltered
    assert f'name="end" value="{end.day}/{end.month}/{end.year}"' in unfiltered
    assert 'type="date"' not in unfiltered  # no browser date picker: one box, as elsewhere
    assert "Showing 1 April 2025 to 31 March 2026" in typed
    assert 'name="start" value="1/4/2025"' in typed


def test_residents_cannot_download_csv(client, resident):
    client.force_login(resident)
    assert client.get(f"{URL}?format=csv&table=ladder_steps").status_code == 403


def test_signing_in_from_the_403_page_comes_back(client, staff):
    response = client.post(
        "/accounts/login/?next=/insight/", {"login": staff.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == "/insight/"
