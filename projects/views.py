import re

from django.conf import settings
from django.contrib import messages
from django.contrib.syndication.views import Feed
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.feedgenerator import Atom1Feed
from django.utils.functional import cached_property
from django.utils.html import linebreaks
from django.utils.http import urlencode
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from coprod_hub.lib.forms import strip_control_characters
from coprod_hub.lib.page_cache import public_page
from coprod_hub.lib.pagination import ForgivingPaginationMixin, paginate
from coprod_hub.permissions import RoleRequiredMixin
from coprod_hub.users.roles import Role
from learning.models import Entry
from notifications.broadcasts import took_part
from participation.models import Opportunity, Profile

from . import ladder, services
from .forms import ManageFilterForm, ProjectFilterForm, ProjectForm, StepForm, UpdateForm
from .models import Project, Update
from .permissions import (
    ProjectPermissionMixin,
    ProjectWriteMixin,
    SessionRunnerMixin,
    UpdateCorrectorMixin,
    can_edit_project,
    project_scope,
)
from .querysets import first_with_total

PROJECTS_PER_PAGE = 20
UPDATES_PER_PAGE = 20
SLUG = re.compile(r"[-a-zA-Z0-9_]+")
# The project page shows this many of its newest updates and links to the rest.
UPDATES_ON_PROJECT_PAGE = 5
OPPORTUNITIES_ON_PROJECT_PAGE = 10
GUIDE_ENTRIES_ON_PROJECT_PAGE = 3
# Newest step changes on the project page; the history page has them all, a page at a time.
STEP_CHANGES_ON_PROJECT_PAGE = 5
STEP_CHANGES_PER_PAGE = 20


@method_decorator(public_page, name="dispatch")
class ProjectListView(ForgivingPaginationMixin, ListView):
    """The public list: published projects, filtered and searched."""

    template_name = "projects/project_list.html"
    context_object_name = "projects"
    paginate_by = PROJECTS_PER_PAGE

    def get_queryset(self):
        self.filters = ProjectFilterForm(self.request.GET or None)
        projects = Project.objects.published().with_public_step().for_cards()
        return self.filters.apply(projects).order_by("title", "pk")

    def get_context_data(self, **kwargs):
        return super().get_context_data(filters=self.filters, **kwargs)


@method_decorator(public_page, name="dispatch")
class ProjectDetailView(ProjectPermissionMixin, TemplateView):
    template_name = "projects/project_detail.html"

    def get_context_data(self, **kwargs):
        project = self.project
        user = self.request.user
        is_staff = user.is_authenticated and user.has_role(Role.STAFF)
        updates = Update.objects.filter(project=project).for_display()
        # The same rule as the opportunity directory: published or closed, not yet started.
        # Each list comes with its full length, so the page can link to the rest.
        opportunities, opportunity_count = first_with_total(
            project.opportunities.listed().order_by("starts_at"), OPPORTUNITIES_ON_PROJECT_PAGE
        )
        guide_entries, guide_entry_count = first_with_total(
            Entry.objects.published().about_project(project).for_cards().newest_first(),
            GUIDE_ENTRIES_ON_PROJECT_PAGE,
        )
        timeline, timeline_count = first_with_total(
            _step_history(project), STEP_CHANGES_ON_PROJECT_PAGE
        )
        can_edit = can_edit_project(user, project)
        not_public, not_public_count = (
            first_with_total(_not_public_yet(project), OPPORTUNITIES_ON_PROJECT_PAGE)
            if can_edit
            else ([], 0)
        )
        return super().get_context_data(
            project=project,
            is_staff=is_staff,
            can_edit=can_edit,
            not_public=not_public,
            not_public_count=not_public_count,
            ladder=ladder.ladder_for(
                project.public_step, project.claimed_step if is_staff else None
            ),
            timeline=timeline,
            timeline_count=timeline_count,
            opportunities=opportunities,
            opportunity_count=opportunity_count,
            updates=list(updates[:UPDATES_ON_PROJECT_PAGE]),
            update_count=updates.count(),
            team=list(project.team.all()) if is_staff else [],
            guide_entries=guide_entries,
            guide_entry_count=guide_entry_count,
            **kwargs,
        )


def _step_history(project):
    return project.step_changes.select_related("changed_by").order_by("-changed_at", "-pk")


