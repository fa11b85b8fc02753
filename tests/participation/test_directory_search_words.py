"""Searching the directory with the words on its cards: the kind ("focus group"), the topic
("older people"), how people join ("online", "hybrid") and the project's name all find the
sessions they describe (PostgreSQL keeps them in the search vector with triggers, migration
0018; SQLite matches them directly)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from participation.models import Opportunity
from projects import services as project_services
from projects.models import Project, ServiceArea

from .factories import OpportunityFactory, ProjectFactory, ServiceAreaFactory, VenueFactory

pytestmark = pytest.mark.django_db

URL = reverse("participation:directory")
Kind, Format = Opportunity.Kind, Opportunity.Format


def found(client, query, **params):
    response = client.get(URL, {"q": query, **params})
    assert response.status_code == 200
    return sorted(o.title for o in response.context["page_obj"].object_list)


@pytest.fixture
def areas(db):
    return {
        "older": ServiceAreaFactory(name="Older people", slug="older-people"),
        "carers": ServiceAreaFactory(name="Carers", slug="carers"),
    }


@pytest.fixture
def strategy(areas):
    return ProjectFactory(title="Carers strategy refresh", service_area=areas["carers"])


@pytest.fixture
def sessions(areas, strategy):
    """Five sessions whose titles and descriptions never say what kind they are, what they
    are about or how people join: only the cards' "What" and "How" lines do."""
    older, carers = areas["older"], areas["carers"]
    venue = VenueFactory(name="Town Hall", area="Westfield")
    OpportunityFactory(title="Tea and a chat", kind=Kind.FOCUS_GROUP, topic=older)
    OpportunityFactory(
        title="Your views on home care",
        kind=Kind.WORKSHOP,
        topic=carers,
        format=Format.IN_PERSON,
        venue=venue,
    )
    # In the project, with no topic of its own: the project's is theirs.
    OpportunityFactory(
        title="Day centre changes",
        kind=Kind.FOCUS_GROUP,
        project=strategy,
        format=Format.HYBRID,
        venue=venue,
    )
    OpportunityFactory(title="Meals at home", kind=Kind.SURVEY, topic=older, format=Format.PHONE)
    OpportunityFactory(
        title="Respite review",
        kind=Kind.DROP_IN,
        project=strategy,
        format=Format.IN_PERSON,
        venue=venue,
    )


@pytest.mark.parametrize(
    "query, titles",
    [
        ("focus group", ["Day centre changes", "Tea and a chat"]),
        # PostgreSQL matches words by their stem; SQLite's fallback matches the letters.
        pytest.param(
            "Focus groups", ["Day centre changes", "Tea and a chat"], marks=pytest.mark.postgres
        ),
        ("workshop", ["Your views on home care"]),
        ("drop in", ["Respite review"]),
        ("survey", ["Meals at home"]),
        ("older people", ["Meals at home", "Tea and a chat"]),
        # A session in a project with no topic of its own is about the project's.
        ("carers", ["Day centre changes", "Respite review", "Your views on home care"]),
        ("carers strategy", ["Day centre changes", "Respite review"]),
        # A hybrid session can be joined online and in person.
        ("online", ["Day centre changes", "Tea and a chat"]),
        ("in person", ["Day centre changes", "Respite review", "Your views on home care"]),
        ("hybrid", ["Day centre changes"]),
        ("by phone", ["Meals at home"]),
        ("focus group online", ["Day centre changes", "Tea and a chat"]),
        ("workshop online", []),
    ],
)
def test_the_words_on_a_card_find_the_sessions_they_describe(client, sessions, query, titles):
    assert found(client, query) == titles


def test_a_search_and_the_filter_for_the_same_kind_agree(client, sessions):
    assert found(client, "focus group") == found(client, "", kind="focus_group")
    assert found(client, "older people") == found(client, "", topic="older-people")


@pytest.mark.postgres
def test_what_a_session_is_called_ranks_above_how_it_is_held(client):
    OpportunityFactory(title="Tea and a chat", format=Format.ONLINE)
    OpportunityFactory(title="Staying safe online", format=Format.PHONE)

    ranked = client.get(URL, {"q": "online", "sort": "relevance"})

    assert [o.title for o in ranked.context["page_obj"].object_list] == [
        "Staying safe online",
        "Tea and a chat",
    ]


# --- Names that change ---------------------------------------------------------------------


def test_renaming_a_project_changes_what_search_finds(client, sessions, strategy):
    project_services.update_project(
        strategy, by=strategy.owner, title="Looking after the people who care"
    )

    assert found(client, "strategy") == []
    assert found(client, "looking after") == ["Day centre changes", "Respite review"]


