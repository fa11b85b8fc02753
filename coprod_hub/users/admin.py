from auditlog.admin import LogEntryAdmin as AuditlogLogEntryAdmin
from auditlog.filters import CIDFilter, ResourceTypeFilter
from auditlog.models import LogEntry
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from coprod_hub.lib.forms import is_database_id

from . import privacy
from .handing_over import still_to_hand_over
from .models import User
from .roles import Role
from .services import keep_email_on_record


def _record(person, *, by, what):
    LogEntry.objects.log_create(
        person,
        action=LogEntry.Action.ACCESS if what == "exported" else LogEntry.Action.DELETE,
        changes={what: ["by an administrator, at the person's request", None]},
        actor=by,
        force_log=True,
    )


def _why_not_yet(person) -> str:
    return "; ".join(reason.to_admin for reason in privacy.erasure_blockers(person))


def _role_label(name: str) -> str:
    return Role(name).label if name in Role.values else name


class RoleFilter(admin.RelatedFieldListFilter):
    """The groups filter, called what the hub calls groups."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = "role"


def _to_hand_over_error(item) -> str:
    links = format_html_join(", ", '<a href="{}">{}</a>', ((url, text) for text, url in item.links))
    more = f" and {item.more} more" if item.more else ""
    return format_html("{} {}: {}{}.", item.what, item.then, links, more)


class PersonChangeForm(UserChangeForm):
    """Refuses to take the staff or commissioner role away, or close the account, while the
    person still runs what nobody else would (handing_over), listing what to hand over first
    with a link to each page where it is done."""

    def clean(self):
        cleaned_data = super().clean()
        person = self.instance

        def after(field):
            return cleaned_data.get(field, getattr(person, field))

        groups = cleaned_data.get("groups")
        names = person.groups.values_list("name", flat=True) if groups is None else groups
        # The admin validates and saves a change in one transaction (changeform_view), so the
        # rows this locks stay locked until the change is saved: nobody hands the person
        # anything in between.
        left = still_to_hand_over(
            person,
            groups=[str(group) for group in names],
            is_active=after("is_active"),
            is_superuser=after("is_superuser"),
        )
        if left:
            raise forms.ValidationError(
                [
                    f"{person} still runs things that would be left with nobody to run them. "
                    "Hand them over first, then save this page again.",
                    *(_to_hand_over_error(item) for item in left),
                ]
            )
        return cleaned_data


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """People and their roles. A role given or taken away here counts from the person's next
    page (`kept_people` forgets their kept copy when the account or its groups change).
    Taking away the staff or commissioner role, or closing the account, waits until what the
    person still runs has been handed over (PersonChangeForm).

    People are not deleted here: "Erase this person's data" does what the person's own
    "Delete your account" does (places passed on, claims kept under a pseudonym, the audit
    trail kept without their name). A plain delete did none of that, and failed outright
    for anyone the audit trail names as having done something."""

    form = PersonChangeForm
    ordering = ["email"]
    list_display = ["email", "display_name", "roles", "is_active", "is_superuser", "date_joined"]
    list_filter = [("groups", RoleFilter), "is_active", "is_superuser"]
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

    def get_queryset(self, request):
        # The roles column: every row's groups in one query.
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description="roles")
    def roles(self, obj):
        return ", ".join(sorted(_role_label(group.name) for group in obj.groups.all())) or "–"

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups":
            kwargs["label"] = "Roles"
            kwargs["help_text"] = (
                "What this person can do in the hub. Commissioners can do everything staff "
                "can. A change counts from the person's next page."
            )
            # A few roles: plain tick boxes. The admin's two-list picker marks up a <span> with
            # aria-label, which assistive technology may ignore (axe: aria-prohibited-attr).
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None):
        return False

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
        """Asks first, listing who will be erased and who cannot be yet (as Django's "delete
        selected" does): erasing cannot be undone."""
        people = queryset.exclude(pk=request.user.pk).order_by("email")
        if request.POST.get("post") != "yes":
            return render(
                request,
                "admin/users/erase_confirmation.html",
                {
                    **self.admin_site.each_context(request),
                    "title": "Erase personal data?",
                    "people": [(person, _why_not_yet(person)) for person in people],
                    "yourself": queryset.filter(pk=request.user.pk).exists(),
                },
            )
        erased = 0
        for person in people:
            if reason := _why_not_yet(person):
                self.message_user(request, f"Not erased {person}: {reason}.", messages.WARNING)
                continue
            try:
                with transaction.atomic():  # recorded as erased only if it was
                    _record(person, by=request.user, what="erased")
                    privacy.erase(person)
            except privacy.NotErasedYet as refused:
                # Handed a session or a project since the check above (privacy.erase).
                self.message_user(request, f"Not erased {person}: {refused}.", messages.WARNING)
                continue
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


class RoleGroupAdmin(DjangoGroupAdmin):
    """The hub's roles are groups made by a data migration and found by name: renamed or
    deleted, the role would be gone from everyone who held it, with no word of it."""

    list_display = ["name", "people"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(people_count=Count("user"))

    @admin.display(description="people", ordering="people_count")
    def people(self, obj):
        return obj.people_count

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.name in Role.values:
            fields.append("name")
        return fields

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        protected = list(protected) + [
            f"{_role_label(group.name)}: one of the hub's roles"
            for group in objs
            if group.name in Role.values
        ]
        return deleted, counts, perms_needed, protected


admin.site.unregister(Group)
admin.site.register(Group, RoleGroupAdmin)
