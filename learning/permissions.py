"""Who may see which practice guide entries. Every learning view goes through this module.

- Everyone, signed in or not, may read published entries and share a new one.
- Only moderators and admins may see anything else: the queue, entries awaiting
  moderation, and returned, rejected or withdrawn entries. For everyone else those do not
  exist (404 on the public entry page).
- Signed-out people who open a moderation page are sent to sign in; signed-in people
  without the moderator role get 403.
"""

from django.http import Http404

from coprod_hub.permissions import RoleRequiredMixin, has_role
from coprod_hub.users.roles import Role

from .models import Entry


def can_moderate(user) -> bool:
    """Moderators, and admins (superusers hold every role)."""
    return has_role(user, Role.MODERATOR)


def entry_scope(user):
    """The entries this person may see in full."""
    if can_moderate(user):
        return Entry.objects.all()
    return Entry.objects.published()


def get_published_entry(slug: str) -> Entry:
    """The public entry page: published entries only, for everyone, moderators included,
    so what a moderator sees at this address is exactly what the public sees."""
    try:
        return Entry.objects.published().select_related("project").get(slug=slug)
    except Entry.DoesNotExist:
        raise Http404("No entry here") from None


def find_moved_entry(slug: str) -> Entry | None:
    """The published entry an old address meant. A corrected entry gets a new slug (its
    title may have lost a name), but every slug ends in "-<id>", so old links still work."""
    _, _, pk = slug.rpartition("-")
    if not pk.isdigit():
        return None
    return Entry.objects.published().filter(pk=int(pk)).exclude(slug=slug).first()


def get_entry_for_moderation(request, pk) -> Entry:
    """An entry in any state, for moderators. Call after the role check (ModeratorMixin)."""
    try:
        return entry_scope(request.user).select_related("project").get(pk=pk)
    except Entry.DoesNotExist:
        raise Http404("No entry here") from None


class ModeratorRequiredMixin(RoleRequiredMixin):
    required_role = Role.MODERATOR
