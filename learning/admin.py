"""The practice guide in the admin: to look, not to edit. Entries change only through the
moderation pages, which scan for personal data and keep the audit trail. Admins may delete
an entry outright, for example to act on a request to erase data."""

from django.contrib import admin

from .models import Entry, Finding, ModerationEvent


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
    list_display = ["title", "kind", "status", "submitted_at", "published_at"]
    list_filter = ["status", "kind", "outcome", "topic", "level"]
    search_fields = ["title"]
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
        "submitted_by",
        "submitted_at",
        "decided_at",
        "published_at",
        "withdrawn_at",
    ]
    exclude = ["search_vector"]
    inlines = [FindingInline, ModerationEventInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(ModerationEvent)
class ModerationEventAdmin(admin.ModelAdmin):
    list_display = ["at", "entry", "action", "by"]
    list_filter = ["action"]
    list_select_related = ["entry", "by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
