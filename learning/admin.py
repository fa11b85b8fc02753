"""The practice guide in the admin: to look, not to edit. Entries change only through the
moderation pages, which scan for personal data and keep the audit trail. Admins may delete
an entry outright, for example to act on a request to erase data: its moderation events
stay, detached and with its reference, and one more records the deletion."""

from django.contrib import admin

from coprod_hub.lib.admin import ViewOnly

from . import services
from .models import REFERENCE_PREFIX, Entry, Finding, ModerationEvent


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class FindingInline(ReadOnlyInline):
    model = Finding
    fields = ["field", "kind", "start", "end", "snippet", "resolution", "resolved_by"]


class ModerationEventInline(ReadOnlyInline):
    model = ModerationEvent
    fields = ["at", "action", "by", "note"]


@admin.register(Entry)
class EntryAdmin(admin.ModelAdmin):
    list_display = ["reference", "title", "kind", "status", "submitted_at", "published_at"]
    list_filter = ["status", "kind", "outcome", "topic", "level"]
    # An erasure request names an email address or quotes a reference ("PG-42").
    search_fields = ["title", "contact_email", "=id"]
    list_select_related = ["project"]
    date_hierarchy = "submitted_at"
    readonly_fields = [
        "kind",
        "title",
        "text",
        "outcome",
        "level",
        "step",
        "principle",
        "topic",
        "project",
        "status",
        "slug",
        "contact_email",
        "submitted_at",
        "decided_at",
        "published_at",
        "withdrawn_at",
    ]
    # Never shown, not even to admins: published entries never say who wrote them.
    exclude = ["search_vector", "submitted_by"]
    inlines = [FindingInline, ModerationEventInline]

    @admin.display(description="Reference", ordering="id")
    def reference(self, obj):
        return obj.reference

    def lookup_allowed(self, lookup, value, request=None):
        # The field is hidden, and a filter in the address would still list one person's
        # entries: no lookup through it at all.
        if lookup.split("__")[0] == "submitted_by":
            return False
        return super().lookup_allowed(lookup, value, request)

    def view_on_site(self, obj):
        # The public page when published, else the moderation page: never "/guide/None/".
        return obj.get_absolute_url()

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if term.upper().startswith(REFERENCE_PREFIX):
            term = term[len(REFERENCE_PREFIX) :]
        return super().get_search_results(request, queryset, term)

    def delete_model(self, request, obj):
        services.delete_entry(obj, by=request.user, note="Deleted in the admin.")

    def delete_queryset(self, request, queryset):
        for entry in queryset:
            services.delete_entry(entry, by=request.user, note="Deleted in the admin.")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(ModerationEvent)
class ModerationEventAdmin(ViewOnly, admin.ModelAdmin):
    list_display = ["at", "entry_reference", "entry", "action", "by"]
    list_filter = ["action"]
    list_select_related = ["entry", "by"]
    search_fields = ["=entry_reference"]
