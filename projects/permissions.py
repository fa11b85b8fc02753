"""Who may see and change which project. Every project view goes through this module.

- Anyone may read a published project. Staff may read every project, drafts included.
- Only the owner, team members, commissioners and admins may change a project (its details,
  its step, its publication, its "we said, we did" updates). They must hold the staff role.
- A project someone may not see does not exist for them: 404. Staff who may see a project
  but not change it get 403, with a page saying who can.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from coprod_hub.permissions import RoleRequiredMixin
from coprod_hub.users.roles import Role

from .models import Project


def is_on_team(user, project) -> bool:
    """The project's owner or one of its team members: the people who run it day to day."""
    return project.owner_id == user.pk or project.team.filter(pk=user.pk).exists()


def can_edit_project(user, project) -> bool:
    if not (user.is_authenticated and user.has_role(Role.STAFF)):
        return False
    if user.is_superuser or user.has_role(Role.COMMISSIONER):
        return True
    return is_on_team(user, project)


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
        raise PermissionDenied(
            "Only the project's owner, its team, commissioners and admins can change it."
        )
    return project


class ProjectPermissionMixin:
    """For views of one project: sets `self.project` through `get_project_for_user`."""

    write = False

    def dispatch(self, request, *args, **kwargs):
        self.project = get_project_for_user(request, kwargs["slug"], write=self.write)
        return super().dispatch(request, *args, **kwargs)


class ProjectWriteMixin(RoleRequiredMixin, ProjectPermissionMixin):
    """Staff views that change one project. Signed-out people are sent to sign in; people
    without the staff role get 403 before the project is even looked up."""

    required_role = Role.STAFF
    write = True
