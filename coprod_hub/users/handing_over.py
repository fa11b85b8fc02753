"""What a person still runs that nobody else would, were they to lose a role: checked before
an administrator takes the staff or commissioner role away, or closes the account.

- Staff run sessions standing alone (no project) until they hand them to a colleague
  ("Who runs this session" on the session's form). Without the staff role they no longer
  see the access needs of the people booked, take the register or get its reminders, and
  nobody else does either (participation.permissions.running_in_person).
- A project's owner answers for it. Without the staff role they cannot change it, so a
  project not closed needs a new owner first.
- Claims are not given to one commissioner: any commissioner decides them from one queue.
  A sent claim is stuck only if no other commissioner may decide it (payments'
  `review_block_reason`: it is theirs, they made it, or they declared a conflict of interest
  with the person). Admins may decide claims too, but deciding is a budget holder's job, so
  only people with the commissioner role count as someone else who can.

The administrator is refused, with what to hand over and where, rather than asked to confirm:
each thing can be handed over in a minute from the page linked, and once the role has gone
the person can no longer open those pages to do it themselves.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from participation.models import Opportunity
from payments.models import Claim, ConflictOfInterest
from projects.models import Project

from .models import User
from .roles import Role, roles_held

# Each kind lists this many, with a link to each, and counts the rest: the message stays short
# and costs the same however much the person runs.
LISTED = 10


@dataclass(frozen=True)
class ToHandOver:
    """One kind of thing the person still runs: what it is, what to do, and where (the pages
    as (text, URL), the first `LISTED`, and how many more there are)."""

    what: str
    then: str
    links: tuple[tuple[str, str], ...]
    more: int = 0


def still_to_hand_over(
    person, *, groups, is_active: bool, is_superuser: bool, now=None
) -> list[ToHandOver]:
    """What `person` must hand over before they may have these groups (names), be open or
    closed (`is_active`) and be an admin or not: empty when the change leaves nothing without
    someone to run it."""
    now = now or timezone.now()
    groups = {str(name) for name in groups}
    before = person.role_names
    after = roles_held(groups, is_active=is_active, is_superuser=is_superuser)
    found = []
    if Role.STAFF in before and Role.STAFF not in after:
        found += [_sessions(person, now), _projects(person)]
    decides_now = person.is_active and person.groups.filter(name=Role.COMMISSIONER).exists()
    if decides_now and not (is_active and Role.COMMISSIONER in groups):
        found.append(_claims(person))
    return [item for item in found if item is not None]


def _listed(queryset, link) -> tuple[tuple[tuple[str, str], ...], int]:
    """The first LISTED rows as links, and how many more there are: two queries at most."""
    rows = list(queryset[: LISTED + 1])
    more = queryset.count() - LISTED if len(rows) > LISTED else 0
    return tuple(link(row) for row in rows[:LISTED]), more


def _counted(count: int, one: str, many: str) -> str:
    return f"1 {one}" if count == 1 else f"{count} {many}"


def _sessions(person, now) -> ToHandOver | None:
    """Sessions standing alone they run that are not over or called off: drafts too, which
    nobody else would publish."""
    sessions = (
        Opportunity.objects.filter(project__isnull=True, created_by=person, ends_at__gt=now)
        .exclude(status=Opportunity.Status.CANCELLED)
        .order_by("starts_at", "pk")
    )
    links, more = _listed(
        sessions.only("pk", "title", "starts_at"),
        lambda session: (
            f"“{session.title}” on {timezone.localtime(session.starts_at):%-d %b %Y}",
            reverse("participation:edit", args=[session.pk]),
        ),
    )
    if not links:
        return None
    count = len(links) + more
    return ToHandOver(
        what=f"They run {_counted(count, 'session', 'sessions')} with no project that "
        f"{'is' if count == 1 else 'are'} not over yet.",
        then="Choose a colleague in “Who runs this session” on each one’s page",
        links=links,
        more=more,
    )


def _projects(person) -> ToHandOver | None:
    projects = (
        Project.objects.filter(owner=person)
        .exclude(status=Project.Status.CLOSED)
        .order_by("title", "pk")
    )
    links, more = _listed(
        projects.only("pk", "slug", "title"),
        lambda project: (f"“{project.title}”", reverse("projects:edit", args=[project.slug])),
    )
    if not links:
        return None
    count = len(links) + more
    return ToHandOver(
        what=f"They own {_counted(count, 'project', 'projects')} that "
        f"{'is' if count == 1 else 'are'} not closed.",
        then="Make a colleague the owner on each project’s “Change details” page",
        links=links,
        more=more,
    )


def _claims(person) -> ToHandOver | None:
    """Sent claims that no other commissioner may decide (see the module's docstring)."""
    conflict = ConflictOfInterest.objects.active().filter(
        commissioner=OuterRef("pk"), person=OuterRef(OuterRef("claimant_id"))
    )
    other_commissioner = (
        User.objects.filter(is_active=True, groups__name=Role.COMMISSIONER)
        .exclude(pk=person.pk)
        .exclude(pk=OuterRef("claimant_id"))
        .exclude(pk=OuterRef("started_by_id"))
        # Empty only if that account was deleted; compared with NULL, every commissioner
        # would be ruled out.
        .exclude(pk=Coalesce(OuterRef("submitted_by_id"), Value(0)))
        .exclude(Exists(conflict))
    )
    claims = (
        Claim.objects.filter(status=Claim.Status.SUBMITTED)
        .filter(~Q(Exists(other_commissioner)))
        .order_by("first_submitted_at", "pk")
    )
    links, more = _listed(
        claims.only("pk"),
        lambda claim: (claim.reference, reverse("payments:claim", args=[claim.pk])),
    )
    if not links:
        return None
    count = len(links) + more
    return ToHandOver(
        what=f"{_counted(count, 'sent claim is', 'sent claims are')} waiting for a decision "
        "that no other commissioner may make: there is none, or the others claim, made the "
        "claim or have declared a conflict of interest with the person.",
        then=f"Decide {'it' if count == 1 else 'them'} first, or give the commissioner role "
        "to someone who may",
        links=links,
        more=more,
    )
