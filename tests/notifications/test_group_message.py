"""Delivering a message staff wrote to the people signed up for an opportunity."""

import uuid
from unittest import mock

import pytest
from django.core import mail

from notifications.kinds import Category, category_for
from notifications.models import Message
from notifications.tasks import deliver_messages
from notifications.tokens import read_unsubscribe_token
from participation import services
from participation.models import Profile
from tests.participation.factories import OpportunityFactory, SignUpFactory

pytestmark = pytest.mark.django_db


def send(opportunity, staff, *, token=None, subject="Parking", text="Use Mill Lane."):
    return services.message_group(
        opportunity, by=staff, token=token or uuid.uuid4(), subject=subject, text=text
    )


def test_a_message_to_the_group_is_about_a_session_like_a_change_to_it():
    # People who turned off sign-up messages opted out of these too (the category's label
    # names them); nobody loses their claim updates or reminders by turning it off.
    assert category_for("group_message") == category_for("opportunity_changed")
    assert category_for("group_message") == Category.SIGN_UPS


def test_each_person_gets_one_email_after_commit_with_an_unsubscribe_link(
    staff, resident, after_commit
):
    opportunity = OpportunityFactory(created_by=staff, title="Carers' panel")
    SignUpFactory(opportunity=opportunity, resident=resident)

    after_commit(send, opportunity, staff, subject="Bring your ideas")

    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [resident.email]
    assert email.subject == "Bring your ideas"
    assert "Carers' panel" in email.body and "Use Mill Lane." in email.body
    token = email.extra_headers["List-Unsubscribe"].split("/unsubscribe/")[1].rstrip("/>")
    assert read_unsubscribe_token(token) == (resident.pk, "sign_ups")


def test_sending_the_same_token_again_delivers_nothing_more(staff, resident, after_commit):
    opportunity = OpportunityFactory(created_by=staff)
    SignUpFactory(opportunity=opportunity, resident=resident)
    token = uuid.uuid4()

    after_commit(send, opportunity, staff, token=token)
    record, sent_now = after_commit(send, opportunity, staff, token=token)
    deliver_messages(list(Message.objects.values_list("pk", flat=True)))

    assert not sent_now and record.recipient_count == 1
    assert len(mail.outbox) == 1


def test_what_staff_typed_is_escaped_in_the_html_part(staff, resident, after_commit):
    opportunity = OpportunityFactory(created_by=staff)
    SignUpFactory(opportunity=opportunity, resident=resident)

    after_commit(send, opportunity, staff, text="<script>alert(1)</script> {{ secret }}")

    html = mail.outbox[0].alternatives[0][0]
    assert "<script>" not in html and "&lt;script&gt;" in html
    # Typed text is data, never a template: the braces come through as written.
    assert "<script>alert(1)</script> {{ secret }}" in mail.outbox[0].body


def test_a_text_message_carries_the_subject_and_the_message(
    staff, resident, settings, after_commit
):
    settings.NOTIFY_API_KEY = "test-key"
    Profile.objects.create(user=resident, contact_by="text", phone="07700 900123")
    opportunity = OpportunityFactory(created_by=staff, title="Carers' panel")
    SignUpFactory(opportunity=opportunity, resident=resident)

    with mock.patch("notifications.channels._notify_client") as notify:
        after_commit(send, opportunity, staff, subject="Room change", text="We are in room 2.")

    sms = notify.return_value.send_sms_notification.call_args.kwargs
    assert sms["phone_number"] == "07700 900123"
    body = sms["personalisation"]["body"]
    assert "Room change" in body and "We are in room 2." in body and "Carers' panel" in body
    assert Message.objects.get().status == Message.Status.SENT


def test_a_text_too_long_for_a_text_message_is_cut_and_says_how_to_hear_the_rest(
    staff, resident, settings
):
    """Notify refuses texts over 918 characters, and a refused message never arrives."""
    from notifications.services import TEXT_MESSAGE_MAX, queue_message

    settings.NOTIFY_API_KEY = "test-key"
    Profile.objects.create(user=resident, contact_by="text", phone="07700 900123")
    # The form keeps staff's text short; anything longer that reaches a text is still cut.
    queue_message(
        "group_message",
        recipient=resident,
        event_key="group:long",
        context={
            "opportunity": OpportunityFactory(created_by=staff, title="Respite review"),
            "sender": staff,
            "subject": "Long news",
            "text": "We have news. " * 100,
            "easy_read_text": "",
            "waiting": False,
        },
    )

    body = Message.objects.get().body_text
    words, stop_line = body.rsplit("\n", 1)
    assert TEXT_MESSAGE_MAX - 1 <= len(body) <= TEXT_MESSAGE_MAX  # a space at the cut goes
    assert words.endswith(f"Call {settings.SUPPORT_PHONE} for the rest.)")
    assert words.startswith(f"{settings.SITE_NAME}: Long news")
    # The way to stop these texts is never what is cut.
    token = stop_line.removeprefix("Stop these texts: ").split("/unsubscribe/")[1].rstrip("/")
    assert read_unsubscribe_token(token) == (resident.pk, "sign_ups")
