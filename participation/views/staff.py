"""Staff: create and run opportunities, sign people up, take attendance, manage venues."""

import uuid
from collections import Counter

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Q
from django.forms.models import model_to_dict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache

from coprod_hub.audit import log_access
from coprod_hub.lib.csv_export import csv_response
from coprod_hub.lib.forms import is_database_id, strip_control_characters
from coprod_hub.lib.pagination import paginate
from coprod_hub.lib.post_only import post_only
from notifications.permissions import calls_for
from notifications.prompts import STOP_CHASING_AFTER
from projects.permissions import edits_every_project

from .. import people, permissions, services
from ..forms import (
    AddPersonForm,
    AttendanceForm,
    CancelOpportunityForm,
    ChoosePersonForm,
    FindPersonForm,
    GroupMessageForm,
    OpportunityForm,
    VenueForm,
)
from ..forms.fields import UK
from ..models import Opportunity, SignUp
from ..templatetags.participation import day_and_clock

STAFF_PER_PAGE = 25
RECENT_GROUP_MESSAGES = 10
GROUP_MESSAGES_PER_PAGE = 20
WAITING_PER_PAGE = 50
SEARCH_MAX_LENGTH = 200


@login_required
def staff_list(request):
    """Opportunities you run: coming up soonest first, past ones latest first, and a search
    by title or project for staff who run many. Commissioners and admins also find the
    sessions standing alone that nobody runs any more, to hand them to a colleague."""
    permissions.require_staff(request)
    status = request.GET.get("status", "")
    # Characters no title holds (NUL would be a database error) cannot match: drop them.
    typed = strip_control_characters(request.GET.get("q", ""))
    search = " ".join(typed.split())[:SEARCH_MAX_LENGTH]
    opportunities = permissions.opportunities_run_by(request.user).with_nobody_running()
    # Commissioners and admins hand over sessions standing alone whose runner has left.
    hands_over = edits_every_project(request.user)
    to_hand_over = _to_hand_over(opportunities) if hands_over else None
    order = ("starts_at", "pk")
    if status in Opportunity.Status.values:
        opportunities = opportunities.filter(status=status)
    elif status == NOBODY_RUNS_IT and hands_over:
        opportunities = _to_hand_over(opportunities)
    elif status == "past":
        opportunities = opportunities.filter(starts_at__lte=timezone.now())
        order = ("-starts_at", "-pk")
    else:
        status = ""
        opportunities = opportunities.filter(starts_at__gt=timezone.now())
    if search:
        opportunities = opportunities.filter(
            Q(title__icontains=search) | Q(project__title__icontains=search)
        )
    # Flagged in the same query: a register never taken quietly holds up fees and surveys.
    opportunities = opportunities.for_list().with_register_not_taken().order_by(*order)
    return render(
        request,
        "participation/staff/list.html",
        {
            "page_obj": paginate(request, opportunities, STAFF_PER_PAGE),
            "status": status,
            "search": search,
            "search_max_length": SEARCH_MAX_LENGTH,
            "status_choices": [
                ("", "Coming up"),
                *Opportunity.Status.choices,
                ("past", "Past"),
                *([(NOBODY_RUNS_IT, "Nobody runs it")] if hands_over else []),
            ],
            "to_hand_over": to_hand_over.count() if to_hand_over is not None else 0,
            # The people on their call list (its own scoping) to phone by a set time.
            "calls_due": calls_for(request.user).deadlines_ahead(timezone.now()),
            "nobody_runs_it": NOBODY_RUNS_IT,
            "hand_over_weeks": STOP_CHASING_AFTER.days // 7,
        },
    )


NOBODY_RUNS_IT = "nobody"


def _to_hand_over(opportunities):
    """Sessions standing alone whose runner has left, not called off, and still to come or
    over less than STOP_CHASING_AFTER ago: after that no prompt chases them, and nothing
    waits on whoever runs them."""
    return opportunities.filter(
        nobody_runs_it=True, ends_at__gt=timezone.now() - STOP_CHASING_AFTER
    ).exclude(status=Opportunity.Status.CANCELLED)