@method_decorator(public_page, name="dispatch")
class StepHistoryView(ProjectPermissionMixin, TemplateView):
    """Every change to the project's step, newest first: the project page shows the latest."""

    template_name = "projects/step_history.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            project=self.project,
            is_staff=user.is_authenticated and user.has_role(Role.STAFF),
            page_obj=paginate(self.request, _step_history(self.project), STEP_CHANGES_PER_PAGE),
            **kwargs,
        )


def _not_public_yet(project):
    """The project's coming opportunities the public cannot see yet, for its team: drafts,
    and every one while the project itself is unpublished."""
    coming = project.opportunities.filter(starts_at__gt=timezone.now()).exclude(
        status=Opportunity.Status.CANCELLED
    )
    if project.is_published:
        coming = coming.filter(status=Opportunity.Status.DRAFT)
    return coming.order_by("starts_at", "pk")


class ProjectCreateView(RoleRequiredMixin, FormView):
    required_role = Role.STAFF
    form_class = ProjectForm
    template_name = "projects/project_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        return {"owner": self.request.user.pk, "status": Project.Status.PLANNING}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            page_title="Create a project", submit_label="Save and record the step", **kwargs
        )

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        try:
            project = services.create_project(by=self.request.user, **data)
        except services.ProjectError as error:
            form.add_error(error.field, str(error))
            return self.form_invalid(form)
        messages.success(self.request, f"Project created: {project.title}")
        return redirect("projects:step", slug=project.slug)


class ProjectEditView(ProjectWriteMixin, FormView):
    form_class = ProjectForm
    template_name = "projects/project_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user, "project": self.project}

    def get_initial(self):
        return ProjectForm.initial_for(self.project)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            project=self.project,
            page_title=f"Change {self.project.title}",
            submit_label="Save changes",
            **kwargs,
        )

    def form_valid(self, form):
        # Fields shown but not open to this person are left as they are now, not as they
        # were when the form was opened. (A budget sent without a box for it is passed on,
        # for the service to refuse: `ProjectForm._budget_sent_anyway`.)
        disabled = {name for name, field in form.fields.items() if field.disabled}
        changes = {name: value for name, value in form.cleaned_data.items() if name not in disabled}
        try:
            project = services.update_project(self.project, by=self.request.user, **changes)
        except services.ProjectError as error:
            form.add_error(error.field, str(error))
            if isinstance(error, services.SessionsStillGoingAhead):
                # Closing refused: the page lists the sessions, each linking to its own page,
                # where it can be cancelled.
                context = self.get_context_data(form=form, still_going_ahead=error)
                return self.render_to_response(context)
            return self.form_invalid(form)
        if can_edit_project(self.request.user, project):
            messages.success(self.request, "Project details saved")
        else:
            # They took themselves off it: the project page is still theirs to read.
            messages.success(
                self.request,
                f"Project details saved. You handed the project over to {project.owner}, "
                "so you can no longer change it.",
            )
        return redirect(project)


class ProjectStepView(ProjectWriteMixin, FormView):
    """Record the step: the claim, the evidence, and the reason if not co-production.

    When the claim is higher than the evidence, the first valid submission shows the gap in
    plain words and saves nothing; submitting again (with the same gap) saves both.
    """

    form_class = StepForm
    template_name = "projects/step_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "first": not self.project.has_step}

    def get_initial(self):
        return StepForm.initial_for(self.project)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("confirming", False)
        return super().get_context_data(project=self.project, **kwargs)

    def form_valid(self, form):
        if form.needs_confirmation:
            return self.render_to_response(self.get_context_data(form=form, confirming=True))
        try:
            services.record_step(
                self.project,
                by=self.request.user,
                claimed=form.cleaned_data["claimed_step"],
                evidence=form.evidence,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data.get("note", ""),
            )
        except services.ProjectError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        messages.success(
            self.request, f"Step saved. The public will see: {self.project.public_step.label}"
        )
        return redirect(self.project)


