"""A claim no commissioner may decide, as commissioners read it: the conflict of interest that
causes it declared by keyboard, then the conflicts page, the review queue and the claim's page.
Each is accessible and fits a 320px screen."""

import pytest

from coprod_hub.users.roles import Role
from payments.models import ConflictOfInterest
from tests.factories import UserFactory
from tests.payments.factories import claim_in_state, make_policy

from .test_payments_journey import activate, shot, tab_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_claim_nobody_may_decide_says_so_on_every_page(page, axe, fits_320, sign_in):
    make_policy()
    UserFactory(display_name="Ada Admin", roles=[], is_superuser=True, is_staff=True)
    first = UserFactory(display_name="Connor Hughes", roles=[Role.COMMISSIONER])
    second = UserFactory(display_name="Cleo Second", roles=[Role.COMMISSIONER])
    person = UserFactory(display_name="Priya Shah")
    ConflictOfInterest.objects.create(commissioner=first, person=person, reason="My sister")
    claim = claim_in_state(person)
    sign_in(second)

    page.goto("/payments/conflicts/")
    tab_to(page, page.get_by_label("Email address of the person"))
    page.keyboard.type(person.email)
    page.keyboard.press("Tab")
    page.keyboard.type("My neighbour")
    activate(page, page.get_by_role("button", name="Declare conflict"))

    banner = page.locator(".govuk-notification-banner--success")
    assert f"No commissioner may now decide this claim of theirs: {claim.reference}." in (
        banner.inner_text()
    )
    assert page.get_by_role("link", name=claim.reference).is_visible()
    axe(page)
    fits_320()
    shot(page, "20-conflict-leaves-nobody")

    page.goto("/claims/review/")
    assert page.get_by_text("No commissioner may decide 1 sent claim").is_visible()
    page.set_viewport_size({"width": 320, "height": 800})
    shot(page, "21-queue-nobody-may-decide")
    axe(page)
    fits_320(tables=True)

    page.goto(claim.get_absolute_url())
    assert page.get_by_text("No commissioner may decide this claim.").is_visible()
    axe(page)
    fits_320()
    shot(page, "22-claim-nobody-may-decide")
