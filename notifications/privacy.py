"""Messages we sent a person, for "download my data" and "delete my account"."""

from .models import Message, Unsubscribe


def export(user) -> dict:
    return {
        "messages_sent": [
            {
                "what": message.subject,
                "how": message.get_channel_display(),
                "status": message.get_status_display(),
                "created": message.created_at,
                "sent": message.sent_at,
                "text": message.body_text,
            }
            for message in Message.objects.filter(recipient=user).order_by("created_at")
        ],
        "stopped_messages_about": [
            row.get_category_display() for row in Unsubscribe.objects.filter(user=user)
        ],
    }


def erase(user) -> None:
    # Message texts name the person and what they signed up for: none is kept. Nor is one
    # still waiting to go to their address from before they had an account.
    Message.objects.filter(recipient=user).delete()
    if user.email:
        Message.objects.filter(recipient=None, to_address__iexact=user.email).delete()
    Unsubscribe.objects.filter(user=user).delete()
