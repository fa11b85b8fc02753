"""Who may see and change which project. Every project view goes through this module.

- Anyone may read a published project. Staff may read every project, drafts included.
- Only the owner, team members, commissioners and admins may change a project (its details,
  its step, its publication, its "we said, we did" updates). They must hold the staff role.
- Who runs it (the owner and the team) is for the owner, commissioners and admins to change.
  A team member may only take themselves off the team, so nobody can take a project away
  from the person responsible for it.
- A project someone may not see does not exist for them: 404. Staff who may see a project
  but not change it get 403, with a page saying who can.
- An update about sessions standing alone (no project) is posted and corrected by the staff
  who run those sessions (participation.permissions.can_run); to anyone else those pages
  do not exist (404).
"""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from coprod_hub.permissions import RoleRequiredMixin
from coprod_hub.users.roles import Role

from .models import Project, Update


def is_on_team(user, project) -> bool:
    """The project's owner or one of its team members: the people who run it day to day."""
    return project.owner_id == user.pk or project.team.filter(pk=user.pk).exists()


def edits_every_project(user) -> bool:
    """Commissioners and admins may change any project, whoever runs it."""
    return user.is_superuser or user.has_role(Role.COMMISSIONER)


def can_edit_project(user, project) -> bool:
    if not (user.is_authenticated and user.has_role(Role.STAFF)):
        return False
    return edits_every_project(user) or is_on_team(user, project)


def could_edit_new_project(user, *, owner, team) -> bool:
    """Whether `user` could change a project they are about to make with this owner and team,
    so nobody saves a project and is then refused its next page."""
    return edits_every_project(user) or owner == user or user in team


def changes_who_runs(user, project) -> bool:
    """Whether `user` may hand `project` over or change its team: its owner, commissioners
    and admins."""
    return edits_every_project(user) or project.owner_id == user.pk


def who_runs_refusal(user, project, *, owner, team) -> str:
    """Why `user` may not give `project` this owner and team, or "" if they may. Team members
    may leave the team but change nothing else about who runs the project."""
    if changes_who_runs(user, project):
        return ""
    current = set(project.team.values_list("pk", flat=True))
    wanted = {member.pk for member in team}
    if owner.pk != project.owner_id or wanted - current or current - wanted - {user.pk}:
        return (
            f"Only the owner, {project.owner}, or a commissioner can change who runs the "
            "project. You can take yourself off the team"
        )
    return ""


def project_scope(user):
    """The projects this person may see."""
    return Project.objects.visible_to(user)


def get_project_for_user(request, slug, *, write=False) -> Project:
    """The project at `slug` if this person may see it (else 404), and change it when `write`
    (else 403)."""
    try:
        project = project_scope(request.user).select_related("service_area", "owner").get(slug=slug)
    except Project.DoesNotExist:
        raise Http404("No project here") from None
    if write and not can_edit_project(request.user, project):
        raise NotOnTheTeam(project)
    return project


class NotOnTheTeam(PermissionDenied):
    """Staff who may see the project but not change it."""

    def __init__(self, project):
        super().__init__(
            "Only the project's owner, its team, commissioners and admins can change it."
        )
        self.project = project


class ProjectPermissionMixin:
    """For views of one project: sets `self.project` through `get_project_for_user`."""

    write = False

    def dispatch(self, request, *args, **kwargs):
        try:
            self.project = get_project_for_user(request, kwargs["slug"], write=self.write)
        except NotOnTheTeam as refusal:
            # The hub's own 403 page can only point home; this one names the owner to ask
            # and links back to the project. Only staff get here (ProjectWriteMixin checks
            # the role first), and staff see the owner on the project page anyway.
            return render(
                request,
                "projects/403.html",
                {"project": refusal.project, "reason": str(refusal)},
                status=403,
            )
        return super().dispatch(request, *args, **kwargs)


class ProjectWriteMixin(RoleRequiredMixin, ProjectPermissionMixin):
    """Staff views that change one project. Signed-out people are sent to sign in; people
    without the staff role get 403 before the project is even looked up."""

    required_role = Role.STAFF
    write = True


# --- Updates about sessions standing alone ------------------------------------------------


def can_correct_update(user, update) -> bool:
    """A project's update: whoever may change the project. One about sessions standing alone:
    whoever runs every one of them."""
    if update.project_id:
        return can_edit_project(user, update.project)
    from participation.permissions import can_run

    sessions = list(update.opportunities.all())
    return bool(sessions) and all(can_run(user, session) for session in sessions)


def get_update_to_correct(request, pk) -> Update:
    """The update at `pk` if this person may correct it (`can_correct_update`), else 404."""
    update = get_object_or_404(Update.objects.select_related("project"), pk=pk)
    if not can_correct_update(request.user, update):
        raise Http404("No update here")
    return update


class SessionRunnerMixin(LoginRequiredMixin):
    """For views about one session (`kwargs["pk"]`) that only the staff running it may use:
    sets `self.session` through participation.permissions.get_opportunity_to_run (404 to
    anyone else). Signed-out people are sent to sign in."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        from participation.permissions import get_opportunity_to_run

        self.session = get_opportunity_to_run(request, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)


class UpdateCorrectorMixin(LoginRequiredMixin):
    """For the correction page of any update (`kwargs["pk"]`): sets `self.update` through
    `get_update_to_correct`. Signed-out people are sent to sign in."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.update = get_update_to_correct(request, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)
