from urllib.parse import urlencode

from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from coprod_hub.lib.admin import KeepsHistory, ViewOnly, choices_form
from participation.templatetags.participation import day_and_clock

from . import services
from .ladder import ActivityType, Principle
from .models import Project, ServiceArea, StepChange, Update
from .querysets import staff_users


@admin.register(ServiceArea)
class ServiceAreaAdmin(admin.ModelAdmin):
    """Reference data: the service areas projects are filed under."""

    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class StepChangeInline(admin.TabularInline):
    model = StepChange
    extra = 0
    can_delete = False
    fields = ["changed_at", "changed_by", "to_claimed", "to_evidenced", "reason", "note"]
    readonly_fields = fields

    def get_queryset(self, request):
        # Each row is named after the project, and says who changed the step.
        return super().get_queryset(request).select_related("project", "changed_by")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def _still_going_ahead(refused: services.SessionsStillGoingAhead, project):
    """The hub's refusal, with a link to each session's page, where it can be cancelled
    (everyone booked or waiting is told why), and to the rest when there are more."""
    listed = format_html_join(
        ", ",
        '<a href="{}">{}</a> ({})',
        (
            (
                reverse("participation:manage", args=[session.pk]),
                session.title,
                day_and_clock(session.starts_at),
            )
            for session in refused.sessions
        ),
    )
    more = refused.count - len(refused.sessions)
    if more:
        listed = format_html(
            '{} and <a href="{}?{}">{} more {}</a>',
            listed,
            reverse("participation:staff_list"),
            urlencode({"q": project.title}),
            more,
            "session" if more == 1 else "sessions",
        )
    return format_html("{}: {}.", str(refused), listed)


class ProjectAdminForm(choices_form(Project, activity_types=ActivityType, principles=Principle)):
    def clean(self):
        """Checked again under the project's row lock, as on the hub's form
        (`services.update_project`):
        - the owner chosen (`services.check_owner_can_run`): the list of staff to choose from
          was read when the page opened, and an administrator may be taking the owner's staff
          role away meanwhile;
        - closing: not while sessions still to come are going ahead
          (`services.check_nothing_still_going_ahead`), or the project's page would say
          "closed" beside sessions open for sign-up. Under the lock, as publishing a session
          takes it too, so none is published between the check and the save.
        The admin validates and saves in one transaction, so the locks last until saved."""
        cleaned = super().clean()
        owner, status = cleaned.get("owner"), cleaned.get("status")
        if self.instance.pk:
            # The project's row first, then the owner's, as `services.update_project` locks
            # them: in the other order, each could wait for the other's lock (a deadlock).
            # Its status as saved, read under the lock: closing is checked, not saving again.
            saved_status = (
                Project.objects.select_for_update()
                .filter(pk=self.instance.pk)
                .values_list("status", flat=True)
                .first()
            )
            closing = Project.Status.CLOSED
            if status == closing and saved_status not in (None, closing):
                try:
                    services.check_nothing_still_going_ahead(self.instance)
                except services.SessionsStillGoingAhead as refused:
                    self.add_error("status", _still_going_ahead(refused, self.instance))
        if owner is None or not status:
            return cleaned
        try:
            services.check_owner_can_run(Project(owner=owner, status=status))
        except services.ProjectError as error:
            self.add_error(error.field, str(error))
        return cleaned


@admin.register(Project)
class ProjectAdmin(KeepsHistory, admin.ModelAdmin):
    form = ProjectAdminForm
    list_display = ["title", "service_area", "level", "status", "is_published", "claimed_step"]
    list_filter = ["is_published", "status", "level", "service_area"]
    search_fields = ["title", "slug", "summary"]
    list_select_related = ["service_area"]
    autocomplete_fields = ["owner", "team"]
    # The step is changed only on the project's "Record the step" page, which keeps the
    # history, and publishing only with the project page's button, which checks there is a
    # step and sends the updates held back while the project was hidden
    # (`services.set_published`). Here they can be read but not edited.
    readonly_fields = [
        "is_published",
        "claimed_step",
        "evidenced_step",
        "step_evidence",
        "not_coproduction_reason",
        "step_recorded_at",
        "created_at",
        "updated_at",
    ]
    inlines = [StepChangeInline]
    # Deleting a project would take these with it. (Its opportunities, claims and ledger
    # lines are PROTECT: Django refuses those itself.)
    history = {
        "step_changes": "the step history is kept. Close the project instead.",
        "updates": "people were told these. Close the project instead.",
        "we_assessments": "the insight figures count them. Close the project instead.",
    }

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.web_address_is_fixed:
            # Links to a project that is or was published are out in emails, feeds and
            # bookmarks: its address stays (as on the project's own edit page).
            fields.append("slug")
        return fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "owner":
            kwargs["queryset"] = staff_users()  # as on the hub's project form
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "team":
            kwargs["queryset"] = staff_users()
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(StepChange)
class StepChangeAdmin(ViewOnly, admin.ModelAdmin):
    """The step history is a record: nobody adds, edits or deletes entries here."""

    list_display = ["project", "changed_at", "changed_by", "to_claimed", "to_evidenced"]
    list_select_related = ["project", "changed_by"]
    search_fields = ["project__title", "reason"]
    date_hierarchy = "changed_at"


@admin.register(Update)
class UpdateAdmin(admin.ModelAdmin):
    """Updates are posted on the project's own page (`services.post_update`), which tells
    everyone who took part and links only the project's own sessions, or about a session
    standing alone from its staff page (`services.post_session_update`; no project). Here
    the words can be corrected, but an update cannot be added or moved to another project or
    session."""

    list_display = ["project", "posted_at", "posted_by"]
    list_select_related = ["project", "posted_by"]
    search_fields = ["project__title", "said", "did"]
    date_hierarchy = "posted_at"
    readonly_fields = ["project", "opportunities", "posted_by", "corrected_at", "corrected_by"]

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        # A correction made here says so on the page, as one made by the project's team does.
        if {"said", "did", "next_steps", "easy_read"} & set(form.changed_data):
            obj.corrected_at = timezone.now()
            obj.corrected_by = request.user
        super().save_model(request, obj, form, change)
