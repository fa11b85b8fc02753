"""What can be claimed as expenses fits how the session was held: nobody travels to a session
held only online or by phone, so its pages never mention travel and offer no journeys (but
phone or data, and care cover); phone or data is offered only for a session held online."""

import re

import pytest
from django.urls import reverse

from participation.models import Opportunity, SignUp
from payments import services
from payments.models import ClaimLine
from payments.services import PaymentError

from .factories import OpportunityFactory, SignUpFactory

pytestmark = pytest.mark.django_db

JOURNEYS = ["public_transport", "mileage", "taxi", "parking"]


def _attended(resident, format):
    venue = {} if format == Opportunity.Format.IN_PERSON else {"venue": None}
    return SignUpFactory(resident=resident, opportunity=OpportunityFactory(format=format, **venue))


def _offered(page: str) -> set[str]:
    """The kinds of expense the form's radios offer."""
    return set(re.findall(r'name="category" type="radio" value="(\w+)"', page))


@pytest.mark.parametrize("format", [Opportunity.Format.PHONE, Opportunity.Format.ONLINE])
def test_a_session_nobody_travelled_to_says_nothing_of_travel_on_the_start_page(
    client, policy, resident, format
):
    signup = _attended(resident, format)
    client.force_login(resident)

    page = client.get(reverse("payments:start", args=[signup.pk])).content.decode()

    assert "You can claim costs of taking part, such as phone or data, or care cover." in page
    assert "travel" not in page.lower()


def test_a_session_in_a_room_still_offers_travel(client, policy, resident):
    signup = _attended(resident, Opportunity.Format.IN_PERSON)
    client.force_login(resident)

    page = client.get(reverse("payments:start", args=[signup.pk])).content.decode()

    assert "You can claim travel and other costs of taking part." in page


@pytest.mark.parametrize("format", [Opportunity.Format.PHONE, Opportunity.Format.ONLINE])
def test_a_session_nobody_travelled_to_offers_phone_or_data_and_care_cover_but_no_journeys(
    client, policy, resident, format
):
    claim = services.start_claim(_attended(resident, format), by=resident)
    client.force_login(resident)

    page = client.get(reverse("payments:expense_add", args=[claim.pk])).content.decode()

    assert _offered(page) == {"care_cover", "childcare", "meals", "phone_data"}
    assert "travel" not in page.lower() and "mileage" not in page.lower()
    assert "For example, the phone call or mobile data used to take part." in page


@pytest.mark.parametrize(
    ("format", "offered"),
    [
        (Opportunity.Format.IN_PERSON, {*JOURNEYS, "care_cover", "childcare", "meals"}),
        (Opportunity.Format.HYBRID, {*JOURNEYS, "care_cover", "childcare", "meals", "phone_data"}),
    ],
)
def test_a_session_people_could_travel_to_offers_journeys(
    client, policy, resident, format, offered
):
    claim = services.start_claim(_attended(resident, format), by=resident)
    client.force_login(resident)

    page = client.get(reverse("payments:expense_add", args=[claim.pk])).content.decode()

    assert _offered(page) == offered


def test_a_journey_to_a_phone_session_is_refused_with_the_reason(client, policy, resident):
    claim = services.start_claim(_attended(resident, Opportunity.Format.PHONE), by=resident)
    client.force_login(resident)

    response = client.post(
        reverse("payments:expense_add", args=[claim.pk]),
        {"category": "public_transport", "description": "Bus", "amount": "4.60"},
    )

    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    assert not ClaimLine.objects.filter(kind="expense").exists()
    with pytest.raises(PaymentError, match="online or by phone"):
        services.save_expense(
            claim,
            by=resident,
            category="mileage",
            description="",
            amount_pence=None,
            miles=4,
        )


def test_the_place_page_of_a_phone_session_offers_phone_or_data_not_travel(
    client, policy, resident
):
    signup = _attended(resident, Opportunity.Format.PHONE)
    client.force_login(resident)

    page = client.get(signup.get_absolute_url()).content.decode()

    assert "We pay your expenses, such as phone or data, or care cover while you take part" in page
    assert "such as travel" not in page


# --- Hybrid sessions: what someone joining online can claim ---------------------------------


def _joined_hybrid(resident, joining):
    return SignUpFactory(
        resident=resident,
        opportunity=OpportunityFactory(format=Opportunity.Format.HYBRID),
        joining=joining,
    )


def test_someone_who_joined_a_hybrid_session_online_is_not_offered_journeys(
    client, policy, resident
):
    signup = _joined_hybrid(resident, SignUp.Joining.ONLINE)
    client.force_login(resident)

    start = client.get(reverse("payments:start", args=[signup.pk])).content.decode()
    claim = services.start_claim(signup, by=resident)
    page = client.get(reverse("payments:expense_add", args=[claim.pk])).content.decode()

    assert "You can claim costs of taking part, such as phone or data, or care cover." in start
    assert "travel" not in start.lower()
    assert _offered(page) == {"care_cover", "childcare", "meals", "phone_data"}
    assert "travel" not in page.lower() and "mileage" not in page.lower()


def test_a_journey_by_someone_who_joined_a_hybrid_session_online_is_refused(
    client, policy, resident
):
    claim = services.start_claim(_joined_hybrid(resident, SignUp.Joining.ONLINE), by=resident)
    client.force_login(resident)

    response = client.post(
        reverse("payments:expense_add", args=[claim.pk]),
        {"category": "public_transport", "description": "Bus", "amount": "4.60"},
    )

    assert "govuk-error-summary" in response.content.decode()
    assert not ClaimLine.objects.filter(kind="expense").exists()
    with pytest.raises(PaymentError, match="joined online"):
        services.save_expense(
            claim, by=resident, category="mileage", description="", amount_pence=None, miles=4
        )


def test_someone_who_came_to_a_hybrid_session_in_person_is_offered_journeys_and_phone_or_data(
    client, policy, resident
):
    signup = _joined_hybrid(resident, SignUp.Joining.IN_PERSON)
    client.force_login(resident)

    start = client.get(reverse("payments:start", args=[signup.pk])).content.decode()
    claim = services.start_claim(signup, by=resident)
    page = client.get(reverse("payments:expense_add", args=[claim.pk])).content.decode()

    assert "You can claim travel and other costs of taking part." in start
    assert _offered(page) == {*JOURNEYS, "care_cover", "childcare", "meals", "phone_data"}
