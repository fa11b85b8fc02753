"""The dashboard's figures are worked out once per choice of filters and kept for a while:
the page says when, every member of staff shares the copy, and other filters get their own."""

import re
from datetime import date, datetime
from unittest import mock

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from insight.dashboard import page
from insight.filters import Filters

from .conftest import UK, at
from .factories import ServiceAreaFactory, SignUpFactory

pytestmark = pytest.mark.django_db

YEAR = "start=2025-04-01&end=2026-03-31"
URL = f"/insight/?{YEAR}"
MORNING = datetime(2026, 4, 15, 10, 35, tzinfo=UK)


@pytest.fixture(autouse=True)
def _ten_minutes(settings):
    settings.INSIGHT_CACHE_SECONDS = 600


@pytest.fixture
def areas():
    """Carers: 3 people took part; housing: 1."""
    carers = ServiceAreaFactory(name="Carers", slug="carers")
    housing = ServiceAreaFactory(name="Housing", slug="housing")
    for _ in range(3):
        SignUpFactory(
            opportunity__project__service_area=carers, opportunity__starts_at=at(2025, 6, 1)
        )
    SignUpFactory(opportunity__project__service_area=housing, opportunity__starts_at=at(2025, 7, 1))
    return carers, housing


def _queries(client, url) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def _people_taking_part(html: str) -> str:
    found = re.search(
        r'hub-figures__value">([^<]*)</span>\s*<span class="hub-figures__label">People taking part',
        html,
    )
    assert found, "no People taking part figure"
    return found.group(1)


def test_a_second_visit_reuses_the_figures(client, staff, areas, django_assert_max_num_queries):
    client.force_login(staff)
    first, _ = _queries(client, URL)
    assert first > 20
    # Who is signed in, their roles and the service areas for the filter form: nothing more.
    with django_assert_max_num_queries(4):
        assert client.get(URL).status_code == 200


@pytest.mark.parametrize(
    ("second_person", "most_queries"),
    [
        # Other roles, so another menu: the page is rendered around the kept figures and form
        # (who is signed in, their roles, the service areas).
        ("commissioner", 4),
        # The same roles: the whole page is kept. At most who is signed in is loaded (with
        # their roles in the same query on PostgreSQL, in a second one elsewhere).
        ("other_staff", 1),
    ],
)
@pytest.mark.usefixtures("caching_as_in_production")
def test_every_member_of_staff_shares_the_copy(
    client,
    staff,
    areas,
    request,
    second_person,
    most_queries,
    is_postgres,
    django_assert_max_num_queries,
):
    client.force_login(staff)
    client.get(URL)
    client.force_login(request.getfixturevalue(second_person))
    if second_person == "other_staff" and not is_postgres:
        most_queries += 1
    with django_assert_max_num_queries(most_queries):
        response = client.get(URL)
    assert _people_taking_part(response.content.decode()) == "4"


def test_the_shared_copy_holds_nothing_about_the_person_or_their_session(client, staff, areas):
    client.force_login(staff)
    with time_machine.travel(MORNING, tick=False):
        client.get(URL)
        kept = _kept_copy()
    assert "Figures worked out at" in kept
    assert "csrf" not in kept.lower()
    assert staff.display_name not in kept
    assert staff.email not in kept
    assert "<form" not in kept


def test_different_filters_get_different_figures(client, staff, areas):
    client.force_login(staff)
    client.get(f"{URL}&area=carers")
    carers_again, carers = _queries(client, f"{URL}&area=carers")
    housing_queries, housing = _queries(client, f"{URL}&area=housing")
    assert _people_taking_part(carers) == "3"
    assert _people_taking_part(housing) == "1"
    assert housing_queries > carers_again  # worked out afresh, not the carers' copy