def _opportunity_form_page(request, form, *, opportunity=None, copy_of=None):
    return render(
        request,
        "participation/staff/opportunity_form.html",
        {"form": form, "opportunity": opportunity, "copy_of": copy_of},
    )


@login_required
def create(request):
    permissions.require_staff(request)
    projects = permissions.projects_for_new_opportunity(request.user)
    initial = {"contact_name": str(request.user), "contact_email": request.user.email}
    project_id = request.GET.get("project", "")
    if is_database_id(project_id) and projects.filter(pk=project_id).exists():
        initial["project"] = project_id
    return _new_opportunity(request, projects, initial)


@login_required
def copy_opportunity(request, pk):
    """Run an opportunity again (councils run many every month): the form filled in from
    this one but for the date, saved as a new draft. Nobody signed up comes with it."""
    original = permissions.get_opportunity_to_run(request, pk)
    # Its project stays chosen even once closed, so saving says why the copy cannot go there.
    projects = permissions.projects_for_new_opportunity(request.user, keep=original.project_id)
    initial = model_to_dict(original, fields=OpportunityForm.Meta.fields)
    initial["start_time"] = original.starts_at.astimezone(UK).time()
    initial["end_time"] = original.ends_at.astimezone(UK).time()
    return _new_opportunity(request, projects, initial, copy_of=original)


