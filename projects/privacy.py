"""A person's part in projects, for "download my data" and "delete my account"
(see coprod_hub/users/privacy.py).

Projects are the council's work: the projects a person runs or is on the team of, the steps
they recorded and the updates they posted all stay, pointing at the pseudonymous account.
What goes is their name in the audit trail's record of team changes, which lists the
members added or removed by name.
"""

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType

from coprod_hub.users.privacy import names_of, pseudonym

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


def erase(user) -> None:
    """Take their name out of the trail's team changes: {"team": {"type": "m2m", "objects":
    [<each member as str(user)>, ...]}}, under any name or address they had then."""
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
