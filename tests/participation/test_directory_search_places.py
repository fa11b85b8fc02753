"""Searching the directory for where you live: the venue's name and its area are searched
as well as what a session is about (PostgreSQL keeps them in the search vector with
triggers; SQLite matches them directly)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from participation import services
from participation.models import Opportunity, Venue

from .factories import OpportunityFactory, VenueFactory

pytestmark = pytest.mark.django_db

URL = reverse("participation:directory")


def found(client, query, **params):
    response = client.get(URL, {"q": query, **params})
    assert response.status_code == 200
    return sorted(o.title for o in response.context["page_obj"].object_list)


@pytest.fixture
def places(db):
    """Two venues in different areas, a session at each and one online."""
    library = VenueFactory(name="Northfield Library", area="Northfield")
    cup = VenueFactory(name="The Green Cup Café", area="Eastbridge")
    OpportunityFactory(in_person=True, venue=library, title="Carers' coffee morning")
    OpportunityFactory(in_person=True, venue=library, title="Day services review")
    OpportunityFactory(in_person=True, venue=cup, title="Carers' panel")
    OpportunityFactory(title="Online carers' forum", description="Join from home.")
    return library, cup


def test_a_search_for_an_area_finds_the_sessions_there(client, places):
    assert found(client, "Northfield") == ["Carers' coffee morning", "Day services review"]
    assert found(client, "eastbridge") == ["Carers' panel"]


def test_a_search_for_a_venue_finds_the_sessions_held_there(client, places):
    assert found(client, "library") == ["Carers' coffee morning", "Day services review"]
    assert found(client, "green cup") == ["Carers' panel"]


def test_what_and_where_together_find_only_sessions_about_it_there(client, places):
    assert found(client, "carers northfield") == ["Carers' coffee morning"]
    assert found(client, "carers") == [
        "Carers' coffee morning",
        "Carers' panel",
        "Online carers' forum",
    ]


def test_a_place_search_that_matches_shows_the_results_not_the_advice(client, places):
    text = client.get(URL, {"q": "Northfield"}).text

    assert "2 opportunities matching “Northfield”" in text
    assert "check the spelling" not in text


def test_renaming_a_venue_changes_what_search_finds(client, staff, places):
    library, _ = places

    services.save_venue(library, by=staff, name="Northfield Hub")

    assert found(client, "library") == []
    assert found(client, "hub") == ["Carers' coffee morning", "Day services review"]


def test_changing_a_venues_area_changes_what_search_finds(client, staff, places):
    library, _ = places

    services.save_venue(library, by=staff, area="Southmoor")

    assert found(client, "southmoor") == ["Carers' coffee morning", "Day services review"]
    # The name still says Northfield; only the area moved.
    assert found(client, "northfield") == ["Carers' coffee morning", "Day services review"]
    assert found(client, "eastbridge") == ["Carers' panel"]


def test_a_venue_changed_in_bulk_changes_what_search_finds(client, places):
    # Bulk updates (the admin's actions, data loads) send no signals: the database must.
    Venue.objects.filter(area="Eastbridge").update(area="Westfield", name="Westfield Hall")

    assert found(client, "eastbridge") == []
    assert found(client, "green cup") == []
    assert found(client, "westfield hall") == ["Carers' panel"]


def test_moving_a_session_to_another_venue_changes_what_search_finds(client, places):
    library, cup = places
    Opportunity.objects.filter(title="Day services review").update(venue=cup)

    assert found(client, "library") == ["Carers' coffee morning"]
    assert found(client, "green cup") == ["Carers' panel", "Day services review"]


@pytest.mark.postgres
def test_what_a_session_is_about_ranks_above_where_it_is_held(client):
    library = VenueFactory(name="Northfield Library", area="Northfield")
    OpportunityFactory(in_person=True, venue=library, title="Day services review")
    OpportunityFactory(title="Library services: have your say")

    ranked = client.get(URL, {"q": "library", "sort": "relevance"})

    assert [o.title for o in ranked.context["page_obj"].object_list] == [
        "Library services: have your say",
        "Day services review",
    ]


BEFORE = ("participation", "0015_signup_cancelled_by_and_reason")
PLACES = ("participation", "0016_search_venue_name_and_area")


def _found_in_database(query):
    return sorted(Opportunity.objects.search(query).values_list("title", flat=True))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_sessions_saved_before_the_change_are_found_by_place_and_not_when_undone():
    library = VenueFactory(name="Northfield Library", area="Northfield")
    OpportunityFactory(in_person=True, venue=library, title="Carers' coffee morning")
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE])
    try:
        # Saved again while the old trigger is in place: no place in its vector.
        with connection.cursor() as cursor:
            cursor.execute("UPDATE participation_opportunity SET search_vector = NULL")
        assert _found_in_database("northfield") == []

        executor.loader.build_graph()
        executor.migrate([PLACES])

        assert _found_in_database("northfield") == ["Carers' coffee morning"]

        executor.loader.build_graph()
        executor.migrate([BEFORE])

        assert _found_in_database("northfield") == []
        assert _found_in_database("carers") == ["Carers' coffee morning"]
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
