"""Residents: signing up, the waiting list, offers, cancelling, "/my/" and calendars."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache

from coprod_hub.audit import log_access
from coprod_hub.lib.pagination import paginate
from coprod_hub.lib.post_only import post_only
from coprod_hub.lib.text import full_stop_after
from insight.tokens import survey_token
from notifications.reminders import reminders_to_come
from payments.models import Claim, TaxiAgreement
from payments.policy import activity_date, fee_for
from payments.services import can_claim_for
from projects.models import Update

from .. import calendar, permissions, services
from ..forms import CancelPlaceForm, JoiningForm, SessionNeedsForm, SignUpForm
from ..models import Opportunity, Profile, SignUp
from ..tokens import calendar_url, read_calendar_token

PAST_PER_PAGE = 20
# "We said, we did" updates shown on a person's own pages before "see them all".
UPDATES_SHOWN = 3
UPDATES_PER_PAGE = 10
# Signing up again for something you already signed up for: what you have already.
ALREADY_SIGNED_UP = {
    SignUp.Status.BOOKED: "You already have a place at this. Here are the details.",
    SignUp.Status.WAITING: "You are already on the waiting list for this.",
    SignUp.Status.OFFERED: "We are already holding a place for you. Accept it below.",
}


def _success_message(request, signup):
    if signup.status == SignUp.Status.BOOKED:
        title = signup.opportunity.title
        messages.success(request, f"You have a place at {title}{full_stop_after(title)}")
    elif signup.status == SignUp.Status.WAITING:
        messages.success(
            request,
            f"{signup.opportunity.title} is full, so you are on the waiting list. "
            f"You are number {signup.waiting_position}.",
        )
    elif signup.status == SignUp.Status.OFFERED:
        messages.success(request, "A place is being held for you. Accept it below.")


def _typed_note_key(pk) -> str:
    return f"participation:sign-up-note:{pk}"


def _chosen_joining_key(pk) -> str:
    return f"participation:sign-up-joining:{pk}"


@login_required
def sign_up(request, pk):
    """One step: check what is offered and your access needs, then sign up."""
    if request.method == "POST" and "change_needs" in request.POST:
        # Going to change the access needs we keep: what was typed for this session waits
        # in the session and is back in its box on return, not lost with the page.
        typed = request.POST.get("access_needs_note", "")[: SignUpForm.NOTE_MAX_LENGTH]
        request.session[_typed_note_key(pk)] = typed
        request.session[_chosen_joining_key(pk)] = request.POST.get("joining", "")[:20]
        return redirect(
            f"{reverse('participation:access_needs')}?{urlencode({'next': request.path})}"
        )
    initial = {}
    if request.method == "GET" and _typed_note_key(pk) in request.session:
        initial["access_needs_note"] = request.session.pop(_typed_note_key(pk))
        initial["joining"] = request.session.pop(_chosen_joining_key(pk), "") or None
    form = SignUpForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        now = timezone.now()
        try:
            # The service loads the opportunity itself, under its lock, and refuses drafts
            # like any closed one; the page below then answers 404 to those who cannot see it.
            signup = services.sign_up(
                pk,
                resident=request.user,
                access_needs_note=form.cleaned_data["access_needs_note"],
                joining=form.cleaned_data["joining"],
                now=now,
            )
        except Opportunity.DoesNotExist:
            raise Http404 from None
        except services.ParticipationError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            # The service hands back a place the person already had unchanged; one it made
            # or changed now carries this request's time.
            if signup.status_changed_at == now:
                _success_message(request, signup)
            else:
                messages.info(request, ALREADY_SIGNED_UP[signup.status])
            return redirect(signup)
    opportunity = permissions.get_opportunity_for_viewer(request, pk)
    existing = (
        SignUp.objects.filter(opportunity=opportunity, resident=request.user).active().first()
    )
    if existing:
        messages.info(request, ALREADY_SIGNED_UP[existing.status])
        return redirect(existing)
    profile = permissions.profile_for(request)
    if not profile.has_access_needs:
        form.asked_with_nothing_kept()
    if opportunity.format == Opportunity.Format.HYBRID:
        form.ask_how_joining()
    return render(
        request,
        "participation/sign_up.html",
        {
            "opportunity": opportunity,
            "form": form,
            "profile": profile,
            "closed_reason": opportunity.sign_up_closed_reason(),
            "is_resident": request.user.is_resident,
            "step": opportunity.effective_step,
            # What the policy pays, as the opportunity's page says it (one query).
            "fee": fee_for(opportunity, activity_date(opportunity)),
        },
    )


@login_required
def signup_detail(request, pk):
    signup = permissions.get_signup_for_user(request, pk)
    is_own = signup.resident_id == request.user.pk
    # Staff running the session see access needs while the person is booked, offered a place
    # or waiting; once the place is cancelled there is nothing to arrange, so nothing to see.
    needs_hidden_from_role = not is_own and not permissions.can_see_access_needs(
        request.user, signup.opportunity
    )
    needs_no_longer_kept = not is_own and not signup.opportunity.access_needs_kept()
    show_needs = is_own or (signup.is_active and not needs_hidden_from_role)
    profile = _profile_or_none(signup.resident) if show_needs else None
    if is_own:
        profile_needs = profile.access_needs if profile and profile.has_access_needs else ""
    else:
        profile_needs = signup.needs_for_staff if show_needs else ""
        if profile_needs or (show_needs and signup.access_needs_note):
            # Special category data seen by staff: kept in the audit trail.
            log_access(
                signup.resident, by=request.user, what="access needs", session=signup.opportunity
            )
    started = signup.opportunity.has_started()
    can_sign_up_again = (
        is_own and not signup.is_active and not signup.opportunity.sign_up_closed_reason()
    )
    # After the session: the person's claim, or whether they can make one (one query).
    own_claim, can_claim = None, False
    if is_own and started and signup.status == SignUp.Status.BOOKED:
        own_claim = Claim.objects.filter(signup=signup).first()
        can_claim = own_claim is None and can_claim_for(signup)
    # "We said, we did": what the people who came were sent, here too for anyone who turned
    # messages off or hears by phone or post.
    updates = []
    if is_own and signup.attendance == SignUp.Attendance.ATTENDED:
        updates = list(
            Update.objects.published()
            .after_session(signup.opportunity)
            .for_display()[: UPDATES_SHOWN + 1]
        )
    return render(
        request,
        "participation/signup_detail.html",
        {
            "signup": signup,
            "opportunity": signup.opportunity,
            "is_own": is_own,
            "can_run": permissions.can_run(request.user, signup.opportunity),
            "profile_needs": profile_needs,
            "show_needs": show_needs,
            "needs_hidden_from_role": needs_hidden_from_role,
            "needs_no_longer_kept": needs_no_longer_kept,
            "offer_is_live": signup.offer_is_live(),
            "started": started,
            "reminders_to_come": reminders_to_come(signup.opportunity.starts_at, timezone.now()),
            "ended": signup.opportunity.has_ended(),
            "own_claim": own_claim,
            "can_claim": can_claim,
            "updates": updates[:UPDATES_SHOWN],
            "more_updates": len(updates) > UPDATES_SHOWN,
            "fee": fee_for(signup.opportunity, activity_date(signup.opportunity)),
            "can_sign_up_again": can_sign_up_again,
            # Said before they choose: signing up again books a place only while one is free
            # (one query, and only on a cancelled place's page).
            "sign_up_again_waits": can_sign_up_again and signup.opportunity.is_full,
        },
    )


def _profile_or_none(user):
    try:
        return user.profile
    except Profile.DoesNotExist:
        return None


@login_required
def session_needs(request, pk):
    """The person changes what they need for this session alone, from their place's page."""
    signup = permissions.get_signup_for_user(request, pk)
    if signup.resident_id != request.user.pk:
        raise Http404  # theirs to tell: staff record needs only when they book someone
    form = SessionNeedsForm(
        request.POST if request.method == "POST" else None,
        initial={"access_needs_note": signup.access_needs_note},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.change_session_needs(
                signup, by=request.user, note=form.cleaned_data["access_needs_note"]
            )
        except services.ParticipationError as error:
            messages.error(request, str(error))
        else:
            saved = form.cleaned_data["access_needs_note"].strip()
            messages.success(
                request,
                "Saved. The staff running this session can see it."
                if saved
                else "Saved. You have not told us of anything else you need for this session.",
            )
        return redirect(signup)
    profile = _profile_or_none(request.user)
    return render(
        request,
        "participation/session_needs.html",
        {
            "signup": signup,
            "opportunity": signup.opportunity,
            "form": form,
            "profile_needs": profile.access_needs if profile else "",
        },
    )


@login_required
def joining(request, pk):
    """How someone will join a hybrid session, said again from their place's page: by the
    person, or by staff running the session (after a phone call, say)."""
    signup = permissions.get_signup_for_user(request, pk)
    if signup.opportunity.format != Opportunity.Format.HYBRID:
        raise Http404  # nothing to choose: the session is held one way
    is_own = signup.resident_id == request.user.pk
    form = JoiningForm(
        request.POST if request.method == "POST" else None,
        initial={"joining": signup.joining or None},
        for_someone=not is_own,
    )
    if request.method == "POST" and form.is_valid():
        try:
            signup = services.change_joining(
                signup, by=request.user, joining=form.cleaned_data["joining"]
            )
        except services.ParticipationError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _joining_saved(signup, is_own=is_own))
        return redirect(signup)
    return render(
        request,
        "participation/joining.html",
        {
            "signup": signup,
            "opportunity": signup.opportunity,
            "form": form,
            "is_own": is_own,
            **_what_changing_joining_changes(signup),
        },
    )


