"""The names the scanner looks for: the people the hub knows (users, and the contacts named
on projects and opportunities), read in one query and then kept for a minute."""

from datetime import timedelta

import pytest
from django.utils import timezone

from learning import services
from learning.models import Entry
from tests.factories import OpportunityFactory, ProjectFactory, UserFactory

from .factories import submit

pytestmark = pytest.mark.django_db


def _opportunity(**fields):
    return OpportunityFactory(starts_at=timezone.now() + timedelta(days=7), **fields)


def test_it_includes_users_and_the_contacts_of_projects_and_opportunities(resident):
    ProjectFactory(contact_name="Paula Project", owner=UserFactory(display_name="Oli Owner"))
    _opportunity(contact_name="Bola Adeyemi", created_by=UserFactory(display_name="Cy Creator"))

    names = services.known_names()

    assert {"Rita Resident", "Paula Project", "Bola Adeyemi", "Oli Owner", "Cy Creator"} <= set(
        names
    )


def test_an_opportunity_contact_named_in_an_entry_is_found(db):
    _opportunity(contact_name="Bola Adeyemi")

    entry = submit(text="Bola was really patient with us.")

    assert [(f.kind, f.snippet) for f in entry.findings.all()] == [("name", "Bola")]
    assert Entry.objects.get().findings.count() == 1


def test_known_peoples_surnames_on_their_own_are_hidden_for_the_moderator(client, moderator):
    UserFactory(display_name="David Nwosu")
    _opportunity(contact_name="Daniel Okafor")

    entry = submit(
        text="Nwosu gave me a lift every week and Okafor always saved me a seat by the door."
    )

    assert [(f.kind, f.snippet) for f in entry.findings.all()] == [
        ("name", "Nwosu"),
        ("name", "Okafor"),
    ]
    client.force_login(moderator)
    page = client.get(entry.get_moderation_url()).text
    assert '<mark class="hub-highlight">[name]</mark> gave me a lift' in page
    assert '<mark class="hub-highlight">[name]</mark> always saved me' in page
    assert "2 still need a decision" in page


def test_each_name_appears_once_sorted_and_without_spaces_around_it(db):
    UserFactory(display_name="Zara Zed")
    UserFactory(display_name="Zara Zed")
    ProjectFactory(contact_name=" Zara Zed ", owner=UserFactory(display_name="Al Able"))
    _opportunity(contact_name="Zara Zed", created_by=UserFactory(display_name="Al Able"))

    names = services.known_names()

    assert names == tuple(sorted(set(names)))
    assert names.count("Zara Zed") == 1


def test_account_names_that_are_not_a_person_are_left_out(db):
    UserFactory(display_name="Hub Administrator")
    _opportunity(contact_name="Council Switchboard")

    names = services.known_names()

    assert "Hub Administrator" not in names
    assert "Council Switchboard" not in names


def test_it_reads_every_name_in_one_query_and_then_uses_the_cache(django_assert_num_queries):
    UserFactory.create_batch(3)
    ProjectFactory(contact_name="Paula Project")
    _opportunity(contact_name="Bola Adeyemi")

    with django_assert_num_queries(1):
        first = services.known_names()
    with django_assert_num_queries(0):
        assert services.known_names() == first
