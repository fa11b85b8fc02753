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
  `Claim.objects.no_commissioner_may_decide`: it is theirs, they made it, or they declared a
  conflict of interest with the person). Admins may decide claims too, but deciding is a
  budget holder's job, so only people with the commissioner role count as someone else who
  can.

The administrator is refused, with what to hand over and where, rather than asked to confirm:
each thing can be handed over in a minute from the page linked, and once the role has gone
the person can no longer open those pages to do it themselves.

Checking, then saving, races with a colleague handing the person a session or a project in
between, and with a second administrator taking the commissioner role from the only other
commissioner: both would save, and something would be left that nobody may run or decide.
So both sides lock account rows (`lock_account`) before they read what they check, and each
waits for the other to commit. The administrator's check locks the person's row
(`still_to_hand_over`); whatever leaves a session or a project with someone locks theirs first
and checks they are still staff (`lock_and_check_staff`). On PostgreSQL's READ COMMITTED each
query after the lock sees what the other committed. (SQLite has one writer at a time anyway.)
"""

from dataclasses import dataclass

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from participation.models import Opportunity
from payments.models import Claim
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
    someone to run it.

    Call it inside the transaction that saves the change: it locks the person's row (and the
    commissioners' rows, when the change would leave them without that role) until it ends."""
    now = now or timezone.now()
    groups = {str(name) for name in groups}
    person = _lock_for_the_change(
        person, takes_commissioner=not (is_active and Role.COMMISSIONER in groups)
    )
    before = person.role_names
    after = roles_held(groups, is_active=is_active, is_superuser=is_superuser)
    found = []
    if Role.STAFF in before and Role.STAFF not in after:
        found += [_sessions(person, now), _projects(person)]
    decides_now = person.is_active and person.groups.filter(name=Role.COMMISSIONER).exists()
    if decides_now and not (is_active and Role.COMMISSIONER in groups):
        found.append(_claims(person))
    return [item for item in found if item is not None]


def lock_account(person) -> User:
    """`person`'s account (an instance or its id), read again with its row locked until the
    transaction ends, so an administrator changing their roles (`still_to_hand_over`) or
    erasing them (users.privacy.erase), who lock it too, waits for this transaction, or it for
    them, and what it reads is as they left it.

    Take it before the other rows the change locks (a session, a claim): erasing locks the
    person's row first, then their claims and the sessions they are booked on, so taking the
    session or claim first could leave each waiting for the other (a deadlock).

    FOR NO KEY UPDATE, not FOR UPDATE: still waits for those two, and they for it, but not for
    a row being added that points to the person (a place on a session, a line in the audit
    trail), which takes a key-share lock on it: that may be added by someone who already holds
    the session, and waiting for them would be a deadlock of its own."""
    pk = person.pk if isinstance(person, User) else person
    return User.objects.select_for_update(no_key=True).get(pk=pk)


def lock_accounts(*people) -> None:
    """`lock_account` for several people at once (instances or ids; None is skipped): one
    query, in order of id, so two changes that each lock the same two rows never each hold
    one the other waits for (a deadlock)."""
    pks = {person.pk if isinstance(person, User) else person for person in people} - {None}
    if pks:
        rows = User.objects.select_for_update(no_key=True).filter(pk__in=pks).order_by("pk")
        list(rows.values_list("pk"))


def lock_and_check_staff(person) -> bool:
    """Lock `person`'s account row until the transaction ends (`lock_account`), then say
    whether they still hold the staff role: needed by whoever is left with a session standing
    alone or a project not closed. Call it before saving them as its runner or owner, in the
    same transaction.

    Two queries, not one: a query that waits for a lock reads the roles (another table) as they
    were when it began, before the administrator holding the lock committed."""
    lock_account(person)
    return User.objects.holding(Role.STAFF).filter(pk=person.pk).exists()


def _lock_for_the_change(person, *, takes_commissioner: bool):
    """`person` loaded again with their row locked, so hand-overs to them wait (or are waited
    for: see the module's docstring) and what the check reads is as they left it.

    When the change leaves them without the commissioner role, every active commissioner's
    row is locked too: two administrators taking the role from the only two commissioners who
    may decide a claim would each see the other as still able to, and both would save. All of
    them are locked in one query in order of id, so two administrators never each hold a row
    the other waits for (a deadlock). Locking them all, rather than only if the person is a
    commissioner now, needs no read before the lock that could be out of date."""
    rows = Q(pk=person.pk)
    if takes_commissioner:
        commissioners = User.objects.filter(is_active=True, groups__name=Role.COMMISSIONER)
        rows |= Q(pk__in=commissioners.values("pk"))
    list(User.objects.select_for_update().filter(rows).order_by("pk").values_list("pk"))
    return User.objects.with_group_names().get(pk=person.pk)


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
    claims = Claim.objects.no_commissioner_may_decide(excluding=person).order_by(
        "first_submitted_at", "pk"
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
