"""Who may see the outbox and the call list.

The outbox holds message text for everyone, so only admins see it. Staff see the call list
(people who asked for post or phone contact) because they make those calls; messages about
fee and expense claims (amounts, reasons a claim was returned) are on it for commissioners
only, as the claims themselves are.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import TextField, Value
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


def call_list_for(request):
    user = request.user
    if not (user.is_authenticated and user.has_role(Role.STAFF)):
        raise PermissionDenied("Only staff can see the call list.")
    # With the number to call and the address to write to, and nothing else from the profile
    # (it holds access needs, which the call list has no reason to load).
    calls = (
        Message.objects.filter(status=Message.Status.CALL_LIST)
        .select_related("recipient")
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
    if not user.has_role(Role.COMMISSIONER):
        calls = calls.exclude(kind__in=kinds_in(Category.CLAIMS))
    return calls


def get_call_for_staff(request, pk) -> Message:
    return get_object_or_404(call_list_for(request), pk=pk)