def _new_opportunity(request, projects, initial, *, copy_of=None):
    if "add_venue" in request.POST:
        return _add_venue_keeping_the_form(request)
    # Whoever adds a session runs it unless they choose a colleague (a copy too: the person
    # copying it runs the new one).
    initial["created_by"] = request.user.pk
    initial.update(_typed_before_adding_a_venue(request))
    form = OpportunityForm(
        request.POST if request.method == "POST" else None, projects=projects, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            opportunity = services.create_opportunity(
                by=request.user, runner=form.hand_to(), **form.opportunity_fields()
            )
        except services.ParticipationError as error:
            form.add_error(error.field, str(error))
        else:
            done = "Copied as a new draft." if copy_of else "Opportunity saved as a draft."
            return _after_saving(
                request,
                opportunity,
                f"{done} Publish it when it is ready.",
                handed_over=f"{done} {opportunity.created_by} runs it, and can publish it when "
                "it is ready.",
            )
    return _opportunity_form_page(request, form, copy_of=copy_of)


def _after_saving(request, opportunity, done, *, handed_over):
    """Its page; or, for whoever gave it to a colleague to run and so no longer runs it (its
    page would not be found), the list of sessions they run, saying who runs it now."""
    if permissions.can_run(request.user, opportunity):
        messages.success(request, done)
        return redirect("participation:manage", opportunity.pk)
    messages.success(request, handed_over)
    return redirect("participation:staff_list")


@login_required
def edit(request, pk):
    opportunity = permissions.get_opportunity_to_run(request, pk)
    if opportunity.status == Opportunity.Status.CANCELLED:
        # Only an old link or the back button gets here: the manage page offers no change.
        messages.info(
            request,
            "A cancelled opportunity cannot be changed. To run it again, copy it as a new draft.",
        )
        return redirect("participation:manage", opportunity.pk)
    if "add_venue" in request.POST:
        return _add_venue_keeping_the_form(request)
    projects = permissions.projects_for_new_opportunity(request.user, keep=opportunity.project_id)
    form = OpportunityForm(
        request.POST if request.method == "POST" else None,
        instance=opportunity,
        projects=projects,
        initial=_typed_before_adding_a_venue(request),
    )
    if request.method == "POST" and form.is_valid() and "change" not in request.POST:
        if "send" not in request.POST:
            # A new fee for a session people have claimed for: staff see what it does to
            # their claims, and save from there ("send") or go back ("change").
            plan = services.fee_correction_plan(
                opportunity, by=request.user, **form.opportunity_fields()
            )
            if plan is not None and plan.problem:
                form.add_error("fee_basis", plan.problem)
                return _opportunity_form_page(request, form, opportunity=opportunity)
            if plan is not None and plan.affects_claims:
                return _fee_correction_check(request, opportunity, plan)
        try:
            with transaction.atomic():
                saved = services.update_opportunity(
                    opportunity, by=request.user, **form.opportunity_fields()
                )
                if runner := form.hand_to():
                    saved = services.hand_over_opportunity(saved, to=runner, by=request.user)
        except services.ParticipationError as error:
            form.add_error(error.field, str(error))
        else:
            done = "Your changes have been saved."
            # `opportunity` keeps who ran it before: the form does not change its runner.
            ran_it = opportunity.created_by_id
            if not form.hand_to() and saved.created_by_id == request.user.pk != ran_it:
                # Taken out of its project, and whoever added it can no longer run it
                # (services.update_opportunity): the person who moved it runs it now.
                done += (
                    f" You run it now, as {opportunity.created_by} can no longer run sessions. "
                    "To give it to a colleague, choose who runs it in its details."
                )
            return _after_saving(
                request,
                saved,
                done,
                handed_over=f"Your changes have been saved. {saved.created_by} runs "
                f"{saved.title} now.",
            )
    return _opportunity_form_page(request, form, opportunity=opportunity)


def _fee_correction_check(request, opportunity, plan):
    """The check before a new fee reaches claims: what happens to them, and the form's
    answers again in hidden fields, as sent, to save ("send") or change ("change")."""
    posted = [
        (name, value)
        for name, values in request.POST.lists()
        if name not in ("csrfmiddlewaretoken", "send", "change")
        for value in values
    ]
    return render(
        request,
        "payments/fee_corrections/check.html",
        {
            "opportunity": opportunity,
            "plan": plan,
            "posted": posted,
        },
    )


# What staff typed into an opportunity form before going to add a venue, by the form's path.
TYPED_BEFORE_ADDING_A_VENUE = "opportunity_form_before_venue"


def _add_venue_keeping_the_form(request):
    """ "Add a new venue" sends the opportunity form: keep what was typed, unchecked, to fill
    the form in again when they come back with the new venue."""
    typed = request.POST.dict()
    for name in ("csrfmiddlewaretoken", "add_venue"):
        typed.pop(name, None)
    request.session[TYPED_BEFORE_ADDING_A_VENUE] = {"path": request.path, "typed": typed}
    return redirect(f"{reverse('participation:venue_create')}?{urlencode({'next': request.path})}")


def _typed_before_adding_a_venue(request) -> dict:
    """The form as it was typed before adding a venue, with the new venue chosen; {} when
    this form was not left to add one."""
    if request.method != "GET":
        return {}
    kept = request.session.get(TYPED_BEFORE_ADDING_A_VENUE)
    initial = {}
    if kept and kept["path"] == request.path:
        del request.session[TYPED_BEFORE_ADDING_A_VENUE]
        # A box left unticked is not sent with the form: it must not come back ticked from
        # the opportunity being changed or copied.
        fields = OpportunityForm.base_fields.items()
        unticked = {name: False for name, f in fields if isinstance(f, forms.BooleanField)}
        typed = dict(kept["typed"])
        for name, field in fields:
            if isinstance(field, forms.MultiValueField):
                # A date comes back as its day, month and year boxes, as they were typed.
                boxes = [typed.pop(f"{name}_{i}", "") for i in range(len(field.fields))]
                typed[name] = boxes
        initial = {**unticked, **typed}
    venue = request.GET.get("venue", "")
    if is_database_id(venue):
        initial["venue"] = venue
    return initial


def _status_action(request, pk, action, done_message):
    opportunity = permissions.get_opportunity_to_run(request, pk)
    try:
        action(opportunity, by=request.user)
    except services.ParticipationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done_message)
    return redirect("participation:manage", opportunity.pk)


@login_required
@post_only("participation:manage")
def publish(request, pk):
    return _status_action(
        request, pk, services.publish_opportunity, "Published. People can now find and sign up."
    )


@login_required
@post_only("participation:manage")
def close(request, pk):
    return _status_action(
        request,
        pk,
        services.close_opportunity,
        "Sign-up is closed. People with a place or on the waiting list keep it.",
    )


