"""The hub's roles. Each is a Django group, created by a data migration.

A person may hold several. Superusers are admins and hold every role.
Commissioners can do everything staff can, so `has_role(user, STAFF)` is true for them.
"""

from collections.abc import Iterable

from django.db import models


class Role(models.TextChoices):
    RESIDENT = "resident", "Resident"
    STAFF = "staff", "Staff"
    COMMISSIONER = "commissioner", "Commissioner"
    MODERATOR = "moderator", "Moderator"


# Roles that include another role's powers.
IMPLIED_ROLES = {
    Role.COMMISSIONER: {Role.STAFF},
}


def roles_held(
    group_names: Iterable[str], *, is_active: bool, is_superuser: bool
) -> frozenset[str]:
    """The roles a person holds, implied roles added: `User.role_names` for an account as it
    is, or as a change to its groups, its admin flag or its being open would leave it."""
    if not is_active:
        return frozenset()
    if is_superuser:
        return frozenset(Role.values)
    names = set(group_names)
    for role, implied in IMPLIED_ROLES.items():
        if role in names:
            names |= {str(r) for r in implied}
    return frozenset(names)
