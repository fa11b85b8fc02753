"""Insight pages. Views read the request, ask permissions.py, call a service or a dashboard
builder, and render."""

from datetime import date

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from coprod_hub.lib import page_cache
from coprod_hub.lib.csv_export import EXCEL_UTF8_MARK
from coprod_hub.lib.pagination import paginate
from participation.forms.fields import written_date

from . import permissions, services
from .dashboard import builders
from .dashboard.page import figures_html, kept_figures
from .filters import DashboardFilterForm, default_range
from .forms import EqualityForm, SurveyForm, WeAssessmentForm
from .models import SurveyResponse, WeAssessment
from .querysets import quarter_floor
from .stats import SUPPRESS_BELOW
from .tokens import SurveyLinkError
from .we import project_history, rateable_quarters

TABLE_PREFIXES = {
    "ladder_": "ladder",
    "reach_": "reach",
    "equality_": "reach",
    "reciprocity_": "reciprocity",
    "loop_": "loop",
    "outcomes_": "outcomes",
}


def _filter_form(request, today):
    data = request.GET.copy()
    # The boxes show dates as people type them: the range in view when none was given, and a
    # date from a link (links write 2025-04-01) the same way.
    for name, default in zip(("start", "end"), default_range(today), strict=True):
        data[name] = _as_typed(data[name]) if data.get(name) else written_date(default)
    return DashboardFilterForm(data, today=today)


def _as_typed(value: str) -> str:
    """A date written 2025-04-01 as people type it (1/4/2025); anything else as it came, for
    the form to check."""
    try:
        return written_date(date.fromisoformat(value))
    except ValueError:
        return value


def _page_seconds():
    return min(settings.PUBLIC_PAGE_CACHE_SECONDS, settings.INSIGHT_CACHE_SECONDS)


@permissions.staff_only
# The page is the same for everyone with the same roles: the figures and filters are kept
# already, and the page around them is kept until the figures are next worked out.
@page_cache.shared_by_role(page_cache.INSIGHT, parts=page_cache.today, seconds=_page_seconds)
def dashboard(request):
    now = timezone.now()
    form = _filter_form(request, timezone.localdate(now))
    if request.GET.get("format") == "csv":
        return _csv(request, form, now)
    figures = figures_html(form.filters(), now=now) if form.is_valid() else None
    return render(
        request,
        "insight/dashboard.html",
        {
            "form": form,
            "figures": figures,
            # The filter form, like the figures, is the same for everyone who asks with the
            # same query on the same day: its HTML is kept as long as the figures are.
            "filters_cache_seconds": settings.INSIGHT_CACHE_SECONDS,
            "filters_cache_key": [request.GET.urlencode(), timezone.localdate(now).isoformat()],
        },
    )


