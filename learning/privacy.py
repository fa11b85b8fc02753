"""A person's practice guide data, for "download my data" and "delete my account"
(see coprod_hub/users/privacy.py).

Only entries still awaiting moderation can be linked to a person: when moderation ends the
link to the account and the contact address are deleted, so decided entries are anonymous.
"""

from django.db import transaction
from django.db.models import Q

from .models import Entry


def _theirs(user):
    linked = Q(submitted_by=user)
    if user.email:
        linked |= Q(contact_email__iexact=user.email)
    return Entry.objects.awaiting_moderation().filter(linked)


def export(user) -> dict:
    return {
        "entries_awaiting_moderation": [
            {
                "type": entry.get_kind_display(),
                "title": entry.title,
                "text": entry.text,
                "how_it_went": entry.get_outcome_display(),
                "contact_email": entry.contact_email,
                "shared_on": entry.submitted_at,
            }
            for entry in _theirs(user).order_by("submitted_at")
        ],
        "published_entries": (
            "Entries that have been published are anonymous: we keep nothing that links "
            "them to you."
        ),
    }


@transaction.atomic
def erase(user) -> None:
    """Delete what they shared that no moderator has decided on yet: it may still hold
    their own details. Decided entries hold nothing that links to them."""
    _theirs(user).delete()
    Entry.objects.filter(submitted_by=user).update(submitted_by=None)
