"""The claims queue is worked out once for all commissioners and replaced when a claim changes."""

import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from coprod_hub.lib import page_cache
from coprod_hub.users import kept_people
from payments import services
from payments.models import Claim
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _copies_on(settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 60


@pytest.mark.usefixtures("caching_as_in_production")
def test_a_second_look_at_the_queue_only_loads_who_is_signed_in(
    client, commissioner, make_claim, resident, django_assert_max_num_queries
):
    claim = make_claim(resident)
    client.force_login(commissioner)
    client.get(reverse("payments:review"))

    with django_assert_max_num_queries(2):  # the person and their roles
        page = client.get(reverse("payments:review")).content.decode()

    assert claim.reference in page


def test_a_decision_takes_the_claim_off_the_queue_at_once(
    client, commissioner, make_claim, resident
):
    claim = make_claim(resident)
    client.force_login(commissioner)
    assert claim.reference in client.get(reverse("payments:review")).content.decode()

    services.approve_claim(claim, by=commissioner)

    page = client.get(reverse("payments:review")).content.decode()
    assert claim.reference not in page
    assert "0 claims waiting for a decision" in page


def test_a_new_claim_shows_at_once(client, commissioner, make_claim, resident):
    client.force_login(commissioner)
    client.get(reverse("payments:review"))

    claim = make_claim(resident)

    assert claim.reference in client.get(reverse("payments:review")).content.decode()


def test_each_commissioner_sees_the_shared_queue_under_their_own_name(
    client, commissioner, make_claim, resident
):
    claim = make_claim(resident, status=Claim.Status.SUBMITTED)
    other = UserFactory(display_name="Cora Commissioner", roles=["commissioner"])
    client.force_login(commissioner)
    client.get(reverse("payments:review"))

    client.force_login(other)
    response = client.get(reverse("payments:review"))
    page = response.content.decode()

    assert claim.reference in page
    assert "Connor Commissioner" not in page
    # The sign-out form carries this person's own CSRF token, never one kept from before.
    assert page.count("csrfmiddlewaretoken") == 1


def test_filters_have_their_own_copies(client, commissioner, make_claim, resident):
    waiting = make_claim(resident)
    approved = make_claim(resident, status=Claim.Status.APPROVED, reviewer=commissioner)
    client.force_login(commissioner)

    default = client.get(reverse("payments:review")).content.decode()
    everything = client.get(reverse("payments:review"), {"status": "all"}).content.decode()

    assert waiting.reference in default and approved.reference not in default
    assert waiting.reference in everything and approved.reference in everything


def _csrf_token(page: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


@pytest.mark.usefixtures("caching_as_in_production")
def test_a_kept_page_needs_no_database_once_the_person_is_kept_too(
    client, commissioner, make_claim, resident, django_assert_num_queries
):
    claim = make_claim(resident)
    client.force_login(commissioner)
    # Signing in leaves a short "changing" marker in place of the person's kept account.
    cache.delete(kept_people._key(commissioner.pk))
    client.get(reverse("payments:review"))

    with django_assert_num_queries(0):
        page = client.get(reverse("payments:review")).content.decode()

    assert claim.reference in page


def test_the_token_in_a_kept_page_is_the_person_s_own_and_works(commissioner):
    other = UserFactory(roles=["commissioner"])
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first.force_login(commissioner)
    second.force_login(other)
    first_page = first.get(reverse("payments:review")).content.decode()

    second_page = second.get(reverse("payments:review")).content.decode()
    again = second.get(reverse("payments:review")).content.decode()

    tokens = {_csrf_token(first_page), _csrf_token(second_page), _csrf_token(again)}
    assert len(tokens) == 3  # masked afresh for every page, as Django does
    assert page_cache.csrf_token_placeholder() not in second_page + again
    signed_out = second.post(reverse("account_logout"), {"csrfmiddlewaretoken": _csrf_token(again)})
    assert signed_out.status_code == 302
    assert "_auth_user_id" not in second.session


def test_people_with_other_roles_get_their_own_menu(client, commissioner):
    also_moderator = UserFactory(roles=["commissioner", "moderator"])
    client.force_login(commissioner)
    assert "Moderation" not in client.get(reverse("payments:review")).content.decode()

    client.force_login(also_moderator)

    assert "Moderation" in client.get(reverse("payments:review")).content.decode()


def test_a_message_for_the_person_is_never_kept_or_missed(
    client, commissioner, make_claim, resident
):
    claim = make_claim(resident)
    client.force_login(commissioner)
    client.get(reverse("payments:review"))

    approved = client.post(reverse("payments:approve", args=[claim.pk]), follow=True)
    after = client.get(reverse("payments:review")).content.decode()

    assert f"Claim {claim.reference} from" in approved.content.decode()
    assert f"Claim {claim.reference} from" not in after