def _csv(request, form, now):
    name = request.GET.get("table", "")
    slug = next((s for prefix, s in TABLE_PREFIXES.items() if name.startswith(prefix)), None)
    if not form.is_valid():
        problems = "; ".join(str(e) for errors in form.errors.values() for e in errors)
        return HttpResponse(
            f"The filters are not right: {problems}", status=400, content_type="text/plain"
        )
    filters = form.filters()
    content, worked_out_at = None, now
    if slug and settings.INSIGHT_CACHE_SECONDS > 0:
        # The figures kept for the page (see dashboard/page.py), so a download agrees with
        # the page it came from.
        figures = kept_figures(filters, now=now)
        content, worked_out_at = figures.csv.get(name), figures.worked_out_at
    elif slug:
        # Nothing is kept: the page too is worked out afresh each time. Only this section.
        table = builders()[slug](filters, now=now).table(name)
        content = table.to_csv() if table else None
    if content is None:
        return HttpResponse(
            f"There is no table called \u201c{name}\u201d.", status=400, content_type="text/plain"
        )
    response = HttpResponse(EXCEL_UTF8_MARK + content, content_type="text/csv; charset=utf-8")
    # The file says when its figures were worked out, as the page does, in its name: a first
    # row would stop the file reading as a plain table.
    filename = (
        f"{name}-{filters.start:%Y%m%d}-{filters.end:%Y%m%d}"
        f"-worked-out-{timezone.localtime(worked_out_at):%Y%m%d-%H%M}.csv"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # An export for the member of staff who asked: never kept by a shared cache or proxy.
    response["Cache-Control"] = "private, no-store"
    return response


@permissions.staff_only
def comments(request):
    now = timezone.now()
    form = _filter_form(request, timezone.localdate(now))
    page = None
    if form.is_valid():
        found = (
            SurveyResponse.objects.in_view(form.filters())
            .with_comments()
            .about_sessions_enough_answered()
            .select_related("opportunity__project")
            .order_by("-submitted_at", "-pk")
        )
        page = paginate(request, found, per_page=25)
    return render(
        request,
        "insight/comments.html",
        {"form": form, "page_obj": page, "suppress_below": SUPPRESS_BELOW},
    )


# --- Outcome survey (no sign-in) --------------------------------------------------------


def _link_problem(request, error: SurveyLinkError):
    return render(
        request,
        "insight/survey_link_problem.html",
        {"reason": error.reason},
        status=410 if error.reason == "closed" else 404,
    )


@never_cache  # a person's own answers: never kept by a shared computer's cache
@require_http_methods(["GET", "POST"])
def survey(request, token):
    now = timezone.now()
    try:
        invitation = permissions.get_survey_invitation(token, now=now)
    except SurveyLinkError as error:
        return _link_problem(request, error)
    signup = invitation.signup
    existing = SurveyResponse.objects.filter(signup=signup).first()
    if request.method == "POST":
        form = SurveyForm(request.POST)
        if form.is_valid():
            try:
                services.save_survey_response(
                    signup, answers=form.answers(), comment=form.cleaned_data["comment"], now=now
                )
            except services.InsightError:
                return _link_problem(request, SurveyLinkError("closed"))
            return redirect("insight:survey_done", token=token)
    else:
        form = SurveyForm(initial=SurveyForm.initial_from(existing))
    return render(
        request,
        "insight/survey.html",
        {
            "form": form,
            "opportunity": signup.opportunity,
            "invitation": invitation,
            "existing": existing,
        },
    )


@never_cache
def survey_done(request, token):
    now = timezone.now()
    try:
        invitation = permissions.get_survey_invitation(token, now=now)
    except SurveyLinkError as error:
        return _link_problem(request, error)
    response = SurveyResponse.objects.filter(signup=invitation.signup).first()
    if response is None:
        return redirect("insight:survey", token=token)
    return render(
        request,
        "insight/survey_done.html",
        {
            "invitation": invitation,
            "opportunity": invitation.signup.opportunity,
            "token": token,
            "response": response,
        },
    )


# --- "We" statements ------------------------------------------------------------------------


@permissions.staff_only
def we_list(request):
    today = timezone.localdate()
    current = quarter_floor(today)
    projects = (
        permissions.projects_to_rate(request.user)
        .select_related("service_area")
        .order_by("title", "pk")
    )
    page = paginate(request, projects, per_page=25)
    rated = set(
        WeAssessment.objects.filter(
            project__in=[p.pk for p in page.object_list], quarter_start=current
        ).values_list("project_id", flat=True)
    )
    return render(
        request,
        "insight/we_list.html",
        {"page_obj": page, "rated": rated, "current_quarter": current},
    )


@permissions.staff_only
def we_project(request, slug):
    project = permissions.get_project_to_view(request, slug)
    history = project_history(project)
    page = paginate(request, history, per_page=4)
    return render(
        request,
        "insight/we_project.html",
        {
            "project": project,
            "page_obj": page,
            "can_rate": permissions.can_rate(request.user, project),
            "quarters": rateable_quarters(timezone.localdate()),
        },
    )


@permissions.staff_only
@require_http_methods(["GET", "POST"])
def we_rate(request, slug, year, quarter):
    project = permissions.get_project_to_rate(request, slug)
    allowed = rateable_quarters(timezone.localdate())
    if quarter not in (1, 2, 3, 4):
        raise Http404("No such quarter")
    try:
        start = date(year, 3 * (quarter - 1) + 1, 1)
    except (ValueError, OverflowError):  # a year no date can have, typed into the address
        raise Http404("No such quarter") from None
    if start not in [q.start for q in allowed]:
        raise Http404("You can rate only this quarter and the one before")
    existing = WeAssessment.objects.filter(project=project, quarter_start=start).first()
    if request.method == "POST":
        form = WeAssessmentForm(request.POST)
        if form.is_valid():
            try:
                services.save_we_assessment(
                    project,
                    quarter_start=start,
                    by=request.user,
                    ratings=form.ratings(),
                    evidence=form.evidence(),
                )
            except services.InsightError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, "Your team\u2019s ratings are saved.")
                return redirect("insight:we_project", slug=project.slug)
    else:
        form = WeAssessmentForm(initial=WeAssessmentForm.initial_from(existing))
    quarter_obj = next(q for q in allowed if q.start == start)
    return render(
        request,
        "insight/we_rate.html",
        {"form": form, "project": project, "quarter": quarter_obj, "existing": existing},
    )


# --- Equality monitoring (the person's own answers) ----------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def equality(request):
    record = services.equality_answers_for(request.user)
    if request.method == "POST":
        form = EqualityForm(request.POST)
        if form.is_valid():
            services.save_equality_answers(request.user, answers=form.cleaned_data)
            messages.success(request, "Your answers are saved. Thank you.")
            return redirect("insight:equality")
    else:
        form = EqualityForm(initial=EqualityForm.initial_from(record))
    return render(request, "insight/equality.html", {"form": form, "record": record})


@login_required
@require_http_methods(["GET", "POST"])
def equality_delete(request):
    record = services.equality_answers_for(request.user)
    if record is None:
        messages.info(
            request,
            "You have not answered any of the optional questions, so there is nothing to delete.",
        )
        return redirect("insight:equality")
    if request.method == "POST":
        services.delete_equality_answers(request.user)
        messages.success(request, "Your answers to the optional questions have been deleted.")
        return redirect(reverse("insight:equality"))
    return render(request, "insight/equality_delete.html")
