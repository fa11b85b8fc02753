from django.contrib.auth.models import Group

from .roles import Role


def grant_role(user, role: Role) -> None:
    group, _ = Group.objects.get_or_create(name=str(role))
    user.groups.add(group)
    user.__dict__.pop("role_names", None)


def revoke_role(user, role: Role) -> None:
    user.groups.remove(*Group.objects.filter(name=str(role)))
    user.__dict__.pop("role_names", None)
