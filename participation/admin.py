"""Opportunities, places and profiles in the admin. Places, times and statuses change on the
hub's own pages (`services`), which keep capacity and the waiting list right and tell the
people signed up; here they can be read, and only the words around them corrected.

Access needs are special category data. The admin neither shows nor filters them: the hub
shows them to the people entitled to see them (`permissions.can_see_access_needs`) and
records each look (`coprod_hub.audit.log_access`), and only the person changes them, with
their consent."""

from django.contrib import admin

from coprod_hub.lib.admin import KeepsHistory, ViewOnly, choices_form
from projects.ladder import Level

from .models import Opportunity, Profile, SignUp, Venue

# Never shown in the admin, nor usable in a filter in its address (?access_needs__contains=).
ACCESS_NEEDS = {
    Profile: ["access_needs", "access_needs_consent_at"],
    SignUp: ["access_needs_note"],
}


class HidesAccessNeeds:
    def lookup_allowed(self, lookup, value, request=None):
        hidden = ACCESS_NEEDS[self.model]
        if lookup.split("__")[0] in hidden:
            return False
        return super().lookup_allowed(lookup, value, request)


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    list_display = ["name", "area", "postcode", "step_free", "accessible_toilet", "hearing_loop"]
    list_filter = ["area", "step_free", "accessible_toilet", "hearing_loop", "quiet_room"]
    search_fields = ["name", "address", "postcode", "area"]


class SignUpInline(admin.TabularInline):
    model = SignUp
    extra = 0
    fields = ["resident", "status", "waiting_since", "offer_expires_at", "attendance"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def get_queryset(self, request):
        # Each row is named after the person and the opportunity: one query for all of them,
        # not one each.
        return super().get_queryset(request).select_related("resident", "opportunity")

    def has_add_permission(self, request, obj=None):
        # Places are given through the hub's own pages, which enforce capacity.
        return False


@admin.register(Opportunity)
class OpportunityAdmin(KeepsHistory, admin.ModelAdmin):
    list_display = ["title", "starts_at", "kind", "format", "status", "capacity", "project"]
    list_filter = ["status", "kind", "format", "fee_basis", "topic"]
    list_select_related = ["project"]
    search_fields = ["title", "description"]
    date_hierarchy = "starts_at"
    # Changed only on the opportunity's own pages (`services.update_opportunity`, publish,
    # close, cancel): they keep places at or above those taken, offer new places to the
    # people waiting, tell everyone of a new time or place, and keep survey answers in the
    # totals they were given in. Here they would do none of that.
    readonly_fields = [
        "status",
        "cancellation_reason",
        "project",
        "topic",
        "level",
        "step",
        "format",
        "venue",
        "online_details",
        "starts_at",
        "ends_at",
        "capacity",
        "created_by",
        "published_at",
        "cancelled_at",
        "created_at",
        "updated_at",
    ]
    inlines = [SignUpInline]
    history = {
        "signups": "people signed up, came or waited. Cancel the opportunity on its page "
        "instead, which tells them.",
    }

    def has_add_permission(self, request):
        # "Add an opportunity" on the hub checks the venue, level and step rules.
        return False


@admin.register(SignUp)
class SignUpAdmin(HidesAccessNeeds, ViewOnly, admin.ModelAdmin):
    """To look only. A place is given, moved on, cancelled and marked attended on the hub's
    pages: they keep capacity and the waiting list right, and attendance is what fees are
    claimed for."""

    list_display = ["resident", "opportunity", "status", "attendance", "created_at"]
    list_filter = ["status", "attendance"]
    list_select_related = ["resident", "opportunity"]
    search_fields = ["resident__email", "resident__display_name", "opportunity__title"]
    exclude = ACCESS_NEEDS[SignUp]


@admin.register(Profile)
class ProfileAdmin(HidesAccessNeeds, admin.ModelAdmin):
    form = choices_form(Profile, preferred_levels=Level, preferred_formats=Opportunity.Format)
    list_display = ["user", "contact_by", "format", "large_print", "alert_frequency", "updated_at"]
    list_filter = ["contact_by", "format", "large_print", "alert_frequency"]
    list_select_related = ["user"]
    search_fields = ["user__email", "user__display_name"]
    raw_id_fields = ["user"]
    filter_horizontal = ["interests"]
    exclude = ACCESS_NEEDS[Profile]
    readonly_fields = ["created_at", "updated_at"]
