"""A resident's profile: interests, access needs (told once), contact preferences."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from .. import permissions, services
from ..forms import AccessNeedsForm, ContactPreferencesForm, InterestsForm
from ..tokens import calendar_url


def _next_or(request, default):
    """Back to where the person came from (e.g. the sign-up page), if it is on this site."""
    target = request.POST.get("next") or request.GET.get("next")
    # Only a path on this site: redirect() treats anything without a "/" as the name of a
    # URL pattern, and an unknown name is a server error.
    if (
        target
        and target.startswith("/")
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return default


def _form_page(request, form, *, title, submit_label, intro_template, extra=None):
    return render(
        request,
        "participation/profile_form.html",
        {
            "form": form,
            "page_title": title,
            "submit_label": submit_label,
            "intro_template": intro_template,
            "next": _next_or(request, ""),
            **(extra or {}),
        },
    )


@login_required
def profile(request):
    profile = permissions.profile_for(request)
    return render(
        request,
        "participation/profile.html",
        {
            "profile": profile,
            "interests": list(profile.interests.all()),
            "calendar_url": calendar_url(profile),
            "text_fallback": profile.text_messages_fallback(),
        },
    )


@login_required
def interests(request):
    profile = permissions.profile_for(request)
    initial = {
        "interests": list(profile.interests.all()),
        "preferred_levels": profile.preferred_levels,
        "preferred_formats": profile.preferred_formats,
    }
    form = InterestsForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.update_interests(profile, **form.cleaned_data)
        messages.success(request, "Your interests have been saved.")
        return redirect(_next_or(request, "participation:profile"))
    return _form_page(
        request,
        form,
        title="Your interests",
        submit_label="Save",
        intro_template="participation/_partials/interests_intro.html",
    )


@login_required
def access_needs(request):
    profile = permissions.profile_for(request)
    initial = {
        "access_needs": profile.access_needs,
        "consent": bool(profile.access_needs_consent_at),
    }
    form = AccessNeedsForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_access_needs(profile, **form.cleaned_data)
        except services.ParticipationError as error:
            form.add_error(None, str(error))
        else:
            # Say what happened: an empty form saved nothing, or took away what was there.
            if profile.access_needs:
                messages.success(request, "Your access needs have been saved.")
            elif initial["access_needs"]:
                messages.success(request, "We have deleted your access needs.")
            else:
                messages.info(request, "You have not told us about any access needs.")
            return redirect(_next_or(request, "participation:profile"))
    return _form_page(
        request,
        form,
        title="Your access needs",
        submit_label="Save access needs",
        intro_template="participation/_partials/access_needs_intro.html",
        extra={"profile": profile},
    )


@login_required
def delete_access_needs(request):
    profile = permissions.profile_for(request)
    if request.method == "POST":
        services.delete_access_needs(profile)
        messages.success(request, "We have deleted your access needs.")
        return redirect("participation:profile")
    return render(request, "participation/access_needs_delete.html", {"profile": profile})


@login_required
def contact(request):
    profile = permissions.profile_for(request)
    text_fallback = profile.text_messages_fallback()
    initial = {
        # Texts are not offered while we cannot send them, so nothing is chosen: the page
        # says how we reach them now and asks them to choose.
        "contact_by": None if text_fallback else profile.contact_by,
        "phone": profile.phone,
        "postal_address": profile.postal_address,
        "format": profile.format,
        "large_print": profile.large_print,
    }
    form = ContactPreferencesForm(
        request.POST if request.method == "POST" else None, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_contact_preferences(profile, **form.cleaned_data)
        except services.ParticipationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Your contact preferences have been saved.")
            return redirect(_next_or(request, "participation:profile"))
    return _form_page(
        request,
        form,
        title="How we contact you",
        submit_label="Save",
        intro_template="participation/_partials/contact_intro.html",
        extra={"text_fallback": text_fallback},
    )
