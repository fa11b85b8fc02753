"""Shared copies of public pages: fast for visitors, never stale after a change, never personal."""

import pytest
from django.contrib.messages import constants as message_levels
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coprod_hub.lib import page_cache
from participation.models import SignUp
from tests.participation.factories import OpportunityFactory, SignUpFactory
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _copies_on(settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 60


def test_a_visitor_gets_the_same_page_again_without_touching_the_database(
    client, django_assert_num_queries
):
    opportunity = OpportunityFactory(title="Shaping home care")
    url = reverse("participation:detail", args=[opportunity.pk])
    first = client.get(url)

    with django_assert_num_queries(0):
        again = client.get(url)

    assert again.status_code == 200
    assert again.content == first.content
    assert "Shaping home care" in again.content.decode()


def test_a_new_opportunity_shows_in_the_directory_at_once(client):
    OpportunityFactory(title="Carers' café planning")
    client.get(reverse("participation:directory"))

    OpportunityFactory(title="Day services review")

    page = client.get(reverse("participation:directory")).content.decode()
    assert "Day services review" in page
    assert "Carers&#x27; café planning" in page


def test_places_left_change_as_soon_as_someone_signs_up(client):
    opportunity = OpportunityFactory(capacity=3)
    url = reverse("participation:detail", args=[opportunity.pk])
    assert "3 places left of 3" in client.get(url).content.decode()

    SignUpFactory(opportunity=opportunity, status=SignUp.Status.BOOKED)

    assert "2 places left of 3" in client.get(url).content.decode()


def test_each_search_has_its_own_copy(client):
    OpportunityFactory(title="Transport to day centres")
    OpportunityFactory(title="Respite for carers")
    url = reverse("participation:directory")

    transport = client.get(url, {"q": "transport"}).content.decode()
    carers = client.get(url, {"q": "carers"}).content.decode()

    assert "Transport to day centres" in transport
    assert "Respite for carers" not in transport
    assert "Respite for carers" in carers


def test_signed_in_people_never_see_a_visitors_copy(client, resident):
    ProjectFactory(title="Direct payments review")
    url = reverse("projects:list")
    assert "Sign in" in client.get(url).content.decode()

    client.force_login(resident)
    page = client.get(url).content.decode()

    assert "Sign out" in page
    assert "Your involvement" in page


def test_a_signed_in_page_is_never_kept_for_visitors(client, resident):
    ProjectFactory(title="Direct payments review")
    url = reverse("projects:list")
    client.force_login(resident)
    client.get(url)
    client.logout()

    page = client.get(url).content.decode()

    assert "Sign out" not in page
    assert "Rita Resident" not in page


def test_a_visitor_with_a_message_waiting_gets_a_fresh_page(client):
    url = reverse("projects:list")
    client.get(url)
    request = RequestFactory().get("/")
    storage = CookieStorage(request)
    encoded = storage._encode([Message(message_levels.SUCCESS, "You have signed out.")])
    client.cookies[storage.cookie_name] = encoded

    page = client.get(url).content.decode()

    assert "You have signed out." in page


def test_the_search_form_carries_no_csrf_token(client):
    """It is sent with GET: a token in it would end up in the address, and in logs."""
    page = client.get(reverse("participation:directory"), {"q": "carers"}).content.decode()

    assert "csrfmiddlewaretoken" not in page


def test_copies_can_be_turned_off(client, settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    opportunity = OpportunityFactory()
    url = reverse("participation:detail", args=[opportunity.pk])
    client.get(url)

    with CaptureQueriesContext(connection) as queries:
        client.get(url)

    assert len(queries) > 0


def test_a_kept_value_is_reused_until_its_generation_changes():
    renders = []

    def render():
        renders.append(1)
        return f"<p>render {len(renders)}</p>"

    first = page_cache.cached_value("claims", ["?status=submitted"], render)
    again = page_cache.cached_value("claims", ["?status=submitted"], render)
    page_cache.start_new_generation("claims")
    after_change = page_cache.cached_value("claims", ["?status=submitted"], render)

    assert first == again == "<p>render 1</p>"
    assert after_change == "<p>render 2</p>"


def test_copies_made_by_other_code_are_never_served(client, settings, django_assert_num_queries):
    """After a deploy, a copy the old code made (its words, its style sheet names) is not."""
    opportunity = OpportunityFactory(title="Shaping home care")
    url = reverse("participation:detail", args=[opportunity.pk])
    settings.RELEASE = "before"
    page_cache.release.cache_clear()
    try:
        client.get(url)
        with django_assert_num_queries(0):
            client.get(url)  # the same code: its copy

        settings.RELEASE = "after"
        page_cache.release.cache_clear()
        with CaptureQueriesContext(connection) as queries:
            fresh = client.get(url)
    finally:
        page_cache.release.cache_clear()

    assert len(queries) > 0  # made again by the new code
    assert "Shaping home care" in fresh.content.decode()


def test_without_a_release_name_the_code_is_named_by_its_files(settings, tmp_path):
    settings.RELEASE = ""
    page_cache.release.cache_clear()
    try:
        named = page_cache.release()
        assert len(named) == 12 and named == page_cache.release()
        settings.BASE_DIR = tmp_path  # other files, another name
        (tmp_path / "templates").mkdir()
        (tmp_path / "templates" / "page.html").write_text("<p>Hello</p>")
        page_cache.release.cache_clear()
        assert page_cache.release() != named
    finally:
        page_cache.release.cache_clear()
