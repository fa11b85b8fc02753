"""People who asked for easy read or large print get their e-mails that way."""

import re
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core import mail

from notifications import services as notifications
from notifications.models import Message
from notifications.tasks import deliver_messages
from participation import services
from participation.models import Profile

from .factories import OpportunityFactory, ProjectFactory

pytestmark = pytest.mark.django_db

Format = Profile.InformationFormat
TEMPLATES = Path(settings.BASE_DIR) / "templates" / "notifications"
EASY_READ_KINDS = sorted(path.parent.name for path in TEMPLATES.glob("*/easy_read.txt"))


def _wants(person, information_format=Format.STANDARD, **profile):
    Profile.objects.update_or_create(
        user=person, defaults={"format": information_format, **profile}
    )
    return person


def _body(person, kind):
    return Message.objects.get(recipient=person, kind=kind).body_text


def test_someone_who_asked_for_easy_read_gets_easy_read_words(opportunity, make_residents):
    easy, standard = make_residents(2)
    _wants(easy, Format.EASY_READ)

    services.sign_up(opportunity, resident=easy)
    services.sign_up(opportunity, resident=standard)

    easy_body = _body(easy, "signup_confirmed")
    assert "You have a place at:\nCarers' lunch and chat" in easy_body
    assert "please cancel your place.\nThen someone else can come:" in easy_body
    assert "Thank you for signing up" not in easy_body
    assert "Thank you for signing up" in _body(standard, "signup_confirmed")
    # The same facts and links either way.
    signup_link = f"{settings.SITE_URL}/sign-ups/"
    assert signup_link in easy_body and signup_link in _body(standard, "signup_confirmed")


def test_the_waiting_list_and_an_offered_place_come_in_easy_read(make_residents, staff):
    opportunity = OpportunityFactory(capacity=1, created_by=staff, title="Transport forum")
    first, waiting = make_residents(2)
    _wants(waiting, Format.EASY_READ)
    booked = services.sign_up(opportunity, resident=first)
    services.sign_up(opportunity, resident=waiting)

    assert "You are number 1 on the list." in _body(waiting, "waiting_list_joined")

    services.cancel_sign_up(booked, by=first)

    offer = _body(waiting, "place_offered")
    assert offer.startswith(f"Hello {waiting.get_short_name()},\n\nGood news.")
    assert "Do you want the place?\nPlease say yes before:" in offer


def test_a_message_with_no_easy_read_words_uses_the_standard_ones(opportunity, staff):
    # Prompts to staff have no easy read version; someone who asked for it still gets them.
    _wants(staff, Format.EASY_READ)
    notifications.queue_message(
        "staff_update_overdue",
        recipient=staff,
        event_key="overdue:1",
        context={"project": ProjectFactory(), "session_date": date(2026, 3, 2)},
    )

    assert "Please post a short update" in _body(staff, "staff_update_overdue")


def test_staff_read_easy_read_words_from_the_call_list_to_people_who_asked(opportunity, resident):
    _wants(resident, Format.EASY_READ, contact_by="post_or_phone", phone="01632 960000")

    services.sign_up(opportunity, resident=resident)

    message = Message.objects.get(recipient=resident)
    assert message.channel == Message.Channel.CALL_LIST
    assert "You have a place at:" in message.body_text
    assert "Thank you for signing up" not in message.body_text


def test_large_print_e_mails_use_big_type_as_the_person_wants_when_sent(
    opportunity, make_residents
):
    large, standard = make_residents(2)
    services.sign_up(opportunity, resident=large)
    services.sign_up(opportunity, resident=standard)
    # Asked for after the message was written: what they want when it is sent counts.
    _wants(large, large_print=True)

    deliver_messages(list(Message.objects.values_list("pk", flat=True)))

    html = {email.to[0]: email.alternatives[0][0] for email in mail.outbox}
    assert 'style="font-size: 24px; line-height: 1.5;"' in html[large.email]
    assert "font-size" not in html[standard.email]