@login_required
def cancel_opportunity(request, pk):
    opportunity = permissions.get_opportunity_to_run(request, pk)
    if opportunity.status == Opportunity.Status.CANCELLED:
        # The back button, or a second tab: nobody is told twice, so say nothing will be.
        messages.info(request, "This opportunity was already cancelled. Nobody was told again.")
        return redirect("participation:manage", opportunity.pk)
    form = CancelOpportunityForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.cancel_opportunity(
                opportunity, by=request.user, reason=form.cleaned_data["reason"]
            )
        except services.ParticipationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Cancelled. Everyone signed up or waiting will be told.")
            return redirect("participation:manage", opportunity.pk)
    return render(
        request,
        "participation/staff/cancel.html",
        {"form": form, "opportunity": opportunity, "people": opportunity.signups.active().count()},
    )


def _signups_for_manage(opportunity):
    return (
        opportunity.signups.select_related("resident__profile", "signed_up_by")
        .with_waiting_position()
        .order_by("waiting_since", "created_at", "pk")
    )


@login_required
def manage(request, pk):
    opportunity = permissions.get_opportunity_to_run(request, pk)
    signups = _signups_for_manage(opportunity)
    # Places are capped, so everyone holding one fits on the page (the register needs them
    # all); the waiting list is not, so it comes a page at a time.
    holding = list(signups.filter(status__in=[SignUp.Status.BOOKED, SignUp.Status.OFFERED]))
    booked = [s for s in holding if s.status == SignUp.Status.BOOKED]
    offered = [s for s in holding if s.status == SignUp.Status.OFFERED]
    waiting = paginate(request, signups.filter(status=SignUp.Status.WAITING), WAITING_PER_PAGE)
    opportunity.held_count = len(holding)
    opportunity.waiting_count = waiting.paginator.count
    started = opportunity.has_started()
    can_see_needs = permissions.can_see_access_needs(request.user, opportunity)
    needs_no_longer_kept = not opportunity.access_needs_kept()
    if can_see_needs:
        _record_needs_seen(request, opportunity, [*holding, *waiting])
    # One more than is shown, to say when older messages are left out.
    group_messages = list(
        opportunity.group_messages.select_related("sent_by")[: RECENT_GROUP_MESSAGES + 1]
    )
    register, own_place = _register(booked, request.user)
    attendance_form = None
    if started and opportunity.status != Opportunity.Status.CANCELLED and register:
        attendance_form = AttendanceForm(signups=register)
    # Once it has started, staff add people who came without a place (services.record_walk_in).
    walk_ins_open = started and not services.walk_in_closed_reason(opportunity)
    # A hybrid session: how many come in person (the room, refreshments) and join online.
    hybrid = opportunity.format == Opportunity.Format.HYBRID
    joining = Counter(signup.joining for signup in booked) if hybrid else Counter()
    return render(
        request,
        "participation/staff/manage.html",
        {
            "opportunity": opportunity,
            "booked": booked,
            "offered": offered,
            "waiting": waiting,
            "cancelled_count": opportunity.signups.filter(status=SignUp.Status.CANCELLED).count(),
            "started": started,
            "can_see_needs": can_see_needs,
            "needs_no_longer_kept": needs_no_longer_kept,
            "attendance_form": attendance_form,
            "anyone_not_recorded": any(not s.attendance for s in register),
            "walk_ins_open": walk_ins_open,
            "hybrid": hybrid,
            "in_person_count": joining[SignUp.Joining.IN_PERSON],
            "online_count": joining[SignUp.Joining.ONLINE],
            "joining_not_said": joining[SignUp.Joining.NOT_SAID],
            "added_on_the_day": sum(1 for s in booked if s.added_on_the_day),
            "own_place": own_place,
            "claims_against_the_register": services.claims_against_the_register(opportunity)
            if started
            else [],
            "group_messages": group_messages[:RECENT_GROUP_MESSAGES],
            "more_group_messages": len(group_messages) > RECENT_GROUP_MESSAGES,
            # Once it has been held: who runs it may tell the people who came what changed.
            "can_post_update": opportunity.is_going_ahead and opportunity.has_ended(),
            "now": timezone.now(),
        },
    )