def test_a_project_renamed_in_bulk_changes_what_search_finds(client, sessions, strategy):
    # Bulk updates (the admin's actions, data loads) send no signals: the database must.
    Project.objects.filter(pk=strategy.pk).update(title="Short breaks plan")

    assert found(client, "carers strategy") == []
    assert found(client, "short breaks") == ["Day centre changes", "Respite review"]


def test_renaming_a_topic_changes_what_search_finds(client, sessions, areas):
    older = areas["older"]
    older.name = "Later life"
    older.save()

    assert found(client, "older") == []
    assert found(client, "later life") == ["Meals at home", "Tea and a chat"]


def test_renaming_a_projects_topic_changes_what_its_sessions_are_found_by(client, sessions, areas):
    ServiceArea.objects.filter(pk=areas["carers"].pk).update(name="Unpaid carers")

    assert found(client, "unpaid") == [
        "Day centre changes",
        "Respite review",
        "Your views on home care",
    ]


def test_a_project_moved_to_another_topic_takes_its_sessions_with_it(
    client, sessions, strategy, areas
):
    project_services.update_project(strategy, by=strategy.owner, service_area=areas["older"])

    assert found(client, "older people") == [
        "Day centre changes",
        "Meals at home",
        "Respite review",
        "Tea and a chat",
    ]


# --- Every choice can be found ---------------------------------------------------------------


def _has_words(text):
    """Whether PostgreSQL's English search keeps any word of `text` ("Other" is a stop word:
    it says nothing about a session, and nobody can search for it)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT numnode(plainto_tsquery('english', %s)) > 0", [text])
        return cursor.fetchone()[0]


def _found_by(words, **fields):
    session = OpportunityFactory(title="Session", description="Come along.", **fields)
    for phrase in (words, *words.split()):
        if _has_words(phrase):
            found = Opportunity.objects.filter(pk=session.pk).search(phrase).exists()
            assert found, (
                f"Searching {phrase!r} does not find a session with {fields}. A choice added or "
                "relabelled needs a migration that writes the search trigger again: see "
                "participation/migrations/0018_search_kind_format_topic_and_project.py"
            )


@pytest.mark.postgres
@pytest.mark.parametrize("kind, words", Opportunity.search_words("kind").items())
def test_every_kind_is_found_by_its_label(kind, words):
    _found_by(words, kind=kind)


@pytest.mark.postgres
@pytest.mark.parametrize("format, words", Opportunity.search_words("format").items())
def test_every_format_is_found_by_its_label_and_the_words_people_use(format, words):
    _found_by(words, format=format)


def test_the_words_for_each_format_include_its_label_and_what_people_call_it():
    words = Opportunity.search_words("format")

    assert words["online"] == "Online"
    assert words["hybrid"] == "In person or online hybrid"
    assert words["phone"] == "By phone telephone"


# --- The same number of queries ------------------------------------------------------------


def _directory_queries(client, count, **params):
    Opportunity.objects.all().delete()
    project = ProjectFactory(title="Carers strategy refresh")
    for n in range(count):
        OpportunityFactory(
            title=f"Item {n}",
            kind=Kind.FOCUS_GROUP,
            project=project if n % 2 else None,
            venue=VenueFactory() if n % 3 else None,
            format=Format.IN_PERSON if n % 3 else Format.ONLINE,
        )
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL, params)
    assert response.status_code == 200
    assert response.context["result_count"] == count
    return len(captured)


def test_searching_the_directory_takes_as_many_queries_as_listing_it(client):
    listing = _directory_queries(client, 10)
    few = _directory_queries(client, 10, q="focus group")
    many = _directory_queries(client, 60, q="focus group")

    assert few == many == listing


# --- Sessions saved before the change ------------------------------------------------------

BEFORE = ("participation", "0017_created_by_means_who_runs_it")
WORDS = ("participation", "0018_search_kind_format_topic_and_project")


def _found_in_database(query):
    return sorted(Opportunity.objects.search(query).values_list("title", flat=True))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_sessions_saved_before_the_change_are_found_by_their_words_and_not_when_undone():
    area = ServiceAreaFactory(name="Older people", slug="older-people")
    OpportunityFactory(title="Tea and a chat", kind=Kind.FOCUS_GROUP, topic=area)
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE])
    try:
        # Saved again while the old trigger is in place: none of the new words in its vector.
        with connection.cursor() as cursor:
            cursor.execute("UPDATE participation_opportunity SET search_vector = NULL")
        assert _found_in_database("focus group") == []

        executor.loader.build_graph()
        executor.migrate([WORDS])

        assert _found_in_database("focus group") == ["Tea and a chat"]
        assert _found_in_database("older people online") == ["Tea and a chat"]

        executor.loader.build_graph()
        executor.migrate([BEFORE])

        assert _found_in_database("focus group") == []
        assert _found_in_database("tea") == ["Tea and a chat"]
        # The projects' tables have no triggers left behind.
        ServiceArea.objects.filter(pk=area.pk).update(name="Later life")
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
