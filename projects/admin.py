from django.contrib import admin
from django.utils import timezone

from coprod_hub.lib.admin import KeepsHistory, ViewOnly, choices_form

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


class ProjectAdminForm(choices_form(Project, activity_types=ActivityType, principles=Principle)):
    def clean(self):
        """The owner chosen is checked again under lock, as on the hub's form
        (`services.check_owner_can_run`): the list of staff to choose from was read when the
        page opened, and an administrator may be taking the owner's staff role away meanwhile.
        The admin validates and saves in one transaction, so the locks last until saved."""
        cleaned = super().clean()
        owner, status = cleaned.get("owner"), cleaned.get("status")
        if owner is None or not status:
            return cleaned
        if self.instance.pk:
            # The project's row first, then the owner's, as `services.update_project` locks
            # them: in the other order, each could wait for the other's lock (a deadlock).
            list(Project.objects.select_for_update().filter(pk=self.instance.pk).values("pk"))
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