def _what_changing_joining_changes(signup) -> dict:
    """What the page says before someone chooses, so nothing changes unannounced: a taxi
    agreed for them goes if they join online; one withdrawn does not come back if they come
    in person; staff who may have arranged support are told (services.staff_told_of_joining)."""
    online = signup.joining == SignUp.Joining.ONLINE
    agreements = list(TaxiAgreement.objects.filter(signup=signup).order_by("-agreed_at")[:1])
    latest = agreements[0] if agreements else None
    return {
        "taxi_would_go": latest is not None and latest.is_live and not online,
        "taxi_gone": latest is not None and not latest.is_live and online,
        "staff_told": bool(services.staff_told_of_joining(signup)),
    }


def _joining_saved(signup, *, is_own) -> str:
    online = signup.joining == SignUp.Joining.ONLINE
    # Set by the service: the taxi agreed for them, withdrawn as they now join online.
    taxi = getattr(signup, "taxi_withdrawn", None)
    if not is_own:
        saved = f"Saved. {signup.resident} will join {'online' if online else 'in person'}."
        if taxi:
            saved += " Their taxi is withdrawn: we have told them, and the others running it."
        return saved
    if online and taxi:
        return (
            "Saved. You will join online. How to join is on this page. We will no longer pay "
            "for the taxi we agreed, and we have told the staff running the session."
        )
    if online:
        return "Saved. You will join online. How to join is on this page."
    return "Saved. You will come in person. Where to go is on this page."


