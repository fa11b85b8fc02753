"""Messages sent through GOV.UK Notify (its client mocked): e-mails keep the one-click
unsubscribe link and reply-to address the SMTP path gives them, and optional text messages
say how to stop them."""

from types import SimpleNamespace
from unittest import mock

import pytest
from django.core import mail

from notifications import channels, services
from notifications.kinds import category_for
from notifications.models import Message, Unsubscribe
from notifications.tasks import deliver_messages
from notifications.tokens import read_unsubscribe_token
from participation.models import Profile
from tests.participation.factories import OpportunityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def notify(settings):
    settings.NOTIFY_API_KEY = "test-key"
    settings.NOTIFY_EMAIL_TEMPLATE_ID = "email-template"
    settings.NOTIFY_SMS_TEMPLATE_ID = "sms-template"
    with mock.patch("notifications.channels._notify_client") as client:
        yield client.return_value


def queue_update(recipient, event_key="update:1"):
    services.queue_message(
        "we_said_we_did",
        recipient=recipient,
        event_key=event_key,
        context={
            "project": SimpleNamespace(
                title="Day services review", get_absolute_url="/projects/day-services/"
            ),
            "update": SimpleNamespace(said="More evenings", did="We added two", next_steps=""),
        },
    )
    deliver_messages(list(Message.objects.filter(event_key=event_key).values_list("pk", flat=True)))


def test_a_notify_email_carries_the_one_click_unsubscribe_link(resident, notify):
    queue_update(resident)

    sent = notify.send_email_notification.call_args.kwargs
    link = sent["one_click_unsubscribe_url"]
    assert f"Stop these messages: {link}" in sent["personalisation"]["body"]
    token = link.split("/unsubscribe/")[1].rstrip("/")
    assert read_unsubscribe_token(token) == (resident.pk, "updates")


def test_a_notify_email_people_always_get_has_no_unsubscribe_link(resident, notify):
    message = Message(
        pk=1,
        kind="opportunity_cancelled",
        category=category_for("opportunity_cancelled"),
        event_key="opportunity:1:cancelled",
        recipient=resident,
        channel=Message.Channel.EMAIL,
        to_address=resident.email,
        subject="Cancelled: Carers' panel",
        body_text="Sorry, we have cancelled Carers' panel.",
    )

    channels.send_email(message)

    sent = notify.send_email_notification.call_args.kwargs
    assert "one_click_unsubscribe_url" not in sent
    assert "Stop these messages" not in sent["personalisation"]["body"]


def test_notify_emails_use_the_reply_to_address_chosen_in_notify(resident, notify, settings):
    settings.NOTIFY_REPLY_TO_ID = "8e222534-7f05-4972-86e3-17c5d9f894e2"

    queue_update(resident)

    sent = notify.send_email_notification.call_args.kwargs
    assert sent["email_reply_to_id"] == "8e222534-7f05-4972-86e3-17c5d9f894e2"


def test_without_a_reply_to_id_notify_uses_its_default(resident, notify):
    queue_update(resident)

    assert "email_reply_to_id" not in notify.send_email_notification.call_args.kwargs


def test_an_optional_text_message_has_a_link_that_stops_them(client, resident, notify, settings):
    Profile.objects.create(user=resident, contact_by="text", phone="07700 900123")
    queue_update(resident)

    text = notify.send_sms_notification.call_args.kwargs["personalisation"]["body"]
    last_line = text.splitlines()[-1]
    assert last_line.startswith("Stop these texts: ")
    link = last_line.removeprefix("Stop these texts: ")
    # Texts are paid for by the part: the link is much shorter than an e-mail's (~135).
    assert len(link.removeprefix(settings.SITE_URL)) < 50
    path = link.removeprefix(settings.SITE_URL)

    page = client.get(path)
    client.post(path)

    assert "Do you want to stop these messages?" in page.content.decode()
    assert Unsubscribe.objects.filter(user=resident, category="updates").exists()
    queue_update(resident, event_key="update:2")
    assert Message.objects.get(event_key="update:2").status == Message.Status.SKIPPED
    assert notify.send_sms_notification.call_count == 1


def test_a_text_people_always_get_has_no_stop_link(resident):
    Profile.objects.create(user=resident, contact_by="text", phone="07700 900123")

    text = services.render_text_message(
        "claim_rejected",
        {"recipient": resident, "reference": "CL-00001", "reason": "We paid it already"},
        email_body="",
    )

    assert text.startswith("Co-production Hub: sorry, we cannot pay your claim CL-00001.")
    assert "Stop these texts" not in text and "/unsubscribe/" not in text


def _confirmation_through_notify(resident, notify):
    from participation import services as participation

    session = OpportunityFactory(
        title="Carers' panel", format="online", online_details="https://meet.example/panel"
    )
    participation.sign_up(session, resident=resident)
    with mock.patch("participation.calendar.signup_attachment") as build:
        deliver_messages(list(Message.objects.values_list("pk", flat=True)))
    # Notify cannot send the file, so it is not even made.
    build.assert_not_called()
    (call,) = notify.send_email_notification.call_args_list
    return session, call.kwargs["personalisation"]["body"]


def test_a_confirmation_goes_through_notify_with_a_calendar_link_not_a_file(
    client, resident, notify, settings
):
    session, body = _confirmation_through_notify(resident, notify)

    link = f"{settings.SITE_URL}/opportunities/{session.pk}/calendar.ics"
    assert f"Add this session to your calendar: {link}" in body
    assert "attach" not in body.lower()
    assert mail.outbox == []  # no SMTP
    assert Message.objects.get().status == Message.Status.SENT
    # The link gives the session, with the person's own details once they are signed in.
    client.force_login(resident)
    response = client.get(link.removeprefix(settings.SITE_URL))
    assert response["Content-Type"].startswith("text/calendar")
    calendar_text = response.content.decode().replace("\r\n ", "")
    assert "SUMMARY:Carers' panel" in calendar_text
    assert "How to join: https://meet.example/panel" in calendar_text


def test_an_easy_read_confirmation_through_notify_links_to_the_calendar_too(
    resident, notify, settings
):
    Profile.objects.create(user=resident, format=Profile.InformationFormat.EASY_READ)

    session, body = _confirmation_through_notify(resident, notify)

    assert "You have a place at:\nCarers' panel" in body
    link = f"{settings.SITE_URL}/opportunities/{session.pk}/calendar.ics"
    assert f"You can add the session to your calendar.\nUse this link:\n{link}" in body
    assert "attach" not in body.lower() and "file with this message" not in body
    assert mail.outbox == []


def test_ready_made_files_are_left_off_a_notify_email_rather_than_sent_by_smtp(resident, notify):
    message = Message(
        pk=1,
        kind="we_said_we_did",
        category=category_for("we_said_we_did"),
        event_key="update:1",
        recipient=resident,
        channel=Message.Channel.EMAIL,
        to_address=resident.email,
        subject="What we did",
        body_text="We added two evening sessions.",
    )

    channels.send_email(message, attachments=[("note.txt", "Bring a coat", "text/plain")])

    notify.send_email_notification.assert_called_once()
    assert mail.outbox == []