class ProjectPublishView(ProjectWriteMixin, View):
    """Publish or unpublish (POST only). The project page holds the button: anything but a
    POST (say, coming back here after signing in again) goes to it (see lib/post_only.py)."""

    http_method_names = ["get", "post"]

    def get(self, request, slug):
        return redirect(self.project)

    def post(self, request, slug):
        publish = request.POST.get("publish") == "yes"
        try:
            services.set_published(self.project, by=request.user, published=publish)
        except services.NotReadyToPublish as refusal:
            return self._not_ready(refusal)
        except services.ProjectError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                "Project published: everyone can now see it"
                if publish
                else "Project unpublished: only staff can see it now",
            )
        return redirect(self.project)

    def _not_ready(self, refusal):
        """The project page again, as a form sent with errors is: an error summary at the
        top links each thing missing to the page where it is added."""
        slug = self.project.slug
        fix_at = {
            "step": reverse("projects:step", args=[slug]),
            # The contact fields of the project's details; the email address comes first
            # of the two that count.
            "contact": f"{reverse('projects:edit', args=[slug])}#id_contact_email",
        }
        page = ProjectDetailView()
        page.setup(self.request, slug=slug)
        page.project = self.project
        context = page.get_context_data(
            publish_problems=[
                {"message": message, "url": fix_at[what]} for what, message in refusal.problems
            ]
        )
        return render(self.request, ProjectDetailView.template_name, context)


class _PostUpdateView(FormView):
    """Post a "we said, we did" update: about `self.project`, or with no project about
    `self.session`, a session standing alone. The first press shows the update and its email
    as people will get them ("check"); posting is the second ("send"); "change" goes back to
    the form with what was typed."""

    form_class = UpdateForm
    template_name = "projects/update_form.html"
    project = None
    session = None

    def people(self):
        """Everyone who took part, who will hear about it."""
        if self.project is not None:
            return took_part(self.project.pk)
        return took_part(sessions=[self.session.pk])

    def _about(self) -> dict:
        """What the pages need to say what the update is about and where it will show."""
        if self.project is not None:
            return {
                "project": self.project,
                "about": self.project,
                "shows_on": "the project page",
                "shown_later": not self.project.is_published,
            }
        return {
            "project": None,
            "session": self.session,
            "about": self.session,
            "shows_on": "the session\u2019s page",
            "shown_later": False,
        }

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "project": self.project}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            **self._about(),
            page_title="Post a \u201cwe said, we did\u201d update",
            submit_label="Check your update",
            easy_read_wanted=_wants_easy_read(self.people()),
            **kwargs,
        )

    def form_valid(self, form):
        if "change" in self.request.POST:
            return self.render_to_response(self.get_context_data(form=form))
        if "send" not in self.request.POST:
            return self._check(form)
        try:
            update = self.post_update(form)
        except services.ProjectError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        messages.success(self.request, self.who_hears())
        return redirect(update.about)

    def _check(self, form):
        data = form.cleaned_data
        people = self.people()
        return render(
            self.request,
            "projects/update_check.html",
            {
                **self._about(),
                "form": form,
                "update": data,
                "people": people.count(),
                "easy_read_wanted": _wants_easy_read(people),
                "preview": services.preview_update(
                    self.project,
                    session=self.session,
                    said=data["said"],
                    did=data["did"],
                    next_steps=data["next_steps"],
                    easy_read=data["easy_read"],
                ),
            },
        )


class UpdateCreateView(ProjectWriteMixin, _PostUpdateView):
    def post_update(self, form):
        return services.post_update(self.project, by=self.request.user, **form.update_fields())

    def who_hears(self):
        return _who_hears(self.project)


class SessionUpdateCreateView(SessionRunnerMixin, _PostUpdateView):
    """An update about a session standing alone, from its staff page once it has ended. A
    project's session is told about on the project's page: this sends its staff there."""

    def get(self, request, *args, **kwargs):
        return self._refusal() or super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        return self._refusal() or super().post(request, *args, **kwargs)

    def _refusal(self):
        session = self.session
        if session.project_id:
            messages.info(
                self.request,
                f"\u201c{session.title}\u201d is part of the project \u201c"
                f"{session.project.title}\u201d, so its update goes on the project\u2019s page, "
                "for everyone who took part in the project.",
            )
            return redirect("projects:update_create", slug=session.project.slug)
        if not (session.is_going_ahead and session.has_ended()):
            messages.info(self.request, "You can post an update once the session has been held.")
            return redirect("participation:manage", pk=session.pk)
        return None

    def post_update(self, form):
        fields = form.update_fields()
        fields.pop("opportunities")
        return services.post_session_update(self.session, by=self.request.user, **fields)

    def who_hears(self):
        people = self.people().count()
        if not people:
            return (
                "Update posted. Nobody is recorded as having attended this session, so it is "
                "not sent to anyone. It shows on the session\u2019s page."
            )
        who = "The 1 person" if people == 1 else f"The {people} people"
        return f"Update posted. {who} who attended will hear about it."