def test_the_same_filters_typed_differently_share_one_copy(
    client, staff, areas, django_assert_max_num_queries
):
    client.force_login(staff)
    client.get(URL)
    with django_assert_max_num_queries(4):
        response = client.get("/insight/?start=01/04/2025&end=31-03-2026&campaign=x")
    html = response.content.decode()
    assert _people_taking_part(html) == "4"
    # Its links are written from the filters, never from the address the first visitor typed.
    assert "campaign" not in html.split('id="showing"')[1]


def test_the_page_says_when_the_figures_were_worked_out(client, staff, areas):
    client.force_login(staff)
    with time_machine.travel(MORNING, tick=False):
        html = client.get(URL).content.decode()
    assert "Figures worked out at 10:35am. They are updated every 10 minutes." in html


def test_a_kept_copy_shows_when_it_was_worked_out_not_when_it_was_asked_for(client, staff, areas):
    client.force_login(staff)
    with time_machine.travel(MORNING, tick=False):
        client.get(URL)
    with time_machine.travel(MORNING.replace(minute=41), tick=False):
        html = client.get(URL).content.decode()
    assert "Figures worked out at 10:35am." in html


def test_figures_are_worked_out_afresh_each_day(client, staff, areas):
    client.force_login(staff)
    with time_machine.travel(MORNING, tick=False):
        client.get(URL)
    with time_machine.travel(MORNING.replace(day=16, hour=0, minute=5), tick=False):
        html = client.get(URL).content.decode()
    assert "Figures worked out at 12:05am." in html


def test_with_no_keeping_time_every_visit_works_the_figures_out(client, staff, areas, settings):
    settings.INSIGHT_CACHE_SECONDS = 0
    client.force_login(staff)
    with time_machine.travel(MORNING, tick=False):
        first, _ = _queries(client, URL)
        second, html = _queries(client, URL)
        assert _kept_copy() is None
    assert second == first
    assert "Figures worked out at 10:35am." in html
    assert "They are updated" not in html


def test_a_visit_waits_for_figures_another_visit_is_working_out(
    staff, areas, django_assert_max_num_queries
):
    filters = Filters(start=date(2025, 4, 1), end=date(2026, 3, 31))
    key = page.cache_key(filters, today=MORNING.date())
    cache.add(f"{key}:busy", 1)

    def the_other_visit_finishes(seconds):
        cache.set(key, page.Figures("<p>Worked out by the other visit</p>", {}, MORNING))

    with (
        time_machine.travel(MORNING, tick=False),
        mock.patch.object(page.time, "sleep", the_other_visit_finishes),
        django_assert_max_num_queries(0),
    ):
        html = page.figures_html(filters, now=MORNING)
    assert html == "<p>Worked out by the other visit</p>"


def test_the_refresh_phrase_reads_naturally():
    assert page.refresh_phrase(600) == "every 10 minutes"
    assert page.refresh_phrase(60) == "every minute"
    assert page.refresh_phrase(90) == "every 90 seconds"


def _download(client, url) -> tuple[str, str]:
    """(the CSV's text, its file name)."""
    response = client.get(url)
    assert response.status_code == 200
    filename = response["Content-Disposition"].split('filename="')[1].rstrip('"')
    return response.content.decode("utf-8-sig"), filename


CSV_URL = f"{URL}&format=csv&table=reach_areas"


def test_a_csv_download_holds_the_same_figures_as_the_page_it_came_from(client, staff, areas):
    client.force_login(staff)
    with time_machine.travel(MORNING, tick=False):
        page_html = client.get(URL).content.decode()
    # A sign-up recorded after the page's figures were worked out.
    SignUpFactory(
        opportunity__project__service_area=areas[1], opportunity__starts_at=at(2025, 8, 1)
    )

    with time_machine.travel(MORNING.replace(minute=41), tick=False):
        csv, filename = _download(client, CSV_URL)

    assert "Figures worked out at 10:35am." in page_html
    assert "Housing,1,1" in csv
    assert filename == "reach_areas-20250401-20260331-worked-out-20260415-1035.csv"


