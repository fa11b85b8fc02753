"""A person's part in projects, for "download my data" and "delete my account"
(see coprod_hub/users/privacy.py).

Projects are the council's work: the steps a person recorded and the updates they posted
stay, pointing at the pseudonymous account, and so do closed projects they owned or were on
the team of: the record of who did the work. A project still running needs an owner who can
answer for it, so it must be given to someone else first, and the person leaves its team.
Their name goes from the audit trail's record of team changes, which lists the members
added or removed by name.
"""

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType

from coprod_hub.users.privacy import NotYet, names_of, pseudonym

from .models import Project


def export(user) -> dict:
    return {
        "projects_you_run": list(
            Project.objects.filter(owner=user).order_by("title").values_list("title", flat=True)
        ),
        "projects_you_are_on_the_team_of": list(
            Project.objects.filter(team=user).order_by("title").values_list("title", flat=True)
        ),
    }


def erasure_blockers(user) -> list[NotYet]:
    running = Project.objects.filter(owner=user).exclude(status=Project.Status.CLOSED).count()
    if not running:
        return []
    projects = "a project" if running == 1 else f"{running} projects"
    return [
        NotYet(
            to_person=f"You own {projects} that {'is' if running == 1 else 'are'} not closed. "
            "Make a colleague the owner (change the project's details), then you can delete "
            "your account.",
            to_admin=f"they own {projects} that {'is' if running == 1 else 'are'} not closed. "
            "Make someone else the owner first",
        )
    ]


def erase(user) -> None:
    """Take them off the team of every project still running, then take their name out of
    the trail's team changes, including those just made: {"team": {"type": "m2m", "objects":
    [<each member as str(user)>, ...]}}, under any name or address they had then."""
    for project in Project.objects.filter(team=user).exclude(status=Project.Status.CLOSED):
        project.team.remove(user)
    names = names_of(user)
    erased = pseudonym(user)
    team_changes = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Project), changes__has_key="team"
    )
    naming_them = []
    for entry in team_changes:
        members = entry.changes["team"].get("objects") or []
        if names.intersection(members):
            entry.changes["team"]["objects"] = [
                erased if member in names else member for member in members
            ]
            entry.changes_text = ""
            naming_them.append(entry)
    LogEntry.objects.bulk_update(naming_them, ["changes", "changes_text"])
