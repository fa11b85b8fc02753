"""A person's practice guide data, for "download my data" and "delete my account"
(see coprod_hub/users/privacy.py).

Entries awaiting moderation are linked to a person by their account or the address they
left. After the decision only the link to a signed-in person's account stays (for their
"Things you shared" list); deleting the account removes it, and the words were already
reduced to the version with personal data hidden.
"""

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from coprod_hub.users.privacy import addresses_of

from .models import Entry

# An entry taken off the guide to be corrected waits for a moderator again, but its words
# were reduced to the version with personal data hidden when it was first published: it is
# treated as decided (kept, unlinked), as the "Your data" page says published entries are.
NEVER_DECIDED = Q(published_at__isnull=True)


def _theirs(user):
    linked = Q(submitted_by=user)
    for address in addresses_of(user):
        linked |= Q(contact_email__iexact=address)
    return Entry.objects.awaiting_moderation().filter(linked).filter(NEVER_DECIDED)


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
        "entries_decided": [
            {
                "reference": entry.reference,
                "title": entry.title,
                "state": entry.status_for_author,
                "shared_on": entry.submitted_at,
                "decided_on": entry.decided_at,
                "address": (
                    settings.SITE_URL + entry.get_absolute_url() if entry.is_published else ""
                ),
            }
            for entry in Entry.objects.shared_by(user)
            .exclude(Q(status=Entry.Status.SUBMITTED) & NEVER_DECIDED)
            .order_by("submitted_at")
        ],
        "published_entries": (
            "Entries you shared without signing in are anonymous once decided: we keep "
            "nothing that links them to you."
        ),
    }


@transaction.atomic
def erase(user) -> None:
    """Delete what they shared that no moderator has decided on yet: it may still hold
    their own details. Decided entries stay, unlinked from them: their words are already
    the version with personal data hidden."""
    from .services import delete_entry

    for entry in _theirs(user):
        delete_entry(
            entry, by=None, note="Deleted when the person who shared it deleted their account."
        )
    Entry.objects.filter(submitted_by=user).update(submitted_by=None)
