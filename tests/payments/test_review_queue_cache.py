"""The claims queue is worked out once for all commissioners and replaced when a claim changes."""

import pytest
from django.urls import reverse

from payments import services
from payments.models import Claim
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _copies_on(settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 60


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
