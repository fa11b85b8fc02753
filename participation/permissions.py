"""Who may see and change opportunities, venues, sign-ups and profiles. The only place
these rules live; every view goes through a function here.

- Anyone sees published, closed and cancelled opportunities; drafts only their runners.
- Staff "run" an opportunity when they may edit its project (owner, team member,
  commissioner, admin). One standing alone (no project) is run by the member of staff in its
  `created_by` ("Who runs this session" on its form: whoever made it, until it is handed to a
  colleague), and by commissioners and admins, as they may change every project; any of them
  may hand it over. Admins run all.
- A sign-up is seen by the person, the staff running that opportunity and admins. Anyone
  else gets a 404, so they cannot even tell it exists.
- Access needs on it are narrower (special category data, SPEC "hard rules"): the person,
  the staff who run the session in person (the project's owner and team, or whoever runs a
  standalone opportunity: its `created_by`) and admins. Commissioners may manage every
  project and every standalone opportunity, but see people's needs only on those they run
  in person. Staff stop seeing them two weeks after the session
  (Opportunity.access_needs_kept).
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from coprod_hub.users.roles import Role
from projects import permissions as projects_permissions

from .models import Opportunity, Profile, SignUp, Venue


def is_admin(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_superuser)


def is_staff(user) -> bool:
    return bool(user.is_authenticated and user.has_role(Role.STAFF))


def can_edit_project(user, project) -> bool:
    """The projects app's own rule (owner, team member, commissioner or admin, with the staff
    role): whoever may edit a project runs its opportunities."""
    return projects_permissions.can_edit_project(user, project)


def can_run(user, opportunity) -> bool:
    """May change this opportunity, see its sign-ups and access needs, take attendance."""
    if not is_staff(user):
        return False
    if is_admin(user):
        return True
    if opportunity.project_id:
        return can_edit_project(user, opportunity.project)
    return opportunity.created_by_id == user.pk or projects_permissions.edits_every_project(user)


def running_in_person(sessions) -> dict:
    """{session id: [the staff who run it in person]}, as `can_see_access_needs` names them
    (less admins, who see every session's): its project's owner and team, or whoever runs a
    session standing alone (its `created_by`), not the commissioners who may also run it.
    Active staff only, in id order: nobody, once the person it was left with has left (see
    OpportunityQuerySet.with_nobody_running). Two queries however many sessions: for the
    people told when someone's needs change, or a register is not taken."""
    from coprod_hub.users.models import User
    from projects.models import Project

    sessions = list(sessions)
    teams = {}
    project_ids = {session.project_id for session in sessions if session.project_id}
    memberships = Project.team.through.objects.filter(project_id__in=project_ids)
    for project_id, user_id in memberships.values_list("project_id", "user_id"):
        teams.setdefault(project_id, set()).add(user_id)
    ids = {
        session.pk: (
            {session.project.owner_id, *teams.get(session.project_id, ())}
            if session.project_id
            else {session.created_by_id}
        )
        for session in sessions
    }
    staff = {
        person.pk: person
        for person in User.objects.holding(Role.STAFF)
        .filter(pk__in=set().union(*ids.values()))
        .order_by("pk")
    }
    return {pk: [staff[i] for i in sorted(people) if i in staff] for pk, people in ids.items()}


def can_see_access_needs(user, opportunity) -> bool:
    """May see the access needs of people signed up (see the module docstring): never once
    the session is long over (Opportunity.access_needs_kept)."""
    if not is_staff(user) or not opportunity.access_needs_kept():
        return False
    if is_admin(user):
        return True
    if opportunity.project_id:
        return projects_permissions.is_on_team(user, opportunity.project)
    # Whoever runs it: not the commissioners who may also manage it.
    return opportunity.created_by_id == user.pk


def opportunities_run_by(user):
    """The queryset scope behind `can_run`, for lists."""
    if not is_staff(user):
        return Opportunity.objects.none()
    if is_admin(user):
        return Opportunity.objects.all()
    from projects.models import Project

    # The projects app's rule for who may edit a project, as a queryset (commissioners may
    # edit them all); standalone opportunities are run by their `created_by`, and by
    # commissioners, who hand them over when that person leaves.
    if projects_permissions.edits_every_project(user):
        return Opportunity.objects.all()
    editable = Project.objects.editable_by(user).values("pk")
    return Opportunity.objects.filter(
        Q(project__in=editable) | Q(project__isnull=True, created_by=user)
    )


def projects_for_new_opportunity(user, *, keep=None):
    """Projects a staff member may add an opportunity to: `can_edit_project` as a queryset,
    less closed projects, which take no new sessions (services.create_opportunity).

    `keep`: a project id to include anyway, so editing an opportunity never silently drops
    its current project from the choices, and copying one from a closed project says why it
    cannot go there rather than quietly leaving the copy with no project.
    """
    from projects.models import Project

    if not is_staff(user):
        return Project.objects.none()
    editable = Project.objects.editable_by(user).exclude(status=Project.Status.CLOSED)
    return editable | Project.objects.filter(pk=keep) if keep else editable


# --- Opportunities -------------------------------------------------------------------


def get_opportunity_for_viewer(request, pk) -> Opportunity:
    """The public page: drafts, and opportunities of projects the public cannot see, are 404
    except to the staff running them and to people signed up (a project taken off the public
    pages must not break the links in their messages and calendars).

    Places held and waiting are counted in the same query: the page shows them several ways.
    """
    opportunity = get_object_or_404(
        Opportunity.objects.select_related(
            "project__service_area", "venue", "topic"
        ).with_place_counts(),
        pk=pk,
    )
    if not opportunity.is_public and not (
        can_run(request.user, opportunity) or _signed_up(request.user, opportunity)
    ):
        raise_not_found()
    return opportunity


def _signed_up(user, opportunity) -> bool:
    return user.is_authenticated and opportunity.signups.filter(resident=user).exists()


def get_opportunity_to_run(request, pk) -> Opportunity:
    """For staff pages: 404 unless the signed-in person runs this opportunity."""
    queryset = Opportunity.objects.select_related("project__service_area", "venue", "topic")
    opportunity = get_object_or_404(queryset, pk=pk)
    if not can_run(request.user, opportunity):
        raise_not_found()
    return opportunity


def require_staff(request) -> None:
    if not is_staff(request.user):
        raise PermissionDenied("This page is for staff.")


def raise_not_found():
    raise Http404("No such page.")


# --- Sign-ups --------------------------------------------------------------------------


def can_see_signup(user, signup) -> bool:
    if not user.is_authenticated:
        return False
    return signup.resident_id == user.pk or can_run(user, signup.opportunity)


def get_signup_for_user(request, pk) -> SignUp:
    signup = get_object_or_404(
        SignUp.objects.select_related(
            "opportunity__project__service_area",
            "opportunity__venue",
            "resident__profile",
            "signed_up_by",
        ),
        pk=pk,
    )
    if not can_see_signup(request.user, signup):
        raise_not_found()
    return signup


# --- Venues and profiles ---------------------------------------------------------------


def venues_for_staff(request):
    require_staff(request)
    return Venue.objects.all()


def get_venue_for_staff(request, pk) -> Venue:
    return get_object_or_404(venues_for_staff(request), pk=pk)


def profile_for(request) -> Profile:
    """The signed-in person's own profile, created the first time it is needed."""
    profile, _ = Profile.objects.get_or_create(user=request.user)
    return profile