@login_required
@post_only("participation:signup")
def share_needs(request, pk):
    """The person shows the access needs in their profile to the staff running a session
    that staff booked them onto."""
    signup = permissions.get_signup_for_user(request, pk)
    try:
        services.share_profile_needs(signup, by=request.user)
    except services.ParticipationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "The staff running this session can now see your access needs.")
    return redirect(signup)


@login_required
def cancel(request, pk):
    """Cancelling your own place is one click (SPEC 4.2): the buttons on the place's page and
    on "/my/" post here and the place is cancelled at once. A GET, from an old link or a
    bookmark, still shows a confirmation page, whose button posts here too.

    Staff cancelling someone else's place always come through that page first: it says what
    will happen, and asks why, which the person is sent and staff later see on the place."""
    signup = permissions.get_signup_for_user(request, pk)
    is_own = signup.resident_id == request.user.pk
    form = None if is_own else CancelPlaceForm(request.POST if request.method == "POST" else None)
    # A second press, or an old tab, on a place already cancelled needs no reason: it says so.
    reason_needed = form is not None and signup.status != SignUp.Status.CANCELLED
    if request.method == "POST" and not (reason_needed and not form.is_valid()):
        was = signup.status  # the service hands back a fresh copy; this one keeps the old status
        try:
            services.cancel_sign_up(
                signup,
                by=request.user,
                reason=form.cleaned_data["reason"] if reason_needed else "",
            )
        except services.ParticipationError as error:
            messages.error(request, str(error))
            return redirect(signup)
        if was == SignUp.Status.CANCELLED:
            # A second click, or an old tab: nothing changed, so say so rather than "done".
            messages.info(request, "This place was already cancelled.")
        elif not is_own:
            messages.success(
                request, f"Cancelled {signup.resident}'s place. We are telling them why."
            )
        else:
            # No full stop after a title that already ends a sentence ("...easier?").
            title = str(signup.opportunity)
            title = f"{title}{full_stop_after(title)}"
            if was == SignUp.Status.WAITING:
                messages.success(request, f"You have left the waiting list for {title}")
            elif was == SignUp.Status.OFFERED:
                messages.success(
                    request,
                    f"You said no to the place at {title} "
                    "We will offer it to the next person waiting.",
                )
            else:
                messages.success(request, f"You have cancelled your place at {title}")
        if not is_own:
            return redirect("participation:manage", signup.opportunity_id)
        # The place's own page: it says the place is cancelled and offers signing up again.
        return redirect(signup)
    if not signup.can_be_cancelled():
        messages.info(request, "There is nothing to cancel.")
        return redirect(signup)
    return render(
        request,
        "participation/signup_cancel.html",
        {"signup": signup, "opportunity": signup.opportunity, "form": form, "is_own": is_own},
    )