class _CorrectUpdateView(FormView):
    """Put right an update already posted (`self.update`): the page says it was corrected;
    nobody is sent it again."""

    form_class = UpdateForm
    template_name = "projects/update_correct.html"

    @cached_property
    def linked(self):
        return list(self.update.opportunities.values_list("pk", flat=True))

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "project": self.update.project,
            "linked": self.linked,
        }

    def get_initial(self):
        update = self.update
        return {
            "said": update.said,
            "did": update.did,
            "next_steps": update.next_steps,
            "easy_read": update.easy_read,
            "opportunities": self.linked,
        }

    def get_context_data(self, **kwargs):
        update = self.update
        return super().get_context_data(
            project=update.project,
            about=update.about,
            update=update,
            page_title=f"Correct the update of {timezone.localtime(update.posted_at):%-d %B %Y}",
            submit_label="Save the correction",
            **kwargs,
        )

    def form_valid(self, form):
        fields = form.update_fields()
        if not self.update.project_id:
            # The sessions it is about stay as they are: the form does not ask.
            fields["opportunities"] = self.update.opportunities.all()
        try:
            services.correct_update(self.update, by=self.request.user, **fields)
        except services.ProjectError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        messages.success(
            self.request,
            "Update corrected. The page says it was corrected. Nobody is sent it again.",
        )
        return redirect(self.update.about)


class UpdateCorrectView(ProjectWriteMixin, _CorrectUpdateView):
    """A project's update, through the project's own address."""

    @cached_property
    def update(self):
        return get_object_or_404(Update.objects.filter(project=self.project), pk=self.kwargs["pk"])


class UpdateCorrectAnyView(UpdateCorrectorMixin, _CorrectUpdateView):
    """Any update, by its number alone: the only address for one about sessions standing
    alone, which have no project. `self.update` comes from `UpdateCorrectorMixin`."""


def _wants_easy_read(people) -> int:
    return people.filter(profile__format=Profile.InformationFormat.EASY_READ).count()


def _who_hears(project) -> str:
    people = took_part(project.pk).count()
    if not people:
        return (
            "Update posted. Nobody is recorded as having taken part in this project yet, so "
            "it is not sent to anyone. It shows on the project page"
            + ("." if project.is_published else " once the project is published.")
        )
    who = "The 1 person" if people == 1 else f"The {people} people"
    when = "" if project.is_published else " when the project is published"
    return f"Update posted. {who} who took part will hear about it{when}."


@method_decorator(public_page, name="dispatch")
class UpdateListView(ForgivingPaginationMixin, ListView):
    """The hub-wide "we said, we did" feed. ?project=<slug> narrows it to one project."""

    template_name = "projects/update_list.html"
    context_object_name = "updates"
    paginate_by = UPDATES_PER_PAGE

    def get_queryset(self):
        updates = Update.objects.published().for_display()
        slug = self.request.GET.get("project", "")
        # Only a possible web address is looked up: PostgreSQL refuses a NUL byte in a query
        # outright (a server error), and nothing else can match a project anyway.
        is_slug = bool(slug) and SLUG.fullmatch(slug) is not None
        self.project = (
            project_scope(self.request.user).filter(slug=slug).first() if is_slug else None
        )
        self.unknown_project = bool(slug) and self.project is None
        if self.project:
            # Staff following "see all updates" from a project not yet published see its own.
            updates = Update.objects.filter(project=self.project).for_display()
        return updates

    def get_context_data(self, **kwargs):
        # Narrowed to one project, its team can correct every update here, not only the few
        # newest the project page shows: otherwise older ones could never be put right.
        can_edit = self.project is not None and can_edit_project(self.request.user, self.project)
        return super().get_context_data(
            project=self.project,
            unknown_project=self.unknown_project,
            can_edit=can_edit,
            **kwargs,
        )


