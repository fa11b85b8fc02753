"""A person's participation data, for "download my data" and "delete my account"
(see coprod_hub/users/privacy.py).

A session standing alone that is still to come, with people booked or waiting, needs
someone to run it (see its form's "Who runs this session"): whoever runs it must hand it to a
colleague before their account can be erased, as a project's owner must hand the project
over (projects.privacy)."""

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from coprod_hub.audit import allow_privileged_change
from coprod_hub.users.privacy import NotYet, rename_in_admin_history

from .models import Opportunity, Profile, SignUp
from .permissions import can_run
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
                # Asked only for a hybrid session: "" for any other.
                "how_you_will_join": signup.get_joining_display() if signup.joining else "",
                "profile_access_needs_shared_with_staff": signup.profile_needs_shared,
                "attendance": signup.get_attendance_display(),
                "cancelled_by": _cancelled_by(signup),
                "why_staff_cancelled_it": signup.cancel_reason,
            }
            for signup in signups
        ],
    }


def sessions_to_hand_over(user, now=None):
    """Sessions standing alone that `user` runs, going ahead, not started, with someone
    booked, offered a place or waiting: they would be left with nobody to run them."""
    people = SignUp.objects.filter(
        opportunity=OuterRef("pk"),
        status__in=[SignUp.Status.BOOKED, SignUp.Status.OFFERED, SignUp.Status.WAITING],
    )
    return Opportunity.objects.filter(
        Exists(people),
        project__isnull=True,
        created_by=user,
        status__in=Opportunity.GOING_AHEAD,
        starts_at__gt=now or timezone.now(),
    ).order_by("starts_at", "pk")


def erasure_blockers(user) -> list[NotYet]:
    sessions = list(sessions_to_hand_over(user))
    if not sessions:
        return []
    one = len(sessions) == 1
    counted = "a session" if one else f"{len(sessions)} sessions"
    titles = ", ".join(f"“{session.title}”" for session in sessions)
    return [
        NotYet(
            to_person=f"You run {counted} still to come that people have booked or are "
            f"waiting for. Hand {'this session' if one else 'these sessions'} to a colleague "
            f"first: {titles}. Then you can delete your account.",
            to_admin=f"they run {counted} with no project, still to come, that people have "
            f"booked or are waiting for ({titles}). Hand {'it' if one else 'them'} to a "
            "colleague first",
            # Only pages they may still open: not once their staff role has gone.
            links=tuple(
                (
                    f"Choose who runs “{session.title}”",
                    reverse("participation:edit", args=[session.pk]),
                )
                for session in sessions
                if can_run(user, session)
            ),
        )
    ]


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