@login_required
def group_messages(request, pk):
    """Every message sent to the people taking part, newest first; the manage page shows
    the latest."""
    opportunity = permissions.get_opportunity_to_run(request, pk)
    messages_sent = opportunity.group_messages.select_related("sent_by")
    return render(
        request,
        "participation/staff/group_messages.html",
        {
            "opportunity": opportunity,
            "page_obj": paginate(request, messages_sent, GROUP_MESSAGES_PER_PAGE),
        },
    )


@login_required
def message_group(request, pk):
    """Write to the people taking part: everyone with a place, and the waiting list if asked."""
    opportunity = permissions.get_opportunity_to_run(request, pk)
    held, waiting = services.group_message_reach(opportunity)
    data = request.POST if request.method == "POST" else None
    by_text = (held.by_text, waiting.by_text)
    form = GroupMessageForm(
        data,
        held=len(held),
        waiting=len(waiting),
        by_text=by_text,
        initial={"token": uuid.uuid4()},
    )
    # The first press shows the message as people will get it ("check"); sending is the
    # second ("send"). "change" goes back to the form with what was typed.
    step = next((name for name in ("send", "change") if data and name in data), "check")
    if data is not None and form.is_valid() and step == "check":
        return _check_group_message(request, opportunity, form, held, waiting)
    if data is not None and form.is_valid() and step == "send":
        fields = form.cleaned_data
        try:
            record, sent_now = services.message_group(
                opportunity,
                by=request.user,
                token=fields["token"],
                subject=fields["subject"],
                text=fields["text"],
                easy_read_text=fields["easy_read_text"],
                include_waiting=form.include_waiting,
            )
        except services.ParticipationError as error:
            form.add_error(None, str(error))
        else:
            if sent_now:
                messages.success(request, _sent_message(record, services.on_call_list(record)))
                return redirect("participation:manage", opportunity.pk)
            words = (fields["subject"], fields["text"], fields["easy_read_text"])
            if (record.subject, record.text, record.easy_read_text) == words:
                messages.info(request, _already_sent_message(record))
                return redirect("participation:manage", opportunity.pk)
            # The page was sent before, then changed (the back button, say): keep the new
            # words and let them send it as a new message, on purpose.
            form = GroupMessageForm(
                {**data.dict(), "token": str(uuid.uuid4())},
                held=len(held),
                waiting=len(waiting),
                by_text=by_text,
            )
            form.is_valid()
            form.add_error(None, _already_sent_message(record, changed=True))
    return render(
        request,
        "participation/staff/message_group.html",
        {
            "opportunity": opportunity,
            "form": form,
            "held": held,
            "waiting": waiting,
            "started": opportunity.has_started(),
        },
    )


def _check_group_message(request, opportunity, form, held, waiting):
    fields = form.cleaned_data
    include_waiting = form.include_waiting
    reached = held + waiting if include_waiting else held
    return render(
        request,
        "participation/staff/message_group_check.html",
        {
            "opportunity": opportunity,
            "form": form,
            "reached": reached,
            "include_waiting": include_waiting,
            "preview": services.preview_group_message(
                opportunity,
                by=request.user,
                subject=fields["subject"],
                text=fields["text"],
                easy_read_text=fields["easy_read_text"],
            ),
        },
    )


def _people(count: int) -> str:
    return f"{count} {'person' if count == 1 else 'people'}"


def _sent_message(record, on_call_list: int) -> str:
    text = f"Your message is being sent to {_people(record.recipient_count)}."
    if on_call_list:
        text += (
            f" {_people(on_call_list)} asked for contact by post or phone, so "
            "they are on the call list."
        )
    return text


def _already_sent_message(record, *, changed=False) -> str:
    when = day_and_clock(record.created_at)
    if changed:
        return (
            f"You already sent a message from this page on {when}, so this one has not been "
            "sent. To send it as well, check it and select \u201cSend message\u201d again"
        )
    return (
        f"This message was already sent on {when} to {_people(record.recipient_count)}. "
        "It has not been sent again."
    )


