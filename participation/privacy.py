"""A person's participation data, for "download my data" and "delete my account"
(see coprod_hub/users/privacy.py)."""

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from coprod_hub.audit import allow_privileged_change
from coprod_hub.users.privacy import rename_in_admin_history

from .models import Profile, SignUp
from .services import withdraw_for_erasure


def export(user) -> dict:
    profile = Profile.objects.filter(user=user).prefetch_related("interests").first()
    signups = (
        SignUp.objects.filter(resident=user)
        .select_related("opportunity", "signed_up_by", "cancelled_by")
        .order_by("created_at")
    )
    return {
        "profile": None
        if profile is None
        else {
            "interests": [area.name for area in profile.interests.all()],
            "preferred_levels": profile.get_preferred_levels_display(),
            "preferred_formats": profile.get_preferred_formats_display(),
            "access_needs": profile.access_needs,
            "access_needs_consent_given_at": profile.access_needs_consent_at,
            "contact_by": profile.get_contact_by_display(),
            "phone": profile.phone,
            "postal_address": profile.postal_address,
            "format_for_information": profile.get_format_display(),
            "large_print": profile.large_print,
            "new_opportunity_alerts": profile.get_alert_frequency_display(),
        },
        "sign_ups": [
            {
                "opportunity": signup.opportunity.title,
                "starts_at": signup.opportunity.starts_at,
                "status": signup.get_status_display(),
                "signed_up_on": signup.created_at,
                "signed_up_by_staff": str(signup.signed_up_by) if signup.signed_up_by else "",
                "access_needs_for_this_session": signup.access_needs_note,
                "profile_access_needs_shared_with_staff": signup.profile_needs_shared,
                "attendance": signup.get_attendance_display(),
                "cancelled_by": _cancelled_by(signup),
                "why_staff_cancelled_it": signup.cancel_reason,
            }
            for signup in signups
        ],
    }


def _cancelled_by(signup) -> str:
    if signup.status != SignUp.Status.CANCELLED or signup.cancelled_by_id is None:
        # Still active, or nobody cancelled it (an offer ran out), or staff since erased.
        return "A member of staff" if signup.cancel_reason else ""
    if signup.cancelled_by_id == signup.resident_id:
        return "You"
    return str(signup.cancelled_by)


@transaction.atomic
def erase(user) -> None:
    """Remove the profile (access needs included) and every sign-up except the record of
    sessions attended and those a sent fee claim points to (the register may have been
    corrected after the claim was made); those keep no notes. Places held for future sessions
    are freed and offered to the next person waiting. Runs after payments.privacy.erase,
    which deletes unsent claims."""
    withdraw_for_erasure(user, now=timezone.now())
    # Their names (SignUp.__str__, Profile.__str__) in the admin's history of changes.
    profiles = Profile.objects.filter(user=user).values_list("pk", flat=True)
    rename_in_admin_history(Profile, profiles, f"Profile of erased person {user.pk}")
    signups = list(SignUp.objects.filter(resident=user).values_list("pk", flat=True))
    rename_in_admin_history(SignUp, signups, f"Sign-up of erased person {user.pk}")
    Profile.objects.filter(user=user).delete()
    SignUp.objects.filter(resident=user, claim__isnull=True).exclude(
        attendance=SignUp.Attendance.ATTENDED
    ).delete()
    SignUp.objects.filter(resident=user).update(access_needs_note="", cancel_reason="")
    # The audit trail's entries about their register marks (coprod_hub/audit.py) name them
    # too; renamed last, as deleting sign-ups above adds entries.
    allow_privileged_change()
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(SignUp),
        object_pk__in=[str(pk) for pk in signups],
    ).update(object_repr=f"Sign-up of erased person {user.pk}")
