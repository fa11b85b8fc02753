"""Sign-in backends that load the signed-in person, with their roles, from the cache.

Every signed-in page starts by loading the person named in the session, and almost every
one then asks which roles they hold (the menu, the permission checks). `kept_people` keeps
the person's row and group names in the cache, so most pages need no query for either.
"""

from allauth.account import auth_backends
from django.contrib.auth import backends

from . import kept_people


class _LoadsKeptPerson:
    def get_user(self, user_id):
        user = kept_people.load(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class ModelBackend(_LoadsKeptPerson, backends.ModelBackend):
    """Django's backend (the admin site, tests' force_login)."""


class AuthenticationBackend(_LoadsKeptPerson, auth_backends.AuthenticationBackend):
    """allauth's backend: signing in with an email address."""
