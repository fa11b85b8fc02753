"""Who may see and change what in insight. Every insight view goes through this module.

- Dashboards, comments and "We" pages: staff (commissioners and admins included). Residents
  and visitors get 403; the 403 page offers visitors a way to sign in.
- Rating a project's "We" statements: the people who may change the project (its owner and
  team, commissioners and admins), decided by the projects app's own rule.
- A survey: whoever holds a valid link for an attended sign-up. No account is needed.
- Equality answers: only the person they belong to, signed in. Staff never see them except
  as suppressed totals on the dashboard.
"""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from coprod_hub.users.roles import Role
from projects.models import Project
from projects.permissions import can_edit_project, get_project_for_user

from .models import SurveyInvitation
from .tokens import SurveyLinkError, read_survey_token


def can_view_insight(user) -> bool:
    return bool(user.is_authenticated and user.has_role(Role.STAFF))


def staff_only(view):
    """Staff and commissioners only. Everyone else gets a 403 page; it tells signed-out
    visitors they can sign in with a staff account."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not can_view_insight(request.user):
            return render(
                request,
                "insight/forbidden.html",
                {"signed_in": request.user.is_authenticated, "next": request.get_full_path()},
                status=403,
            )
        return view(request, *args, **kwargs)

    return wrapped


def projects_to_rate(user):
    """Projects whose "We" statements this person may rate."""
    return Project.objects.editable_by(user)


def get_project_to_view(request, slug) -> Project:
    """A project's "We" page: any staff may read it (404 if there is no such project)."""
    return get_project_for_user(request, slug)


def get_project_to_rate(request, slug) -> Project:
    """404 if there is no such project; 403 for staff who may not change it."""
    project = get_project_for_user(request, slug)
    if not can_edit_project(request.user, project):
        raise PermissionDenied(
            "Only the project's owner, its team, commissioners and admins can rate it."
        )
    return project


def can_rate(user, project) -> bool:
    return can_edit_project(user, project)


def get_survey_invitation(token: str, *, now) -> SurveyInvitation:
    """The invitation a survey link belongs to, if the link may still be used.

    Raises SurveyLinkError: "invalid" (altered, made for something else, or the sign-up is
    gone or no longer attended) or "closed" (the invitation's closing date, the one the email
    gave, has passed).
    """
    from participation.models import SignUp

    signup_id, resident_id = read_survey_token(token)
    invitation = (
        SurveyInvitation.objects.select_related("signup__opportunity__project", "signup__resident")
        .filter(signup_id=signup_id, signup__resident_id=resident_id)
        .first()
    )
    if invitation is None:
        raise SurveyLinkError("invalid")
    signup = invitation.signup
    if signup.attendance != SignUp.Attendance.ATTENDED:
        raise SurveyLinkError("invalid")
    if not invitation.is_open(now):
        raise SurveyLinkError("closed")
    return invitation
