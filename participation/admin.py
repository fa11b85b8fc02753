from django.contrib import admin

from coprod_hub.lib.admin import choices_form
from projects.ladder import Level

from .models import Opportunity, Profile, SignUp, Venue


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

    def has_add_permission(self, request, obj=None):
        # Places are given through the hub's own pages, which enforce capacity.
        return False


@admin.register(Opportunity)
class OpportunityAdmin(admin.ModelAdmin):
    list_display = ["title", "starts_at", "kind", "format", "status", "capacity", "project"]
    list_filter = ["status", "kind", "format", "fee_basis", "topic"]
    search_fields = ["title", "description"]
    date_hierarchy = "starts_at"
    raw_id_fields = ["project", "venue", "created_by"]
    readonly_fields = ["published_at", "cancelled_at", "created_at", "updated_at"]
    inlines = [SignUpInline]


@admin.register(SignUp)
class SignUpAdmin(admin.ModelAdmin):
    list_display = ["resident", "opportunity", "status", "attendance", "created_at"]
    list_filter = ["status", "attendance"]
    search_fields = ["resident__email", "resident__display_name", "opportunity__title"]
    raw_id_fields = ["opportunity", "resident", "signed_up_by", "attendance_recorded_by"]
    # Status changes go through the hub's pages, so capacity and the queue stay right.
    readonly_fields = [
        "status",
        "waiting_since",
        "offer_expires_at",
        "status_changed_at",
        "created_at",
        "updated_at",
    ]


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    form = choices_form(Profile, preferred_levels=Level, preferred_formats=Opportunity.Format)
    list_display = ["user", "contact_by", "format", "alert_frequency", "updated_at"]
    list_filter = ["contact_by", "format", "alert_frequency"]
    search_fields = ["user__email", "user__display_name"]
    raw_id_fields = ["user"]
    filter_horizontal = ["interests"]
    readonly_fields = ["access_needs_consent_at", "created_at", "updated_at"]