def update_permalink(request, pk):
    """The lasting address of one update, for feeds and emails: the project's page shows only
    its newest few, so an older one is found on the right page of the project's own list. One
    about a session standing alone is on that session's page."""
    update = get_object_or_404(
        Update.objects.visible_to(request.user).select_related("project"), pk=pk
    )
    project = update.project
    if project is None:
        return redirect(f"{update.about.get_absolute_url()}#update-{update.pk}")
    newer = Update.objects.filter(project=project).filter(
        Q(posted_at__gt=update.posted_at) | Q(posted_at=update.posted_at, pk__gt=update.pk)
    )
    before = newer.count()
    if before < UPDATES_ON_PROJECT_PAGE:
        return redirect(f"{project.get_absolute_url()}#update-{update.pk}")
    query = urlencode({"project": project.slug, "page": before // UPDATES_PER_PAGE + 1})
    return redirect(f"{reverse('projects:updates')}?{query}#update-{update.pk}")


class UpdatesFeed(Feed):
    """Atom feed of the newest "we said, we did" updates on published projects, and about
    sessions standing alone."""

    feed_type = Atom1Feed
    subtitle = "What people told us, what we did, and what happens next."

    def title(self):
        return f"We said, we did: updates from the {settings.SITE_NAME}"

    def link(self):
        return reverse("projects:updates")

    def items(self):
        return Update.objects.published().for_display()[:30]

    # XML 1.0 cannot carry control characters: Django refuses to write the feed at all, so
    # one stray character in an old update (forms refuse them now) would break it for everyone.
    def item_title(self, update):
        posted = timezone.localtime(update.posted_at)
        return strip_control_characters(f"{update.about.title}: update of {posted:%-d %B %Y}")

    def item_description(self, update):
        # The Atom summary is HTML: what staff typed is plain text, so it is escaped ("<" is
        # a less-than sign, not a tag) and its paragraphs and line breaks are kept.
        parts = [f"What people said: {update.said}", f"What we did: {update.did}"]
        if update.next_steps:
            parts.append(f"What happens next: {update.next_steps}")
        return linebreaks(strip_control_characters("\n\n".join(parts)), autoescape=True)

    def item_link(self, update):
        return reverse("projects:update", args=[update.pk])

    def item_pubdate(self, update):
        return update.posted_at

    def item_updateddate(self, update):
        # Feed readers show a corrected update again, with its new words.
        return update.corrected_at or update.posted_at


class ManageView(RoleRequiredMixin, ForgivingPaginationMixin, ListView):
    """Staff overview of every project, with flags for inflated steps and overdue updates."""

    required_role = Role.STAFF
    template_name = "projects/manage.html"
    context_object_name = "projects"
    paginate_by = PROJECTS_PER_PAGE

    def get_queryset(self):
        self.filters = ManageFilterForm(self.request.GET or None, user=self.request.user)
        projects = (
            Project.objects.with_public_step()
            .with_update_flags()
            .select_related("service_area", "owner")
        )
        return self.filters.apply(projects)

    def _sort_url(self, key):
        """This page sorted by `key`; the sorted column's link turns the order round."""
        params = self.request.GET.copy()
        params.pop("page", None)
        params["sort"] = f"-{key}" if self.filters.sort_key == key else key
        return f"?{params.urlencode()}"

    def get_context_data(self, **kwargs):
        # Status and owner sit under the project, and each flag beside what it is about, so
        # three columns fit a phone's width.
        columns = [("Project", "title"), ("Step", "step"), ("Last changed", "updated")]
        return super().get_context_data(
            filters=self.filters,
            sort_label=self.filters.sort_label,
            columns=[
                {
                    "label": label,
                    "sort_url": self._sort_url(key) if key else None,
                    "aria_sort": self.filters.aria_sort(key) if key else None,
                }
                for label, key in columns
            ],
            **kwargs,
        )


class LadderView(TemplateView):
    """Public explainer: the steps, the levels, the types of activity and the principles."""

    template_name = "projects/ladder.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            ladder=ladder.ladder_for(),
            levels=[(level, ladder.LEVEL_DESCRIPTIONS[level]) for level in ladder.Level],
            activity_types=[
                (kind, ladder.ACTIVITY_TYPE_DESCRIPTIONS[kind]) for kind in ladder.ActivityType
            ],
            principles=[
                (principle, ladder.PRINCIPLE_DESCRIPTIONS[principle])
                for principle in ladder.Principle
            ],
            wtfc_stages=[(stage, ladder.WTFC_DESCRIPTIONS[stage]) for stage in ladder.WtfcStage],
            **kwargs,
        )


class HowWeDecideView(TemplateView):
    """Public: the evidence questions and the rule table, straight from `ladder.py`."""

    template_name = "projects/how_we_decide.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            questions=ladder.EVIDENCE_QUESTIONS,
            rules=ladder.STEP_RULES,
            **kwargs,
        )
