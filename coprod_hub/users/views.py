from auditlog.models import LogEntry
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from coprod_hub.lib.post_only import post_only

from . import privacy
from .forms import ChangeNameForm
from .forms_privacy import EraseAccountForm


@login_required
def change_name(request):
    """People can correct the name we use for them (a right under UK GDPR)."""
    form = ChangeNameForm(
        request.POST if request.method == "POST" else None,
        initial={"display_name": request.user.display_name},
    )
    if request.method == "POST" and form.is_valid():
        request.user.display_name = form.cleaned_data["display_name"]
        request.user.save(update_fields=["display_name"])
        messages.success(request, "Your name has been changed.")
        return redirect("account_email")
    return render(request, "users/change_name.html", {"form": form})


@login_required
def my_data(request):
    return render(request, "users/my_data.html")


@never_cache
@login_required
@post_only("my_data", with_args=False)
def download_my_data(request):
    content = privacy.build_zip(request.user)
    LogEntry.objects.log_create(
        request.user,
        action=LogEntry.Action.ACCESS,
        changes={"exported": ["own data", None]},
        actor=request.user,
        force_log=True,
    )
    response = HttpResponse(content, content_type="application/zip")
    filename = f"co-production-hub-data-{timezone.localdate():%Y-%m-%d}.zip"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@never_cache
@login_required
def erase_my_account(request):
    form = EraseAccountForm(request.POST if request.method == "POST" else None, request=request)
    if request.method == "POST" and form.is_valid():
        user = request.user
        try:
            # One transaction: the trail says "erased" only if the erasure happened.
            with transaction.atomic():
                LogEntry.objects.log_create(
                    user,
                    action=LogEntry.Action.DELETE,
                    changes={"erased": ["at the person's request", None]},
                    actor=user,
                    force_log=True,
                )
                privacy.erase(user)
        except privacy.NotErasedYet as refused:
            # Handed a session or a project since the form checked: said as the form says it.
            for reason in refused.reasons:
                form.add_error(None, reason.to_person)
        else:
            logout(request)
            return redirect("account_erased")
    # Said before they type their password, not only after.
    not_yet = [] if form.is_bound else privacy.erasure_blockers(request.user)
    return render(request, "users/erase.html", {"form": form, "not_yet": not_yet})


def account_erased(request):
    return render(request, "users/erased.html")
