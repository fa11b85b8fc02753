"""How a message leaves the hub: email through Django's email backend, or GOV.UK Notify
for email and text messages when NOTIFY_API_KEY is set.

Notify cannot attach files such as calendar (.ics) files, so with Notify every e-mail goes
without its files: a message must never depend on one, and its words give a link to the same
thing instead (a sign-up confirmation links to the session's calendar file)."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from .kinds import always_sent, always_sent_because
from .tokens import unsubscribe_url


def notify_configured() -> bool:
    return bool(settings.NOTIFY_API_KEY)


def _footer(*, link, always_because, has_account=True) -> str:
    if always_because and not has_account:
        return (
            "\n\n--\n"
            f"You get this because you gave us this email address on the {settings.SITE_NAME}, "
            f"and {always_because}.\n"
        )
    if always_because:
        return (
            "\n\n--\n"
            f"You get this because you use the {settings.SITE_NAME}. We always send messages "
            f"like this, even if you have stopped others, because {always_because}.\n"
            f"Choose which other messages you get: {_settings_url()}\n"
        )
    return (
        "\n\n--\n"
        f"You get this because you use the {settings.SITE_NAME}.\n"
        f"Stop these messages: {link}\n"
    )


def _settings_url() -> str:
    return settings.SITE_URL + reverse("notifications:preferences")


def stop_link(kind: str, recipient_id: int | None, category: str, *, short=False) -> str:
    """The link that stops this kind of message for this person, or "" when there is none: a
    message the person must get has no "stop" link (the link would not stop it), nor has one
    with no account behind it. `short`: the shorter form, for text messages."""
    if always_sent(kind) or recipient_id is None:
        return ""
    return unsubscribe_url(recipient_id, category, short=short)


def sends_files() -> bool:
    """Whether e-mails go with their attachments: only by SMTP (see the module's note)."""
    return not notify_configured()


def send_email(message, attachments=(), *, large_print=False) -> None:
    """`attachments`: (filename, text, mimetype) files, built by the caller at sending time;
    left off when sending through Notify (sends_files).
    `large_print`: the person asked for large print, so the HTML version uses big type."""
    always_because = always_sent_because(message.kind)
    link = stop_link(message.kind, message.recipient_id, message.category)
    headers = {}
    if link:
        # One-click unsubscribe for mail clients (RFC 8058): they POST to the link.
        headers = {
            "List-Unsubscribe": f"<{link}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text
        + _footer(
            link=link,
            always_because=always_because,
            has_account=message.recipient_id is not None,
        ),
        to=[message.to_address],
        # Replies reach the co-production team, not the address messages are sent from.
        reply_to=[settings.SUPPORT_EMAIL],
        headers=headers,
    )
    email.attach_alternative(
        render_to_string(
            "notifications/email.html",
            {
                "message": message,
                "unsubscribe_url": link,
                "always_because": always_because,
                "settings_url": _settings_url(),
                "has_account": message.recipient_id is not None,
                "SITE_NAME": settings.SITE_NAME,
                "large_print": large_print,
            },
        ),
        "text/html",
    )
    if notify_configured():
        optional = {}
        if link:
            # Notify writes the List-Unsubscribe headers from this, as the SMTP path does.
            optional["one_click_unsubscribe_url"] = link
        reply_to_id = settings.NOTIFY_REPLY_TO_ID
        if reply_to_id:
            # Notify's id for the reply-to address set up in Notify (the support inbox);
            # without it, replies go to the service's default reply-to address, if any.
            optional["email_reply_to_id"] = reply_to_id
        _notify_client().send_email_notification(
            email_address=message.to_address,
            template_id=settings.NOTIFY_EMAIL_TEMPLATE_ID,
            personalisation={"subject": message.subject, "body": email.body},
            reference=f"hub-message-{message.pk}",
            **optional,
        )
        return
    for filename, content, mimetype in attachments:
        email.attach(filename, content, mimetype)
    email.send(fail_silently=False)


def send_sms(message) -> None:
    _notify_client().send_sms_notification(
        phone_number=message.to_address,
        template_id=settings.NOTIFY_SMS_TEMPLATE_ID,
        personalisation={"body": message.body_text},
        reference=f"hub-message-{message.pk}",
    )


def _notify_client():
    from notifications_python_client.notifications import NotificationsAPIClient

    return NotificationsAPIClient(settings.NOTIFY_API_KEY)
