"""The signed-in person's account is kept in the cache between requests, and a change to
them (a new password, a role taken away, an account closed) counts from the next page."""

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from coprod_hub.users import kept_people
from coprod_hub.users.models import User
from coprod_hub.users.roles import Role
from coprod_hub.users.services import revoke_role

pytestmark = pytest.mark.django_db

REVIEW = "/claims/review/"


@pytest.fixture(autouse=True)
def _keep_people(caching_as_in_production):
    pass


def signed_in(user) -> Client:
    """A browser signed in as `user` a while ago: their account is kept from the next page."""
    client = Client()
    client.force_login(user)
    # Signing in saves the person, which leaves a short "changing" marker; it has gone by now.
    cache.delete(kept_people._key(user.pk))
    client.get("/hello/")
    return client


def test_a_signed_in_page_needs_no_query_for_the_person(commissioner, django_assert_num_queries):
    client = signed_in(commissioner)

    with django_assert_num_queries(0):
        response = client.get("/hello/")

    assert response.wsgi_request.user == commissioner
    assert response.wsgi_request.user.has_role(Role.COMMISSIONER)


def test_a_role_taken_away_counts_from_the_next_page(commissioner):
    client = signed_in(commissioner)
    assert client.get(REVIEW).status_code == 200

    revoke_role(User.objects.get(pk=commissioner.pk), Role.COMMISSIONER)

    assert client.get(REVIEW).status_code == 403


def test_a_person_taken_out_of_a_group_from_the_group_s_side_loses_it_too(commissioner):
    client = signed_in(commissioner)
    group = Group.objects.get(name=Role.COMMISSIONER)

    group.user_set.remove(commissioner)

    assert client.get(REVIEW).status_code == 403


def test_emptying_a_group_counts_for_everyone_in_it(commissioner):
    client = signed_in(commissioner)

    Group.objects.get(name=Role.COMMISSIONER).user_set.clear()

    assert client.get(REVIEW).status_code == 403


def test_a_new_password_signs_out_every_other_session(resident):
    client = signed_in(resident)
    assert client.get(reverse("participation:my")).status_code == 200

    person = User.objects.get(pk=resident.pk)
    person.set_password("a whole new passphrase")
    person.save()

    response = client.get(reverse("participation:my"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_a_closed_account_is_signed_out_at_once(resident):
    client = signed_in(resident)

    person = User.objects.get(pk=resident.pk)
    person.is_active = False
    person.save()

    assert client.get(reverse("participation:my")).status_code == 302


def test_a_row_read_before_a_change_committed_is_not_kept(resident):
    kept_people.forget([resident.pk])

    loaded = kept_people.load(resident.pk)

    assert loaded == resident
    assert cache.get(kept_people._key(resident.pk)) == kept_people.CHANGING


def test_nobody_is_kept_when_keeping_is_off(resident, settings):
    settings.SIGNED_IN_PERSON_CACHE_SECONDS = 0
    cache.delete(kept_people._key(resident.pk))

    kept_people.load(resident.pk)

    assert cache.get(kept_people._key(resident.pk)) is None


def test_an_unknown_person_is_nobody(db):
    assert kept_people.load(987654321) is None