def _record_needs_seen(request, opportunity, signups):
    """Access needs are special category data: the audit trail keeps who saw whose, when.
    One entry per page view, listing the people, so the page's queries stay constant. By
    number, not name: an account erased later is a pseudonym, and so is this entry."""
    shown = [s for s in signups if s.access_needs_note or s.needs_for_staff]
    if shown:
        people = ", ".join(f"person {s.resident_id}" for s in shown)
        log_access(opportunity, by=request.user, what=f"access needs of {people}")


def _register(booked, user):
    """The people whose attendance this person may record, in register order, and their own
    place if they have one: nobody records their own (services.record_attendance)."""
    register = sorted((s for s in booked if s.resident_id != user.pk), key=_register_order)
    own_place = next((s for s in booked if s.resident_id == user.pk), None)
    return register, own_place


def _register_order(signup):
    """The register on the page and the attendance list (CSV) are both in this order, by
    name whatever the capitals, so staff can read one from the other. In Python, not the
    database: the database's collation may put "Bob" before "ada"."""
    return (signup.resident.display_name.casefold(), signup.resident.email)


@login_required
@post_only("participation:manage")
def attendance(request, pk):
    opportunity = permissions.get_opportunity_to_run(request, pk)
    register, _own_place = _register(
        _signups_for_manage(opportunity).filter(status=SignUp.Status.BOOKED), request.user
    )
    form = AttendanceForm(request.POST, signups=register)
    # The second button: everyone with nothing recorded came.
    everyone_else = SignUp.Attendance.ATTENDED if "everyone_else_attended" in request.POST else ""
    if form.is_valid():
        try:
            changed = services.record_attendance(
                opportunity, by=request.user, marks=form.marks(), everyone_else=everyone_else
            )
        except services.ParticipationError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"Attendance saved ({changed} changed).")
        return redirect("participation:manage", opportunity.pk)
    messages.error(request, "Choose attended, sent apologies or did not attend for each person.")
    return redirect("participation:manage", opportunity.pk)


@login_required
@never_cache
def attendance_csv(request, pk):
    """The attendance list for the register. Personal data: never kept by any cache."""
    opportunity = permissions.get_opportunity_to_run(request, pk)
    signups = sorted(
        opportunity.signups.filter(status=SignUp.Status.BOOKED).select_related(
            "resident__profile", "signed_up_by"
        ),
        key=_register_order,
    )
    header = [
        "Name",
        "Email",
        "Phone",
        "Contact by",
        "Information written in",
        "Large print",
        "Signed up by",
        "How they join",
        "Attendance",
        "Recorded",
    ]
    return csv_response(
        f"attendance-{opportunity.pk}.csv", header, (_attendance_row(s) for s in signups)
    )


def _attendance_row(signup) -> list:
    person = signup.resident
    profile = getattr(person, "profile", None)
    recorded = signup.attendance_recorded_at
    return [
        str(person),
        person.email if person.has_real_email else "",
        profile.phone if profile else "",
        profile.get_contact_by_display() if profile else "Email",
        profile.get_format_display() if profile else "Standard",
        "Yes" if profile and profile.large_print else "No",
        _signed_up_by(signup),
        # As they said for a hybrid session; else the one way the session is held.
        signup.joining_in_words or signup.opportunity.get_format_display(),
        signup.get_attendance_display(),
        timezone.localtime(recorded).strftime("%d/%m/%Y %H:%M") if recorded else "",
    ]


def _signed_up_by(signup) -> str:
    if signup.added_on_the_day:
        by = f" by {signup.signed_up_by}" if signup.signed_up_by else ""
        return f"Added on the day{by}"
    return str(signup.signed_up_by) if signup.signed_up_by else "Themselves"


# After "Nobody you work with has that name or phone number" on the sign-up page.
NOBODY_TO_SIGN_UP = ". Check what you typed, or add them as a new person"


