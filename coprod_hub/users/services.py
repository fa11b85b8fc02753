from django.contrib.auth.models import Group

from .roles import Role


def _forget_roles(user) -> None:
    """Drop the roles this object loaded, so the next check reads them afresh."""
    user.__dict__.pop("role_names", None)
    user.__dict__.pop("loaded_group_names", None)


def grant_role(user, role: Role) -> None:
    group, _ = Group.objects.get_or_create(name=str(role))
    user.groups.add(group)
    _forget_roles(user)


def revoke_role(user, role: Role) -> None:
    user.groups.remove(*Group.objects.filter(name=str(role)))
    _forget_roles(user)