def test_once_the_figures_are_worked_out_again_the_csv_follows_them(client, staff, areas):
    client.force_login(staff)
    with time_machine.travel(MORNING, tick=False):
        client.get(URL)
    SignUpFactory(
        opportunity__project__service_area=areas[1], opportunity__starts_at=at(2025, 8, 1)
    )
    # The kept copy runs out (Redis keeps its own time, which time_machine does not move).
    cache.delete(page.cache_key(Filters(date(2025, 4, 1), date(2026, 3, 31)), today=MORNING.date()))

    with time_machine.travel(MORNING.replace(minute=46), tick=False):
        csv, filename = _download(client, CSV_URL)
        html = client.get(URL).content.decode()

    assert "Housing,2,2" in csv
    assert filename.endswith("-worked-out-20260415-1046.csv")
    assert "Figures worked out at 10:46am." in html


def test_a_csv_downloaded_first_is_kept_for_the_page(client, staff, areas):
    client.force_login(staff)
    with time_machine.travel(MORNING, tick=False):
        csv, _ = _download(client, CSV_URL)
    SignUpFactory(
        opportunity__project__service_area=areas[1], opportunity__starts_at=at(2025, 8, 1)
    )

    with time_machine.travel(MORNING.replace(minute=38), tick=False):
        html = client.get(URL).content.decode()

    assert "Housing,1,1" in csv
    assert "Figures worked out at 10:35am." in html
    assert _people_taking_part(html) == "4"


def test_the_page_says_csv_downloads_hold_the_kept_figures(client, staff, areas):
    client.force_login(staff)
    html = client.get(URL).content.decode()
    assert "Each CSV download holds the figures as last worked out" in html


def test_with_no_keeping_time_a_csv_is_worked_out_when_downloaded(client, staff, areas, settings):
    settings.INSIGHT_CACHE_SECONDS = 0
    client.force_login(staff)
    with time_machine.travel(MORNING, tick=False):
        html = client.get(URL).content.decode()
    SignUpFactory(
        opportunity__project__service_area=areas[1], opportunity__starts_at=at(2025, 8, 1)
    )
    with time_machine.travel(MORNING.replace(minute=36), tick=False):
        csv, filename = _download(client, CSV_URL)

    assert "Each CSV download is worked out when you download it" in html
    assert "Housing,2,2" in csv
    assert filename.endswith("-worked-out-20260415-1036.csv")


def _kept_copy():
    """The copy kept for `URL` on the morning of MORNING."""
    filters = Filters(start=date(2025, 4, 1), end=date(2026, 3, 31))
    kept = cache.get(page.cache_key(filters, today=MORNING.date()))
    return None if kept is None else kept.html


def test_the_kept_filter_form_shows_what_each_person_chose(client, staff, areas):
    client.force_login(staff)
    client.get(f"{URL}&area=carers")

    housing = client.get(f"{URL}&area=housing").content.decode()
    carers_again = client.get(f"{URL}&area=carers").content.decode()

    assert re.search(r'<option value="housing"[^>]*selected', housing)
    assert not re.search(r'<option value="carers"[^>]*selected', housing)
    assert re.search(r'<option value="carers"[^>]*selected', carers_again)


def test_the_scheduled_task_works_out_the_default_figures_before_anyone_asks(
    client, staff, areas, django_assert_max_num_queries
):
    from insight.tasks import keep_dashboard_figures_fresh

    keep_dashboard_figures_fresh.delay()
    client.force_login(staff)

    with django_assert_max_num_queries(4):
        response = client.get("/insight/")

    assert "Figures worked out at" in response.content.decode()


def test_a_kept_page_shows_new_figures_as_soon_as_they_are_worked_out(client, staff, areas):
    client.force_login(staff)
    with time_machine.travel(MORNING, tick=False):
        assert "Figures worked out at 10:35am." in client.get("/insight/").content.decode()

    later = MORNING.replace(minute=45)
    with time_machine.travel(later, tick=False):
        page.keep_default_figures_fresh(now=later)
        html = client.get("/insight/").content.decode()

    assert "Figures worked out at 10:45am." in html
