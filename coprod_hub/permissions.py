"""Role checks shared by every app.

Each app keeps its object-level rules in its own `permissions.py` (who may see or change
*this* project, claim or entry); this module answers only "does this person hold the role".
Signed-out people are sent to sign in; signed-in people without the role get a 403 page.
"""

from django.contrib.auth.mixins import AccessMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from coprod_hub.users.roles import Role


def has_role(user, role: Role) -> bool:
    return bool(user.is_authenticated and user.has_role(role))


# Who each role's pages are for, in words for the person refused (the 403 page shows them).
PAGES_ARE_FOR = {
    Role.RESIDENT: "This page is for people who have signed up to take part.",
    Role.STAFF: "This page is for council and partner staff who run projects.",
    Role.COMMISSIONER: "This page is for staff who approve fees and expenses.",
    Role.MODERATOR: "This page is for the people who check the practice guide.",
}


def require_role(request, role: Role) -> None:
    """Raise PermissionDenied unless the signed-in user holds `role`.

    Views call `login_required` (or the mixin) first, so anonymous users never get here.
    """
    if not has_role(request.user, role):
        raise PermissionDenied(PAGES_ARE_FOR[Role(role)])


class RoleRequiredMixin(AccessMixin):
    """Class-based views: set `required_role`."""

    required_role: Role

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        require_role(request, self.required_role)
        return super().dispatch(request, *args, **kwargs)


def role_required(role: Role):
    """Function views: `@role_required(Role.COMMISSIONER)`."""

    def decorator(view):
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            require_role(request, role)
            return view(request, *args, **kwargs)

        wrapped.__name__ = view.__name__
        wrapped.__doc__ = view.__doc__
        wrapped.__wrapped__ = view
        return wrapped

    return decorator
