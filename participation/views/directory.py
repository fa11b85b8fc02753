"""Public pages: the directory, an opportunity, and calendar files."""

from datetime import timedelta

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from coprod_hub.lib.page_cache import public_page
from coprod_hub.lib.pagination import paginate
from payments.policy import activity_date, fee_for
from projects.ladder import LEVEL_DESCRIPTIONS, STEP_DESCRIPTIONS, Level
from projects.models import ServiceArea

from .. import calendar, permissions
from ..forms import DirectoryFilterForm
from ..models import Opportunity, SignUp, Venue

PER_PAGE = 20
FEED_LIMIT = 1000  # a calendar app does not need more than this many future events
# With past opportunities asked for, the feed reaches back this far. Sorted oldest first, a
# feed of every past one would fill its limit with old events and leave out what is coming.
FEED_PAST = timedelta(days=90)


def _filter_form(request):
    topics = ServiceArea.objects.all()
    areas = (
        Venue.objects.exclude(area="").order_by("area").values_list("area", flat=True).distinct()
    )
    return DirectoryFilterForm(request.GET or None, topics=topics, areas=list(areas))


def _results(form, now, *, feed=False):
    filters = form.usable_filters()
    past = bool(filters.get("include_past"))
    listed = Opportunity.objects.in_feed if feed else Opportunity.objects.listed
    opportunities = listed(now, include_past=past).filtered(filters)
    query = filters.get("q", "")
    if query:
        opportunities = opportunities.search(query)
    if query and filters.get("sort") == "relevance":
        return opportunities.order_by("-rank", "starts_at", "pk"), filters
    return opportunities.order_by("starts_at", "pk"), filters


@require_GET
@public_page
def directory(request):
    now = timezone.now()
    form = _filter_form(request)
    opportunities, filters = _results(form, now)
    page = paginate(request, opportunities.for_list(), PER_PAGE)
    return render(
        request,
        "participation/directory.html",
        {
            "form": form,
            "page_obj": page,
            "result_count": page.paginator.count,
            # Filters narrow the results; a search or a sort order alone does not.
            "filtered": bool(set(filters) - {"q", "sort"}),
            "query": filters.get("q", ""),
            "project": filters.get("project"),
            "is_staff": permissions.is_staff(request.user),
        },
    )


@require_GET
@public_page
def detail(request, pk):
    opportunity = permissions.get_opportunity_for_viewer(request, pk)
    signup = None
    if request.user.is_authenticated:
        signup = (
            SignUp.objects.filter(opportunity=opportunity, resident=request.user)
            .with_waiting_position()
            .first()
        )
    step = opportunity.effective_step
    can_run = permissions.can_run(request.user, opportunity)
    level = opportunity.effective_level
    return render(
        request,
        "participation/detail.html",
        {
            "opportunity": opportunity,
            "signup": signup,
            "can_run": can_run,
            "closed_reason": opportunity.sign_up_closed_reason(),
            "step": step,
            "step_description": STEP_DESCRIPTIONS.get(step) if step else "",
            "level_label": Level(level).label if level in Level.values else "",
            "level_description": LEVEL_DESCRIPTIONS.get(level, ""),
            # What the policy pays for it, so people need not ask (one query).
            "fee": fee_for(opportunity, activity_date(opportunity)),
            # Joining details are for people with a confirmed place, and the staff running it.
            "show_online_details": (signup is not None and signup.status == SignUp.Status.BOOKED)
            or can_run,
        },
    )


def _ics_response(text, filename):
    response = HttpResponse(text, content_type=calendar.CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def calendar_file(request, pk):
    opportunity = permissions.get_opportunity_for_viewer(request, pk)
    signup = None
    if request.user.is_authenticated:
        signup = SignUp.objects.filter(opportunity=opportunity, resident=request.user).first()
    return _ics_response(
        calendar.opportunity_ics(opportunity, signup=signup), f"opportunity-{pk}.ics"
    )


@require_GET
def feed(request):
    """Every upcoming opportunity, or those matching the directory's filters; with those
    happening now, and those cancelled lately marked cancelled (Opportunity.objects.in_feed)."""
    form = _filter_form(request)
    now = timezone.now()
    opportunities, _ = _results(form, now, feed=True)
    opportunities = opportunities.filter(starts_at__gt=now - FEED_PAST)
    opportunities = opportunities.select_related("project", "venue")[:FEED_LIMIT]
    response = _ics_response(calendar.feed_ics(opportunities), "opportunities.ics")
    response["Content-Disposition"] = 'inline; filename="opportunities.ics"'
    return response