@login_required
def sign_up_person(request, pk):
    """Staff sign up someone, e.g. after a phone call: found by email address, or by name or
    phone number among the people they work with (participation.people), then chosen.

    Once the session has started, the same search finds someone who came, to put on the
    register as attended (services.record_walk_in): the page says so before anything is typed.
    """
    opportunity = permissions.get_opportunity_to_run(request, pk)
    came = opportunity.has_started()
    if came and (closed := _no_walk_ins(request, opportunity)):
        return closed
    data = request.POST if request.method == "POST" else request.GET
    searched = request.method == "POST" or "q" in data
    find = FindPersonForm(
        data if searched else None,
        by=request.user,
        nobody=NOBODY_CAME if came else NOBODY_TO_SIGN_UP,
    )
    choose = None
    if find.is_valid():
        choose = ChoosePersonForm(
            request.POST if request.method == "POST" else None,
            search=find.search,
            came=came,
            hybrid=opportunity.format == Opportunity.Format.HYBRID,
            initial={"person": data.get("person")},
        )
    if request.method == "POST" and choose is not None and choose.is_valid():
        try:
            _check_still_the_same(request, came)
            if came:
                signup = services.record_walk_in(opportunity, person=choose.chosen, by=request.user)
            else:
                signup = services.sign_up(
                    opportunity,
                    resident=choose.chosen,
                    by=request.user,
                    access_needs_note=choose.cleaned_data["access_needs_note"],
                    joining=choose.cleaned_data.get("joining", ""),
                )
        except services.ParticipationError as error:
            choose.add_error(error.field if error.field in choose.fields else None, str(error))
        else:
            messages.success(
                request, _came_message(signup) if came else _staff_signup_message(signup)
            )
            return redirect("participation:manage", opportunity.pk)
    return render(
        request,
        "participation/staff/sign_up_person.html",
        {
            "find": find,
            "choose": choose,
            "search": find.search,
            "most_shown": people.MOST_SHOWN,
            "opportunity": opportunity,
            "came": came,
        },
    )


# After "Nobody you work with has that name or phone number" on the page for someone who came.
NOBODY_CAME = ". Check what you typed, or add them as someone new who came"


def _no_walk_ins(request, opportunity):
    """The session has started but nobody can be added as having come (it was called off, or
    never published): back to its page, saying why, before anything is typed. None if they
    can be."""
    reason = services.walk_in_closed_reason(opportunity)
    if not reason:
        return None
    messages.error(request, reason)
    return redirect("participation:manage", opportunity.pk)


def _check_still_the_same(request, came) -> None:
    """The page said what pressing its button does: sign someone up, or record that they came
    (`came`, sent back by the form). If the session started between showing the page and
    pressing it, the other would happen: say so instead, keeping what was typed."""
    said_came = request.POST.get("came") == "yes"
    if said_came == came:
        return
    if came:
        raise services.ParticipationError(
            "The session has started since this page was opened, so nobody can be signed up "
            "now. To record that they came, check the details and select the button again."
        )
    raise services.ParticipationError(
        "The session has not started yet, so nobody can be recorded as having come. To sign "
        "them up instead, check the details and select the button again."
    )


def _came_message(signup) -> str:
    return f"{signup.resident} is on the register, marked as attended."


@login_required
@post_only("participation:manage")
def came(request, pk):
    """From the register: someone on the waiting list, or offered a place, came. Their place
    is booked and marked as attended (services.record_walk_in); nobody else loses one."""
    opportunity = permissions.get_opportunity_to_run(request, pk)
    signup_id = request.POST.get("signup", "")
    signup = (
        opportunity.signups.select_related("resident").filter(pk=signup_id).first()
        if is_database_id(signup_id)
        else None
    )
    if signup is None:
        permissions.raise_not_found()
    try:
        signup = services.record_walk_in(opportunity, person=signup.resident, by=request.user)
    except services.ParticipationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _came_message(signup))
    return redirect("participation:manage", opportunity.pk)


