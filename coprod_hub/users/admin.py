from auditlog.admin import LogEntryAdmin as AuditlogLogEntryAdmin
from auditlog.filters import CIDFilter, ResourceTypeFilter
from auditlog.models import LogEntry
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone

from coprod_hub.lib.forms import is_database_id

from . import privacy
from .models import User
from .services import keep_email_on_record


def _record(person, *, by, what):
    LogEntry.objects.log_create(
        person,
        action=LogEntry.Action.ACCESS if what == "exported" else LogEntry.Action.DELETE,
        changes={what: ["by an administrator, at the person's request", None]},
        actor=by,
        force_log=True,
    )


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "display_name", "is_active", "is_superuser", "date_joined"]
    list_filter = ["groups", "is_active", "is_superuser"]
    search_fields = ["email", "display_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Personal details", {"fields": ["display_name"]}),
        ("Roles", {"fields": ["groups", "is_active", "is_staff", "is_superuser"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "display_name", "password1", "password2"]})
    ]
    readonly_fields = ["last_login", "date_joined"]
    actions = ["download_data", "erase_data"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change or "email" in form.changed_data:
            keep_email_on_record(obj)

    @admin.action(description="Download this person's data (at their request)")
    def download_data(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Choose one person at a time.", messages.ERROR)
            return None
        person = queryset.get()
        _record(person, by=request.user, what="exported")
        response = HttpResponse(privacy.build_zip(person), content_type="application/zip")
        response["Content-Disposition"] = (
            f'attachment; filename="person-{person.pk}-data-{timezone.localdate():%Y-%m-%d}.zip"'
        )
        response["Cache-Control"] = "private, no-store"
        return response

    @admin.action(description="Erase this person's data (at their request)")
    def erase_data(self, request, queryset):
        erased = 0
        for person in queryset.exclude(pk=request.user.pk):
            if privacy.erasure_blockers(person):
                self.message_user(
                    request,
                    f"Not erased {person}: they have claims waiting to be approved or paid. "
                    "Pay or reject those first.",
                    messages.WARNING,
                )
                continue
            with transaction.atomic():  # recorded as erased only if it was
                _record(person, by=request.user, what="erased")
                privacy.erase(person)
            erased += 1
        self.message_user(request, f"Erased the personal data of {erased} person(s).")


class _ResourceTypeFilter(ResourceTypeFilter):
    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        if not is_database_id(value):
            return queryset.none()  # an altered address: "²" broke the page
        return queryset.filter(content_type_id=value)


class LogEntryAdmin(AuditlogLogEntryAdmin):
    """auditlog's own, with a search that fits the hub's people (no first or last name: the
    search failed on any word) and a type filter that refuses an altered address."""

    search_fields = ["object_repr", "changes", "actor__email", "actor__display_name"]
    list_filter = ["action", _ResourceTypeFilter, CIDFilter]


admin.site.unregister(LogEntry)
admin.site.register(LogEntry, LogEntryAdmin)