def test_someone_can_have_easy_read_words_in_large_print(opportunity, make_residents):
    both, easy = make_residents(2)
    _wants(both, Format.EASY_READ, large_print=True)
    _wants(easy, Format.EASY_READ)

    services.sign_up(opportunity, resident=both)
    services.sign_up(opportunity, resident=easy)
    deliver_messages(list(Message.objects.values_list("pk", flat=True)))

    sent = {email.to[0]: email for email in mail.outbox}
    for person in (both, easy):
        assert "You have a place at:\nCarers' lunch and chat" in sent[person.email].body
    big = 'style="font-size: 24px; line-height: 1.5;"'
    html = sent[both.email].alternatives[0][0]
    assert big in html
    assert "You have a place at:<br>Carers&#x27; lunch and chat" in html
    assert big not in sent[easy.email].alternatives[0][0]


def test_every_easy_read_version_keeps_the_standard_versions_links():
    assert len(EASY_READ_KINDS) >= 18
    link = re.compile(r"\{\{ site_url \}\}(?:\{[{%][^}]*[}%]\}|/\S*)|\{\{ \w+_url \}\}")
    for kind in EASY_READ_KINDS:
        standard = (TEMPLATES / kind / "body.txt").read_text()
        easy = (TEMPLATES / kind / "easy_read.txt").read_text()
        assert set(link.findall(easy)) == set(link.findall(standard)), kind


@pytest.mark.parametrize("kind", EASY_READ_KINDS)
def test_every_easy_read_version_renders_with_its_facts(kind, opportunity, resident):
    signup = services.sign_up(opportunity, resident=resident)
    context = {
        "recipient": resident,
        "opportunity": opportunity,
        "signup": signup,
        "position": 3,
        "what_changed": "the time",
        "has_place": True,
        "reason": "The room flooded.",
        "was_waiting": False,
        "by_staff": False,
        "started": False,
        # Claims
        "reference": "C-000042",
        "opportunity_title": opportunity.title,
        "activity_date": date(2026, 3, 2),
        "claim": SimpleNamespace(
            total_pence=2550, approved_total_pence=2550, payment_method="bank", paid_on=None
        ),
        "claim_url": "/claims/42/",
        "returned_on": date(2026, 3, 5),
        # A session's fee corrected after people claimed
        "fee_before": "£50 for a half day",
        "fee_now": "£90 for a full day",
        "fee_before_pence": 5000,
        "top_up_pence": 4000,
        "cancelled_pence": 0,
        "is_paid": True,
        "can_change": True,
        "paid_on": date(2026, 3, 20),
        "paid_pence": 2550,
        # Money asked back after a fee was corrected down
        "fee_now_pence": 2500,
        "asked_back_pence": 2500,
        "received_pence": 1000,
        "received_on": date(2026, 4, 7),
        "still_asked_back_pence": 1500,
        "recovered_pence": 1000,
        "not_asked_for_pence": 1500,
        # ...and the fee corrected back up, or the payment back from the bank
        "paid_back_pence": 2500,
        "fee_paid_pence": 5000,
        "owed_back_pence": 1000,
        # Taxis
        "note": "From home and back.",
        "place_url": "/sign-ups/1/",
        "claims_url": "/claims/",
        "target_days": 10,
        "on_behalf": False,
        "advice_name": "Citizens Advice",
        "advice_url": "https://advice.example/benefits",
        "advice_phone": "0800 000 000",
        # The survey
        "survey_url": "https://hub.example/survey/abc/",
        "closes_at": date(2026, 3, 16),
        # A message from staff
        "subject": "Parking",
        "text": "Use the back gate.",
        "easy_read_text": "",
        "sender": None,
        "waiting": True,
        # New opportunities
        "opportunities": [opportunity],
        # "We said, we did"
        "project": ProjectFactory(title="Carers' lunch and chat"),
        "update": SimpleNamespace(said="Too far", did="Moved it", next_steps="", easy_read=""),
    }

    body = notifications.render_message(kind, context)[1]
    easy = notifications.body_in_format(kind, "easy_read.txt", context, body)

    assert easy != body
    assert easy.startswith(f"Hello {resident.get_short_name()},")
    assert "Carers' lunch and chat" in easy
    assert "None" not in easy and "\n\n\n" not in easy
