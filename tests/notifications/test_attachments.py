"""Files sent with messages: built when the message is sent, not when it is queued."""

import re
from pathlib import Path

import pytest
from django.core import mail

from notifications import services
from notifications.models import Message
from notifications.tasks import deliver_messages
from participation.models import SignUp
from tests.participation.factories import OpportunityFactory, SignUpFactory

pytestmark = pytest.mark.django_db


def queue_confirmation(signup):
    services.queue_message(
        "signup_confirmed",
        recipient=signup.resident,
        event_key=f"signup:{signup.pk}:test",
        context={"signup": signup, "opportunity": signup.opportunity},
        attachments=[services.late_attachment("signup_calendar", signup=signup.pk)],
    )
    return Message.objects.get(recipient=signup.resident)


def test_the_outbox_keeps_what_to_build_and_the_email_carries_the_file(resident):
    signup = SignUpFactory(resident=resident, opportunity=OpportunityFactory(title="Lunch"))

    message = queue_confirmation(signup)
    assert "BEGIN:VCALENDAR" not in str(message.attachments)
    deliver_messages([message.pk])

    ((filename, text, mimetype),) = mail.outbox[0].attachments
    assert filename == f"opportunity-{signup.opportunity_id}.ics"
    assert mimetype == "text/calendar"
    assert "SUMMARY:Lunch" in text and "STATUS:CONFIRMED" in text


def test_by_smtp_a_confirmation_has_the_file_and_the_same_link_as_through_notify(
    resident, settings
):
    signup = SignUpFactory(resident=resident, opportunity=OpportunityFactory(title="Lunch"))

    deliver_messages([queue_confirmation(signup).pk])

    (email,) = mail.outbox
    (filename,) = [name for name, _, _ in email.attachments]
    assert filename == f"opportunity-{signup.opportunity_id}.ics"
    link = f"{settings.SITE_URL}/opportunities/{signup.opportunity_id}/calendar.ics"
    assert f"Add this session to your calendar: {link}" in email.body
    assert f'href="{link}"' in email.alternatives[0][0]


def test_no_message_says_a_file_is_attached(settings):
    # Through GOV.UK Notify no file goes with any e-mail, and by SMTP a late one may be gone
    # by the time it is sent: words promising one would be wrong.
    promises = re.compile(r"attach|file with this (message|email)", re.IGNORECASE)
    templates = Path(settings.BASE_DIR) / "templates" / "notifications"
    saying = [
        str(path.relative_to(templates))
        for path in sorted(templates.glob("*/*.txt"))
        # What people read, not the notes to whoever edits the template.
        if promises.search(re.sub(r"\{#.*?#\}", "", path.read_text()))
    ]
    assert saying == []


def test_the_file_shows_the_session_as_it_is_when_the_email_goes(resident):
    signup = SignUpFactory(resident=resident, opportunity=OpportunityFactory(title="Lunch"))
    message = queue_confirmation(signup)

    signup.opportunity.title = "Lunch and chat"
    signup.opportunity.save()
    deliver_messages([message.pk])

    ((_, text, _),) = mail.outbox[0].attachments
    assert "SUMMARY:Lunch and chat" in text


def test_the_email_still_goes_without_the_file_if_the_place_is_gone(resident):
    signup = SignUpFactory(resident=resident)
    message = queue_confirmation(signup)

    SignUp.objects.filter(pk=signup.pk).delete()
    deliver_messages([message.pk])

    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert mail.outbox[0].attachments == []


def test_ready_made_files_are_sent_as_they_are(resident):
    signup = SignUpFactory(resident=resident)
    services.queue_message(
        "signup_confirmed",
        recipient=resident,
        event_key="signup:ready-made",
        context={"signup": signup, "opportunity": signup.opportunity},
        attachments=[("note.txt", "Bring a coat", "text/plain")],
    )

    deliver_messages([Message.objects.get().pk])

    assert mail.outbox[0].attachments == [("note.txt", "Bring a coat", "text/plain")]


def test_an_unknown_kind_of_file_is_refused_when_queued():
    with pytest.raises(ValueError, match="ATTACHMENT_BUILDERS"):
        services.late_attachment("boarding_pass", signup=1)
