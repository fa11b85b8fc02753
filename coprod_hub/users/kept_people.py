"""The signed-in person's account, kept in the cache between their requests.

Loading the person named in the session is the first thing every signed-in page does: a
database query, and a check that the connection still works before it. From the cache it is
one Redis read, and a page whose content is kept too (the claims queue, the dashboard) then
needs no database at all.

What is kept is the `User` row with its group names, as the database had it. Django's checks
still run on the kept copy at every request: the session must carry the hash of the copy's
password (so a new password signs out every other session), and the person must be active.

Every save or delete of a person, and every change to their groups from either side, puts a
short-lived "changing" marker in place of their copy: at the change, and again when its
transaction commits. No copy is stored while the marker is there, so a request that read the
row before the change committed cannot put the old row back. Changes made outside Django
(SQL typed by hand) show within `SIGNED_IN_PERSON_CACHE_SECONDS`; 0 turns the copies off.
"""

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete

from .models import User

CHANGING = "changing"
CHANGING_SECONDS = 10

# Change this when the User model's fields change, so a release never reads copies pickled
# from the old model.
VERSION = 1


def _key(user_id) -> str:
    return f"signed-in-person:v{VERSION}:{user_id}"


def load(user_id) -> User | None:
    """The person with this id, with their group names; None if there is no such person."""
    seconds = settings.SIGNED_IN_PERSON_CACHE_SECONDS
    kept = cache.get(_key(user_id)) if seconds else None
    if isinstance(kept, User):
        return kept
    try:
        user = User.objects.with_group_names().get(pk=user_id)
    except (User.DoesNotExist, ValueError, ValidationError):
        return None
    if seconds and kept is None:
        if not hasattr(user, "loaded_group_names"):
            # Not PostgreSQL, where they come in the same query: a copy must carry them.
            user.loaded_group_names = list(user.groups.values_list("name", flat=True))
        # add, not set: a "changing" marker written meanwhile wins.
        cache.add(_key(user_id), user, seconds)
    return user


def forget(user_ids) -> None:
    """Stop using kept copies of these people until their change has committed."""
    marks = {_key(user_id): CHANGING for user_id in user_ids}
    if not marks:
        return
    cache.set_many(marks, CHANGING_SECONDS)
    transaction.on_commit(lambda: cache.set_many(marks, CHANGING_SECONDS))


def _person_changed(sender, instance, **kwargs):
    forget([instance.pk])


def _groups_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if not reverse:  # a person's groups changed
        if action.startswith("post_"):
            forget([instance.pk])
    elif action in ("post_add", "post_remove"):  # a group's members changed
        forget(pk_set)
    elif action == "pre_clear":
        forget(instance.user_set.values_list("pk", flat=True))


def _group_deleted(sender, instance, **kwargs):
    forget(instance.user_set.values_list("pk", flat=True))


def connect_signals() -> None:
    post_save.connect(_person_changed, sender=User, dispatch_uid="kept-people:save")
    post_delete.connect(_person_changed, sender=User, dispatch_uid="kept-people:delete")
    m2m_changed.connect(
        _groups_changed, sender=User.groups.through, dispatch_uid="kept-people:groups"
    )
    pre_delete.connect(_group_deleted, sender=Group, dispatch_uid="kept-people:group-delete")
