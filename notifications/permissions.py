"""Who may see the outbox and the call list.

The outbox holds message text for everyone, so only admins see it. Staff see the call list
(people who asked for post or phone contact) because they make those calls, but only the
calls they have a reason to make, as a sign-up is seen only by the staff running its session:
- messages about a session (or a project) they run (participation.permissions.can_run);
- the shared part: messages about no session or project (a weekly digest of new
  opportunities, a prompt to moderators), which any member of staff may pass on;
- for commissioners, every message about a fee and expense claim (amounts, reasons a claim
  was returned), as they see every claim. Other staff see none of these.
Admins see every call.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, TextField, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from coprod_hub.users.roles import Role

from .kinds import Category, kinds_in
from .models import Message


def require_admin(request):
    if not (request.user.is_authenticated and request.user.is_admin):
        raise PermissionDenied("Only hub administrators can see the outbox.")


def outbox_for(request):
    require_admin(request)
    return Message.objects.select_related("recipient")


def get_message_for_admin(request, pk) -> Message:
    return get_object_or_404(outbox_for(request), pk=pk)


def calls_for(user):
    """The messages waiting on the call list that `user` may see and pass on (see the module's
    note), as one query however many sessions they run."""
    from participation.permissions import is_admin, opportunities_run_by
    from projects.models import Project

    calls = Message.objects.filter(status=Message.Status.CALL_LIST)
    if is_admin(user):
        return calls
    claims = Q(kind__in=kinds_in(Category.CLAIMS))
    theirs = (
        Q(opportunity__in=opportunities_run_by(user).values("pk"))
        | Q(opportunity__isnull=True, project__in=Project.objects.editable_by(user).values("pk"))
        | Q(opportunity__isnull=True, project__isnull=True)  # the shared part
    )
    if user.has_role(Role.COMMISSIONER):
        return calls.filter(claims | theirs)
    return calls.filter(theirs).exclude(claims)


def call_list_for(request):
    user = request.user
    if not (user.is_authenticated and user.has_role(Role.STAFF)):
        raise PermissionDenied("Only staff can see the call list.")
    # With the number to call and the address to write to, and nothing else from the profile
    # (it holds access needs, which the call list has no reason to load).
    return (
        calls_for(user)
        .select_related("recipient", "opportunity", "project")
        .annotate(
            phone=Coalesce("recipient__profile__phone", Value("")),
            postal_address=Coalesce(
                "recipient__profile__postal_address", Value(""), output_field=TextField()
            ),
            # Easy read, large print or both: what staff post or read out must be so too.
            information_format=Coalesce("recipient__profile__format", Value("standard")),
            large_print=Coalesce("recipient__profile__large_print", Value(False)),
        )
    )


def get_call_for_staff(request, pk) -> Message:
    return get_object_or_404(call_list_for(request), pk=pk)
