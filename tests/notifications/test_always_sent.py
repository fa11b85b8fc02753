"""Stopping a kind of message never stops what people must hear to keep their place or be
paid: a session cancelled or changed, a place offered or cancelled, a claim with a problem."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse

from notifications.kinds import (
    ALWAYS_SENT,
    ALWAYS_SENT_BECAUSE,
    STILL_SENT,
    category_for,
)
from notifications.models import Message
from notifications.tokens import unsubscribe_token
from participation import services
from participation.models import Profile, SignUp
from participation.templatetags.participation import day_and_clock
from payments import services as payments
from payments.models import Claim
from tests.factories import UserFactory
from tests.participation.factories import OpportunityFactory
from tests.payments.factories import claim_in_state, make_policy

pytestmark = pytest.mark.django_db

SESSIONS_FOOTER = (
    "We always send messages like this, even if you have stopped others, because it is about "
    "a session you signed up for."
)


def stop(client, person, category):
    """The person stops a kind of message with the link at the bottom of an email."""
    client.post(reverse("notifications:unsubscribe", args=[unsubscribe_token(person.pk, category)]))


def statuses(person):
    return dict(Message.objects.filter(recipient=person).values_list("kind", "status"))


def email_to(person, kind):
    subject = Message.objects.get(recipient=person, kind=kind).subject
    (email,) = [e for e in mail.outbox if e.to == [person.email] and e.subject == subject]
    return email


def test_people_who_stopped_session_messages_still_hear_it_was_changed_or_cancelled(
    client, staff, after_commit
):
    opportunity = OpportunityFactory(created_by=staff, title="Carers' lunch and chat")
    person = UserFactory()
    stop(client, person, "sign_ups")

    after_commit(services.sign_up, opportunity, resident=person)
    after_commit(
        services.update_opportunity,
        opportunity,
        by=staff,
        # An hour later: a fixed clock time would be no change at all when the test runs at it.
        starts_at=opportunity.starts_at + timedelta(hours=1),
        ends_at=opportunity.ends_at + timedelta(hours=1),
    )
    after_commit(services.cancel_opportunity, opportunity, by=staff, reason="The room flooded.")

    sent = statuses(person)
    assert sent["signup_confirmed"] == Message.Status.SKIPPED  # confirmations stay optional
    assert sent["opportunity_changed"] == Message.Status.SENT
    assert sent["opportunity_cancelled"] == Message.Status.SENT
    cancelled = email_to(person, "opportunity_cancelled")
    assert "we have had to cancel Carers' lunch and chat" in cancelled.body
    opportunity.refresh_from_db()
    assert f"due to take place on {day_and_clock(opportunity.starts_at)}.\n" in cancelled.body
    # Its footer says why it came, and offers no "stop" link that would not stop it.
    assert SESSIONS_FOOTER in cancelled.body
    assert "/unsubscribe/" not in cancelled.body
    assert "List-Unsubscribe" not in cancelled.extra_headers
    html = cancelled.alternatives[0][0]
    assert "Stop these messages" not in html
    assert reverse("notifications:preferences") in html


def test_a_place_that_comes_up_is_offered_to_someone_who_stopped_session_messages(
    client, staff, after_commit
):
    opportunity = OpportunityFactory(created_by=staff, capacity=1)
    first, second = UserFactory(), UserFactory()
    stop(client, second, "sign_ups")
    booked = services.sign_up(opportunity, resident=first)
    services.sign_up(opportunity, resident=second)

    after_commit(services.cancel_sign_up, booked, by=first)

    assert statuses(second) == {
        "waiting_list_joined": Message.Status.SKIPPED,
        "place_offered": Message.Status.SENT,
    }
    offer = email_to(second, "place_offered")
    assert SignUp.objects.get(resident=second).get_absolute_url() in offer.body
    # Accepting takes signing in and a button: the email says so, not "one click".
    assert "press the “Accept the place” button. You may need to sign in first" in offer.body
    assert "one click" not in offer.body
    assert SESSIONS_FOOTER in offer.body


def test_someone_whose_place_staff_cancelled_is_told_even_after_stopping_session_messages(
    client, staff, after_commit
):
    person = UserFactory()
    stop(client, person, "sign_ups")
    signup = services.sign_up(OpportunityFactory(created_by=staff), resident=person)

    after_commit(services.cancel_sign_up, signup, by=staff)

    assert statuses(person)["signup_cancelled"] == Message.Status.SENT
    assert "We have cancelled your place" in email_to(person, "signup_cancelled").body


def test_people_who_stopped_claim_messages_still_hear_when_a_claim_needs_them(
    client, resident, commissioner, after_commit
):
    make_policy()
    stop(client, resident, "claims")

    returned = after_commit(
        claim_in_state, resident, status=Claim.Status.RETURNED, reviewer=commissioner
    )
    approved = claim_in_state(resident, status=Claim.Status.APPROVED, reviewer=commissioner)
    run = payments.create_payment_run(by=commissioner)
    after_commit(
        payments.take_out_of_run, run, approved, by=commissioner, reason="The bank returned it."
    )

    sent = statuses(resident)
    assert sent["claim_submitted"] == Message.Status.SKIPPED  # a receipt stays optional
    assert sent["claim_returned"] == Message.Status.SENT
    assert sent["claim_not_paid"] == Message.Status.SENT
    email = email_to(resident, "claim_returned")
    assert returned.reference in email.body
    assert "because it is about your claim." in email.body
    assert "/unsubscribe/" not in email.body


def test_stopping_session_messages_leaves_an_offer_on_the_call_list(client, staff):
    opportunity = OpportunityFactory(created_by=staff, capacity=1)
    first, offline = UserFactory(), UserFactory()
    Profile.objects.create(user=offline, contact_by=Profile.ContactBy.POST_OR_PHONE, phone="1")
    booked = services.sign_up(opportunity, resident=first)
    services.sign_up(opportunity, resident=offline)
    services.cancel_sign_up(booked, by=first)

    stop(client, offline, "sign_ups")

    assert statuses(offline) == {
        "waiting_list_joined": Message.Status.SKIPPED,
        "place_offered": Message.Status.CALL_LIST,  # staff still phone to offer the place
    }


def test_optional_messages_still_have_a_stop_link(client, staff, after_commit):
    person = UserFactory()

    after_commit(services.sign_up, OpportunityFactory(created_by=staff), resident=person)

    email = email_to(person, "signup_confirmed")
    assert "Stop these messages: http" in email.body
    assert email.extra_headers["List-Unsubscribe"].startswith("<http")


def test_the_settings_page_says_which_messages_always_come(client, resident):
    client.force_login(resident)

    page = client.get(reverse("notifications:preferences")).content.decode()

    always = re.search(r"We always tell you if:</p>\s*<ul[^>]*>(.*?)</ul>", page, re.S)
    assert always is not None
    assert re.findall(r"<li>(.*?)</li>", always.group(1)) == [
        "a session you booked is cancelled or changed",
        "we cancel your place",
        "a place comes up for you",
        "there is a problem with a claim, or we change how much we will pay you",
    ]


def test_the_stop_page_asks_before_stopping_and_says_what_still_comes(client, resident):
    token = unsubscribe_token(resident.pk, "sign_ups")

    page = client.get(reverse("notifications:unsubscribe", args=[token])).content.decode()

    assert "Do you want to stop these messages?" in page
    assert "You will no longer get" not in page  # nothing has stopped yet
    assert STILL_SENT["sign_ups"] in page


@pytest.mark.parametrize(
    ("signed_in", "words"),
    [(False, "sign in to change your message settings"), (True, "change your message settings")],
)
def test_the_done_page_links_to_the_message_settings(client, resident, signed_in, words):
    if signed_in:
        client.force_login(resident)
    token = unsubscribe_token(resident.pk, "reminders")

    page = client.post(reverse("notifications:unsubscribe", args=[token])).content.decode()

    link = f'<a class="govuk-link" href="{reverse("notifications:preferences")}">{words}</a>'
    assert link in page


def test_every_message_that_always_comes_can_say_why():
    for kind in ALWAYS_SENT:
        assert category_for(kind) in ALWAYS_SENT_BECAUSE
        assert category_for(kind) in STILL_SENT
