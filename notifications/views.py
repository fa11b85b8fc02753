from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from coprod_hub.audit import log_access_to_each
from coprod_hub.lib.pagination import paginate
from coprod_hub.lib.post_only import post_only
from participation.models import Profile

from . import permissions, services
from .forms import OutboxFilterForm, PreferencesForm
from .kinds import STILL_SENT, Category
from .tokens import read_unsubscribe_token


@csrf_exempt  # mail clients POST here for one-click unsubscribe (RFC 8058); the token is signed
def unsubscribe(request, token):
    try:
        user_id, category = read_unsubscribe_token(token)
        label = Category(category).label
    except (signing.BadSignature, ValueError):
        return render(request, "notifications/unsubscribe_invalid.html", status=400)
    context = {"category_label": label, "still_sent": STILL_SENT.get(category, "")}
    if request.method == "POST":
        services.unsubscribe(user_id, category)
        return render(request, "notifications/unsubscribed.html", context)
    return render(request, "notifications/unsubscribe.html", {**context, "token": token})


@login_required
def outbox(request):
    messages_qs = permissions.outbox_for(request)
    form = OutboxFilterForm(request.GET or None)
    if form.is_valid() and form.cleaned_data["status"]:
        messages_qs = messages_qs.filter(status=form.cleaned_data["status"])
    page = paginate(request, messages_qs.order_by("-created_at", "-id"), per_page=50)
    return render(request, "notifications/outbox.html", {"form": form, "page_obj": page})


@login_required
@post_only("notifications:outbox", with_args=False)
def retry(request, pk):
    message = permissions.get_message_for_admin(request, pk)
    try:
        services.retry_message(message)
    except services.NotificationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Message to {message.addressee} will be sent again.")
    return redirect("notifications:outbox")


CALL_LIST_SEEN = "contact details and a message, on the call list"


@login_required
def call_list(request):
    # What must be passed on by a set time first, soonest first (models.DEADLINES).
    calls = permissions.call_list_for(request).in_call_list_order(timezone.now())
    page = paginate(request, calls, 50)
    for message in page:
        message.information_format_label = Profile.describe_format(
            message.information_format, message.large_print
        )
    # Each person's phone number, address and message, seen by this member of staff: kept in
    # the audit trail, as a view of someone's access needs is (one query for the page).
    people = {message.recipient_id: message.recipient for message in page if message.recipient}
    log_access_to_each(people.values(), by=request.user, what=CALL_LIST_SEEN)
    return render(request, "notifications/call_list.html", {"page_obj": page})


@login_required
@post_only("notifications:call_list", with_args=False)
def mark_called(request, pk):
    message = permissions.get_call_for_staff(request, pk)
    services.mark_called(message, by=request.user)
    messages.success(request, f"Marked {message.addressee} as contacted.")
    return redirect("notifications:call_list")


@login_required
def preferences(request):
    from participation.permissions import profile_for
    from participation.services import update_alert_frequency

    profile = profile_for(request)
    initial = {
        "alert_frequency": profile.alert_frequency,
        "categories": sorted(services.subscribed_categories(request.user)),
    }
    form = PreferencesForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        staff=request.user.is_hub_staff,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        # The alert_frequency answer also switches the alerts category, so an "alerts" stop
        # link used earlier does not silently cancel alerts chosen here.
        categories = data["categories"]
        if data["alert_frequency"] != Profile.AlertFrequency.OFF:
            categories = [*categories, Category.ALERTS]
        offered = [value for value, _ in form.fields["categories"].choices]
        with transaction.atomic():
            update_alert_frequency(profile, data["alert_frequency"])
            services.set_subscriptions(
                request.user, categories=categories, offered=[*offered, Category.ALERTS]
            )
        messages.success(request, "Your message settings have been saved.")
        return redirect("notifications:preferences")
    # Alerts start from the topics chosen (alerts.py): without any, none ever come.
    alerts_without_topics = (
        profile.alert_frequency != Profile.AlertFrequency.OFF and not profile.interests.exists()
    )
    return render(
        request,
        "notifications/preferences.html",
        {"form": form, "profile": profile, "alerts_without_topics": alerts_without_topics},
    )