@login_required
def add_person(request, pk):
    """Staff add someone who has no account (often not online), then sign them up. Someone
    they work with of the same name and phone number is probably the same person: they are
    asked first, and may sign that person up instead.

    Once the session has started, the person added came: they go on the register as attended
    (services.add_person_who_came), and the page says so before anything is typed."""
    opportunity = permissions.get_opportunity_to_run(request, pk)
    came = opportunity.has_started()
    if came and (closed := _no_walk_ins(request, opportunity)):
        return closed
    form = AddPersonForm(
        request.POST if request.method == "POST" else None,
        came=came,
        hybrid=opportunity.format == Opportunity.Format.HYBRID,
    )
    same = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        same = people.same_name_and_phone(
            request.user, display_name=data["display_name"], phone=data["phone"]
        )
        use = next((f for f in same if str(f.pk) == request.POST.get("use_person")), None)
        warned = request.POST.get("create_anyway") == _same_person_key(data)
        new_person = {
            "display_name": data["display_name"],
            "email": data["email"],
            "phone": data["phone"],
            "postal_address": data["postal_address"],
            "contact_by": data["contact_by"],
        }
        try:
            _check_still_the_same(request, came)
            if use is not None and came:
                signup = services.record_walk_in(opportunity, person=use.person, by=request.user)
            elif use is not None:
                signup = services.sign_up(
                    opportunity,
                    resident=use.person,
                    by=request.user,
                    access_needs_note=data["access_needs_note"],
                    joining=data.get("joining", ""),
                )
            elif same and not warned:
                signup = None
            elif came:
                signup = services.add_person_who_came(opportunity, by=request.user, **new_person)
            else:
                signup = services.add_person_and_sign_up(
                    opportunity,
                    by=request.user,
                    access_needs_note=data["access_needs_note"],
                    joining=data.get("joining", ""),
                    **new_person,
                )
        except services.ParticipationError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            if signup is not None:
                messages.success(
                    request, _came_message(signup) if came else _staff_signup_message(signup)
                )
                return redirect("participation:manage", opportunity.pk)
    return render(
        request,
        "participation/staff/add_person.html",
        {
            "form": form,
            "opportunity": opportunity,
            "same": same,
            "same_key": _same_person_key(form.cleaned_data) if same else "",
            "came": came,
        },
    )


def _same_person_key(data) -> str:
    """The name and phone number staff were warned about: "Create a new person anyway" holds
    for those, not for another name or number typed after the warning."""
    return f"{' '.join(data['display_name'].split()).casefold()}|{data['phone']}"


def _staff_signup_message(signup):
    if signup.status == SignUp.Status.BOOKED:
        return f"{signup.resident} has a place."
    if signup.status == SignUp.Status.WAITING:
        return f"{signup.resident} is on the waiting list at number {signup.waiting_position}."
    return f"{signup.resident} has been offered a place."


# --- Venues ----------------------------------------------------------------------------


@login_required
def venues(request):
    venues = permissions.venues_for_staff(request).order_by("name", "pk")
    return render(
        request, "participation/staff/venues.html", {"page_obj": paginate(request, venues, 50)}
    )


@login_required
def venue_form(request, pk=None):
    venue = permissions.get_venue_for_staff(request, pk) if pk else None
    permissions.require_staff(request)
    form = VenueForm(request.POST if request.method == "POST" else None, instance=venue)
    # The opportunity form they came from, to go back to with the new venue chosen.
    back_to = request.GET.get("next", "")
    if not (
        back_to.startswith("/opportunities/") and url_has_allowed_host_and_scheme(back_to, None)
    ):
        back_to = ""
    if request.method == "POST" and form.is_valid():
        saved = services.save_venue(venue, by=request.user, **form.cleaned_data)
        if back_to:
            messages.success(request, f"{saved.name} has been added and chosen as the venue.")
            return redirect(f"{back_to}?{urlencode({'venue': saved.pk})}")
        messages.success(request, "The venue has been saved.")
        return redirect("participation:venues")
    return render(
        request,
        "participation/staff/venue_form.html",
        {"form": form, "venue": venue, "back_to": back_to, **_told_of_changes_at(venue)},
    )


def _told_of_changes_at(venue) -> dict:
    """Who hears about a change to the venue's name, address or access (services.save_venue),
    for staff to see before they save: the sessions still to come there, and the people
    booked, offered a place or waiting on them (each person once). Two queries."""
    if venue is None:
        return {"sessions_to_come": 0, "people_to_tell": 0}
    sessions = Opportunity.objects.going_ahead_at(venue)
    places = SignUp.objects.filter(opportunity__in=sessions).to_message(include_waiting=True)
    return {
        "sessions_to_come": sessions.count(),
        "people_to_tell": places.values("resident_id").distinct().count(),
    }