@login_required
@post_only("participation:signup")
def accept(request, pk):
    signup = permissions.get_signup_for_user(request, pk)
    try:
        signup = services.accept_offer(signup, by=request.user)
    except services.ParticipationError as error:
        messages.error(request, str(error))
    else:
        if signup.resident_id == request.user.pk:
            title = signup.opportunity.title
            messages.success(request, f"You have a place at {title}{full_stop_after(title)}")
        else:
            messages.success(request, f"{signup.resident} now has a place.")
    if signup.resident_id != request.user.pk:
        return redirect("participation:manage", signup.opportunity_id)
    return redirect(signup)


@login_required
def my(request):
    now = timezone.now()
    mine = (
        SignUp.objects.filter(resident=request.user)
        .select_related("opportunity__venue", "opportunity__project")
        .with_waiting_position()
    )
    upcoming = (
        mine.filter(opportunity__ends_at__gt=now).active().order_by("opportunity__starts_at", "pk")
    )
    past = (
        mine.filter(
            Q(opportunity__ends_at__lte=now, status=SignUp.Status.BOOKED)
            # Still waiting when it started: no place came up for them.
            | Q(opportunity__starts_at__lte=now, status=SignUp.Status.WAITING)
        )
        .select_related("claim", "survey_invitation")
        .order_by("-opportunity__starts_at", "-pk")
    )
    upcoming = list(upcoming)
    past_page = paginate(request, past, PAST_PER_PAGE)
    past_page.object_list = [_with_what_comes_after(signup, now) for signup in past_page]
    updates = list(_updates_for(request.user)[: UPDATES_SHOWN + 1])
    return render(
        request,
        "participation/my.html",
        {
            "offers": [s for s in upcoming if s.status == SignUp.Status.OFFERED],
            "booked": [s for s in upcoming if s.status == SignUp.Status.BOOKED],
            # A waiting list ends when the session starts: no place can come up after that.
            "waiting": [
                s
                for s in upcoming
                if s.status == SignUp.Status.WAITING and not s.opportunity.has_started(now)
            ],
            "page_obj": past_page,
            "now": now,
            "updates": updates[:UPDATES_SHOWN],
            "more_updates": len(updates) > UPDATES_SHOWN,
        },
    )


def _updates_for(person):
    """The "we said, we did" updates `person` is sent for what they took part in, newest
    first: the ones anyone may read (an update on a project not public is only emailed)."""
    return Update.objects.published().for_someone_who_took_part(person).for_display()


@login_required
def my_updates(request):
    """Every "we said, we did" update about what you took part in."""
    return render(
        request,
        "participation/my_updates.html",
        {"page_obj": paginate(request, _updates_for(request.user), UPDATES_PER_PAGE)},
    )


def _with_what_comes_after(signup, now):
    """A past session's next steps for the person: their claim if they made one (or whether
    they can), and the survey while it is open. Both came in the page's one query."""
    signup.own_claim = getattr(signup, "claim", None)  # None: no claim (a missing relation)
    signup.can_claim = signup.own_claim is None and can_claim_for(signup)
    invitation = getattr(signup, "survey_invitation", None)
    signup.survey_path = ""
    if invitation and invitation.is_open(now):
        signup.survey_path = reverse("insight:survey", args=[survey_token(signup)])
        signup.survey_closes_at = invitation.closes_at
    return signup


@login_required
def calendar_link(request):
    """The private link to your own calendar feed, and a button to replace it."""
    profile = permissions.profile_for(request)
    if request.method == "POST":
        services.new_calendar_link(profile)
        messages.success(request, "We have made a new link. The old one no longer works.")
        return redirect("participation:calendar_link")
    link = calendar_url(profile)
    return render(
        request,
        "participation/calendar_link.html",
        {
            "calendar_url": link,
            # The webcal: scheme opens the calendar app, ready to subscribe, in one tap.
            "subscribe_url": "webcal:" + link.split(":", 1)[1],
        },
    )


@never_cache
def personal_feed(request, token):
    """No sign-in (calendar apps cannot); the signed token is the key."""
    try:
        user_id, key = read_calendar_token(token)
    except (signing.BadSignature, KeyError, ValueError, TypeError):
        raise Http404("No such calendar.") from None
    profile = Profile.objects.filter(user_id=user_id, user__is_active=True).first()
    if profile is None or not constant_time_compare(profile.calendar_key, key):
        raise Http404("No such calendar.")
    signups = (
        SignUp.objects.filter(resident_id=user_id)
        .exclude(status=SignUp.Status.CANCELLED)
        .filter(opportunity__ends_at__gte=timezone.now() - timedelta(days=90))
        .select_related("opportunity__venue", "opportunity__project")
        .order_by("opportunity__starts_at")
    )
    response = HttpResponse(
        calendar.personal_ics(signups, name="My co-production sessions"),
        content_type=calendar.CONTENT_TYPE,
    )
    response["Content-Disposition"] = 'inline; filename="my-sessions.ics"'
    return response
