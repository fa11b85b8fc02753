"""Messages we sent a person, for "download my data" and "delete my account"."""

from django.db.models import Q

from coprod_hub.users.privacy import addresses_of

from .models import Message, Unsubscribe


def _to_their_address(user):
    """Messages to one of their addresses with no account behind them: what we tell people
    who shared in the practice guide without signing in."""
    addressed = Q(pk__in=[])  # nothing, not everything, for someone with no address
    for address in addresses_of(user):
        addressed |= Q(to_address__iexact=address)
    return Message.objects.filter(addressed, recipient=None)


def _described(message) -> dict:
    return {
        "what": message.subject,
        "how": message.get_channel_display(),
        "status": message.get_status_display(),
        "created": message.created_at,
        "sent": message.sent_at,
        "text": message.body_text,
    }


def export(user) -> dict:
    return {
        "messages_sent": [
            _described(message)
            for message in Message.objects.filter(recipient=user).order_by("created_at")
        ],
        "messages_sent_to_your_address_only": [
            _described(message) for message in _to_their_address(user).order_by("created_at")
        ],
        "stopped_messages_about": [
            row.get_category_display() for row in Unsubscribe.objects.filter(user=user)
        ],
    }


def erase(user) -> None:
    # Message texts name the person and what they signed up for: none is kept. Nor is one
    # still waiting to go to their address from before they had an account.
    Message.objects.filter(recipient=user).delete()
    _to_their_address(user).delete()
    Unsubscribe.objects.filter(user=user).delete()
