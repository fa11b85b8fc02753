"""The hub's roles. Each is a Django group, created by a data migration.

A person may hold several. Superusers are admins and hold every role.
Commissioners can do everything staff can, so `has_role(user, STAFF)` is true for them.
"""

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
