"""The project page shows the first few opportunities and guide entries, and links to the rest
when there are more, without costing more queries."""

import pytest

from tests.learning.factories import PublishedEntryFactory

from .factories import make_opportunity

pytestmark = pytest.mark.django_db

OPPORTUNITIES_LINK = "/opportunities/?project=carers-short-breaks"
GUIDE_LINK = "/guide/?project=carers-short-breaks"


def test_ten_opportunities_show_with_no_link_to_more(client, project):
    for day in range(10):
        make_opportunity(project, days_ahead=day + 1)
    page = client.get(project.get_absolute_url()).text
    assert page.count('class="hub-card"') == 10
    assert OPPORTUNITIES_LINK not in page


def test_an_eleventh_opportunity_brings_a_link_to_all_of_them(client, project):
    for day in range(11):
        make_opportunity(project, days_ahead=day + 1)
    make_opportunity(project, status="draft")  # never listed, so never counted
    page = client.get(project.get_absolute_url()).text
    assert page.count('class="hub-card"') == 10
    assert f'href="{OPPORTUNITIES_LINK}">See all 11 ways to get involved in this project' in page


def test_three_guide_entries_show_with_no_link_to_more(client, project):
    PublishedEntryFactory.create_batch(3, project=project)
    page = client.get(project.get_absolute_url()).text
    assert "What we learned" in page
    assert GUIDE_LINK not in page


def test_a_fourth_guide_entry_brings_a_link_to_all_of_them(client, project):
    entries = PublishedEntryFactory.create_batch(4, project=project)
    page = client.get(project.get_absolute_url()).text
    assert sum(entry.title in page for entry in entries) == 3
    assert f'href="{GUIDE_LINK}">See all 4 entries about this project' in page
    # The link opens the guide narrowed to this project.
    listed = client.get(GUIDE_LINK).context["entries"]
    assert {entry.pk for entry in listed} == {entry.pk for entry in entries}


def test_the_see_all_links_cost_no_extra_queries(
    client, owner, project, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(owner)
    make_opportunity(project)
    PublishedEntryFactory(project=project)
    client.get(project.get_absolute_url())  # warm the session cache
    with CaptureQueriesContext(connection) as few:
        client.get(project.get_absolute_url())

    for day in range(25):
        make_opportunity(project, days_ahead=day + 1)
    PublishedEntryFactory.create_batch(10, project=project)
    with django_assert_max_num_queries(len(few)):
        page = client.get(project.get_absolute_url()).text
    assert "See all 26 ways to get involved" in page
    assert "See all 11 entries about this project" in page
