"""What messages say we pay for fits how the session is held, as the claim pages do: nobody
travels to a session held only online or by phone, so its messages promise the costs of
taking part (phone or data, care cover) and never travel."""

import pytest

from notifications import services as notifications
from participation.models import Opportunity
from tests.participation.factories import OpportunityFactory, SignUpFactory

pytestmark = pytest.mark.django_db

# Every message that tells people what we pay for, or asks what they paid out.
KINDS = ["signup_confirmed", "new_opportunity_alert", "claim_prompt", "opportunity_cancelled"]


def _words(kind, opportunity, resident):
    """The e-mail and easy read words of `kind` about `opportunity`."""
    signup = SignUpFactory(opportunity=opportunity, resident=resident)
    context = {"recipient": resident, "opportunity": opportunity, "signup": signup}
    _, body = notifications.render_message(kind, context)
    easy_read = notifications.body_in_format(kind, "easy_read.txt", context, body)
    return body, easy_read


@pytest.mark.parametrize("format", [Opportunity.Format.ONLINE, Opportunity.Format.PHONE])
@pytest.mark.parametrize("kind", KINDS)
def test_messages_about_a_session_nobody_travels_to_never_mention_travel(kind, format, resident):
    opportunity = OpportunityFactory(format=format, fee_basis=Opportunity.FeeBasis.HALF_DAY)

    body, easy_read = _words(kind, opportunity, resident)

    assert "travel" not in body.lower()
    assert "travel" not in easy_read.lower()


@pytest.mark.parametrize("kind", ["signup_confirmed", "new_opportunity_alert", "claim_prompt"])
def test_easy_read_promises_the_costs_of_taking_part_online(kind, resident):
    opportunity = OpportunityFactory(format=Opportunity.Format.ONLINE)

    _, easy_read = _words(kind, opportunity, resident)

    assert "We pay for costs of taking part, such as phone or data, or care cover." in easy_read


@pytest.mark.parametrize("kind", ["signup_confirmed", "new_opportunity_alert", "claim_prompt"])
def test_easy_read_promises_travel_to_a_session_in_a_room(kind, resident):
    opportunity = OpportunityFactory(in_person=True)

    _, easy_read = _words(kind, opportunity, resident)

    assert "We pay for your travel and other costs." in easy_read
    assert "phone or data" not in easy_read


def test_a_paid_online_session_offers_costs_only_without_the_fee(resident):
    opportunity = OpportunityFactory(
        format=Opportunity.Format.ONLINE, fee_basis=Opportunity.FeeBasis.HALF_DAY
    )

    _, easy_read = _words("claim_prompt", opportunity, resident)

    assert "You can choose to get money only for your costs of taking part." in easy_read


def test_a_cancelled_online_session_asks_only_about_care_cover(resident):
    opportunity = OpportunityFactory(format=Opportunity.Format.ONLINE)

    body, easy_read = _words("opportunity_cancelled", opportunity, resident)

    assert "Did you already pay for care cover for this session?" in body
    assert "Did you pay someone to look after a person you care for?" in easy_read


def test_a_cancelled_session_in_a_room_asks_about_travel_too(resident):
    opportunity = OpportunityFactory(in_person=True)

    body, easy_read = _words("opportunity_cancelled", opportunity, resident)

    assert "Did you already pay for travel or care cover for this session?" in body
    assert "Did you already pay for travel?\nOr did you pay someone" in easy_read
