from allauth.account.models import EmailAddress
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
    """Takes the role, whatever the person still runs: administrators are held back by the
    admin's form instead (handing_over), which says what to hand over first."""
    user.groups.remove(*Group.objects.filter(name=str(role)))
    _forget_roles(user)


def keep_email_on_record(user) -> None:
    """Record the account's email address as allauth's verified, primary one.

    For accounts made by staff or an administrator rather than by signing up. allauth checks
    its own records, not the account's address, when someone adds an address to their own
    account: without this, another person could add and confirm this one, and the hub would
    then fail to save two accounts with the same address.
    """
    if not user.has_real_email:
        return
    EmailAddress.objects.filter(user=user).exclude(email__iexact=user.email).update(primary=False)
    address, _ = EmailAddress.objects.get_or_create(
        user=user, email__iexact=user.email, defaults={"email": user.email}
    )
    address.verified = address.primary = True
    address.save(update_fields=["verified", "primary"])
