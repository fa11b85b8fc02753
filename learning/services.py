"""Writes for the practice guide: sharing, scanning, moderating.

Every decision locks the entry row (`select_for_update`) and checks its state inside the
transaction, so two moderators acting at once end with one decision: the second one gets a
`LearningError` saying what happened instead.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator, slugify

from participation.models import Opportunity
from projects.models import Project

from . import anonymiser
from .models import TITLE_COLUMN_LENGTH, Entry, Finding, ModerationEvent, reference_for

# Names of people the hub knows change rarely; a minute's delay before a new name is
# looked for is fine, and saves two queries on every submission and edit.
KNOWN_NAMES_CACHE_KEY = "learning:known-names"
KNOWN_NAMES_SECONDS = 60

# Account names that are not a person's: the first word of a known name is searched for on
# its own, so "Hub Administrator" would otherwise hide every "hub" in every entry.
NOT_PERSONAL_FIRST_WORDS = frozenset(
    "hub admin administrator erased team council support system test demo service".split()
)


class LearningError(Exception):
    """Something a moderator or submitter tried cannot be done; the message says why."""


def known_names() -> tuple[str, ...]:
    """Every user's name and the contact names on projects and opportunities, for the
    scanner."""
    names = cache.get(KNOWN_NAMES_CACHE_KEY)
    if names is None:
        # One query, and the database removes the duplicates. The models' default ordering
        # is cleared: ordering by a column that is not selected would sort 100,000 rows and
        # stop UNION from removing duplicates.
        users = get_user_model().objects.exclude(display_name="").order_by()
        projects = Project.objects.exclude(contact_name="").order_by()
        opportunities = Opportunity.objects.exclude(contact_name="").order_by()
        found = users.values_list("display_name", flat=True).union(
            projects.values_list("contact_name", flat=True),
            opportunities.values_list("contact_name", flat=True),
        )
        names = tuple(sorted({name.strip() for name in found if _is_personal_name(name)}))
        cache.set(KNOWN_NAMES_CACHE_KEY, names, KNOWN_NAMES_SECONDS)
    return names


def _is_personal_name(name: str) -> bool:
    words = name.split()
    return bool(words) and words[0].casefold() not in NOT_PERSONAL_FIRST_WORDS


def _scan(entry: Entry, names: tuple[str, ...]) -> list[Finding]:
    findings = []
    for field in (Finding.Field.TITLE, Finding.Field.TEXT):
        value = getattr(entry, field)
        for found in anonymiser.scan(value, known_names=names):
            findings.append(
                Finding(
                    entry=entry,
                    field=field,
                    kind=found.kind,
                    start=found.start,
                    end=found.end,
                    snippet=value[found.start : found.end],
                )
            )
    return findings


# How many characters either side of a finding must read the same before and after an edit
# for it to count as the same words in the same place: enough to take in the words next to
# it ("Alice Brown came" against "the Alice Brown centre").
CONTEXT_CHARACTERS = 30


def _surroundings(text: str, start: int, end: int) -> tuple[str, str]:
    return text[max(0, start - CONTEXT_CHARACTERS) : start], text[end : end + CONTEXT_CHARACTERS]


def _carried_resolution(finding: Finding, earlier: list[Finding], previous: dict, current: dict):
    """The earlier finding whose decision `finding` should keep, or None to ask again.

    A decision is carried over only when it is plain which earlier finding this is:
    - the same words with the same text around them (so the same place, however much text
      moved), all decided the same way; or else
    - the same words, and every earlier finding of those words was decided the same way.
    Otherwise the words were decided both ways ("Alice Brown" the person kept hidden, "the
    Alice Brown centre" shown) and we cannot tell which this is: it waits for a moderator,
    hidden meanwhile. Matching on the words alone once let the later decision win for both,
    and publishing showed the person's name.
    """
    same_words = [
        f
        for f in earlier
        if (f.field, f.kind, f.snippet) == (finding.field, finding.kind, finding.snippet)
    ]
    here = _surroundings(current[finding.field], finding.start, finding.end)
    same_place = [f for f in same_words if _surroundings(previous[f.field], f.start, f.end) == here]
    for candidates in (same_place, same_words):
        if candidates and len({f.resolution for f in candidates}) == 1:
            return candidates[0]
    return None


def rescan(entry: Entry, *, previous: dict[str, str] | None = None) -> list[Finding]:
    """Scan the entry's current title and text and replace its findings.

    `previous` holds the title and text the current findings were made from, when they have
    just been edited. A finding the moderator already decided keeps that decision only when
    it is plain which earlier finding it is (see `_carried_resolution`); anything else,
    including everything new, waits for a decision and stays hidden until then.
    """
    current = {field: getattr(entry, field) for field in Finding.Field.values}
    previous = {**current, **(previous or {})}
    earlier = list(entry.findings.all())
    findings = _scan(entry, known_names())
    for finding in findings:
        resolved = _carried_resolution(finding, earlier, previous, current)
        if resolved is not None and resolved.resolution != Finding.Resolution.PENDING:
            finding.resolution = resolved.resolution
            finding.resolved_by_id = resolved.resolved_by_id
            finding.resolved_at = resolved.resolved_at
    entry.findings.all().delete()
    return Finding.objects.bulk_create(findings)


def _record(entry, action, *, by=None, note="") -> ModerationEvent:
    return ModerationEvent.objects.create(
        entry=entry, entry_reference=reference_for(entry.pk), action=action, by=by, note=note
    )


def _tell_author(
    entry: Entry, kind: str, event: ModerationEvent, context: dict, *, address
) -> None:
    """Queue a message about the decision to the person who shared the entry, in the same
    transaction as the decision: it is sent if, and only if, the decision sticks.

    A signed-in person hears through their account (their choice of email, text or staff
    call); anyone else at the `address` they left, read before `_end_moderation` forgot
    it. Nothing is sent to someone who left no way to reach them.
    """
    from notifications.services import queue_email_to_address, queue_message

    context = {**context, "reference": entry.reference}
    event_key = f"guide-event:{event.pk}"
    if entry.submitted_by is not None:
        queue_message(kind, recipient=entry.submitted_by, event_key=event_key, context=context)
    elif address:
        queue_email_to_address(kind, to_address=address, event_key=event_key, context=context)


@transaction.atomic
def submit_entry(
    *,
    kind,
    title,
    text,
    outcome,
    level="",
    step=None,
    principle="",
    topic="",
    project=None,
    contact_email="",
    submitted_by=None,
) -> Entry:
    """Save a new entry for moderation and scan it for personal data straight away."""
    if project is not None and not project.is_published:
        raise LearningError("Choose one of the published projects, or none.")
    entry = Entry.objects.create(
        kind=kind,
        title=title,
        text=text,
        outcome=outcome,
        level=level or "",
        step=step,
        principle=principle or "",
        topic=topic or "",
        project=project,
        contact_email=contact_email or "",
        submitted_by=submitted_by if submitted_by and submitted_by.is_authenticated else None,
    )
    rescan(entry)
    # No person is recorded: the trail must never say who wrote an entry.
    _record(entry, ModerationEvent.Action.SUBMITTED)
    return entry


def _lock(entry: Entry, *allowed_statuses) -> Entry:
    """The entry re-read under a row lock, if it is still in one of `allowed_statuses`."""
    locked = Entry.objects.select_for_update().get(pk=entry.pk)
    if locked.status not in allowed_statuses:
        raise LearningError(already_dealt_with_message(locked))
    return locked


def already_dealt_with_message(entry: Entry) -> str:
    return (
        f"This entry has already been dealt with: it is now "
        f"{entry.get_status_display().lower()}. Nothing was changed."
    )


FINDINGS_CHANGED = (
    "The text has changed since you opened it, so the findings have changed too. Check them again."
)


@transaction.atomic
def resolve_findings(entry: Entry, *, by, resolutions: dict[int, str]) -> int:
    """Record the moderator's decision on findings: {finding id: resolution}.

    Returns how many changed. Fails if the findings are not the entry's current ones, which
    happens when someone else edited the text in the meantime.
    """
    entry = _lock(entry, Entry.Status.SUBMITTED)
    findings = _current_findings(entry, resolutions)
    return _resolve(entry, findings, resolutions, by=by)


@transaction.atomic
def keep_undecided_hidden(
    entry: Entry, *, by, shown=None, resolutions: dict[int, str] | None = None
) -> int:
    """ "Keep all undecided hidden": save the choices made on the page (`resolutions`, as for
    `resolve_findings`), then keep hidden each finding still undecided, as the scanner
    suggests. Returns how many changed.

    Only the findings in `shown` (ids: the ones on the moderator's page) are kept hidden,
    and only those nobody has decided meanwhile: a decision another moderator made stands.
    If any of them has gone, someone edited the text, and nothing is saved. Without
    `shown`, every finding still undecided is kept hidden (for code, not for pages).

    Each finding records who decided and when, and the trail gets one entry, as when they
    are decided one by one.
    """
    entry = _lock(entry, Entry.Status.SUBMITTED)
    resolutions = dict(resolutions or {})
    if shown is None:
        shown = list(entry.findings.values_list("pk", flat=True))
    findings = _current_findings(entry, {**dict.fromkeys(shown), **resolutions})
    undecided = [pk for pk in shown if pk not in resolutions and findings[pk].is_pending]
    resolutions.update(dict.fromkeys(undecided, Finding.Resolution.REDACT))
    note_end = ""
    if undecided:
        note_end = f" Of those, {len(undecided)} still undecided kept hidden at once."
    return _resolve(entry, findings, resolutions, by=by, note_end=note_end)


def _current_findings(entry: Entry, ids) -> dict:
    """{id: finding} for these ids, all of them the entry's current findings."""
    findings = {f.pk: f for f in entry.findings.filter(pk__in=list(ids))}
    if len(findings) != len(set(ids)):
        raise LearningError(FINDINGS_CHANGED)
    return findings


def _resolve(
    entry: Entry, findings: dict, resolutions: dict[int, str], *, by, note_end: str = ""
) -> int:
    allowed = {Finding.Resolution.REDACT, Finding.Resolution.NOT_PERSONAL}
    if any(value not in allowed for value in resolutions.values()):
        raise LearningError("Choose whether to keep each finding hidden.")
    now = timezone.now()
    changed = []
    for pk, resolution in resolutions.items():
        finding = findings[pk]
        if finding.resolution != resolution:
            finding.resolution = resolution
            finding.resolved_by = by
            finding.resolved_at = now
            changed.append(finding)
    if changed:
        Finding.objects.bulk_update(changed, ["resolution", "resolved_by", "resolved_at"])
        hidden = sum(f.resolution == Finding.Resolution.REDACT for f in changed)
        shown = len(changed) - hidden
        _record(
            entry,
            ModerationEvent.Action.RESOLVED,
            by=by,
            note=f"Kept hidden: {hidden}. Not personal data: {shown}.{note_end}",
        )
    return len(changed)


EDITABLE_FIELDS = ("kind", "title", "text", "outcome", "level", "step", "principle", "topic")


@transaction.atomic
def edit_entry(entry: Entry, *, by, project=None, note="", **changes) -> Entry:
    """A moderator changes an entry before deciding, or corrects a published one. The new
    text is scanned again.

    Correcting a published entry takes it off the guide and back to "awaiting moderation":
    the new words have not been checked, and findings waiting for a decision must never be
    public. The moderator checks them and publishes it again, as with any entry. This is
    the simplest honest way: one set of rules for what may be public, with no second copy
    of an entry to keep in step.
    """
    entry = _lock(entry, Entry.Status.SUBMITTED, Entry.Status.PUBLISHED)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Cannot edit {', '.join(sorted(unknown))}")
    if project is not None and not project.is_published:
        raise LearningError("Choose one of the published projects, or none.")
    previous = {field: getattr(entry, field) for field in Finding.Field.values}
    for field, value in changes.items():
        setattr(entry, field, value if field == "step" else (value or ""))
    entry.project = project
    if entry.is_published:
        entry.status = Entry.Status.SUBMITTED
        taken_down = "Taken off the guide to correct it; it must be published again."
        note = f"{taken_down}\n\n{note}" if note else taken_down
    entry.save()
    rescan(entry, previous=previous)
    _record(entry, ModerationEvent.Action.EDITED, by=by, note=note)
    return entry


def _redacted(entry: Entry, findings, field: str) -> str:
    hidden = [f.as_scanner_finding() for f in findings if f.field == field and f.hides_text]
    return anonymiser.redact(getattr(entry, field), hidden)


def _end_moderation(entry: Entry, status: str, now) -> None:
    """Keep only the redacted words and forget the contact address. The link to a signed-in
    person's account stays, for their own "Things you shared" list (see models.py)."""
    findings = list(entry.findings.all())
    entry.title = Truncator(_redacted(entry, findings, Finding.Field.TITLE)).chars(
        TITLE_COLUMN_LENGTH
    )
    entry.text = _redacted(entry, findings, Finding.Field.TEXT)
    entry.contact_email = ""
    entry.status = status
    entry.decided_at = now
    entry.findings.all().delete()  # they quote the original words


def undecided_findings_message(count: int) -> str:
    return (
        "Check every possible piece of personal data before publishing. "
        f"{count} still need{'s' if count == 1 else ''} a decision."
    )


@transaction.atomic
def publish_entry(entry: Entry, *, by, note="") -> Entry:
    """Publish the redacted entry. Every finding must have been checked first."""
    entry = _lock(entry, Entry.Status.SUBMITTED)
    pending = entry.findings.filter(resolution=Finding.Resolution.PENDING).count()
    if pending:
        raise LearningError(undecided_findings_message(pending))
    now = timezone.now()
    # Told only the first time: publishing a corrected entry again is not news to them.
    first_time = not entry.events.filter(action=ModerationEvent.Action.PUBLISHED).exists()
    address = entry.contact_email
    _end_moderation(entry, Entry.Status.PUBLISHED, now)
    entry.published_at = now
    # A new slug each time: a correction may have taken a name out of the title, and the
    # old address must not keep it. The old address still finds the entry (by its id).
    entry.slug = f"{slugify(entry.title)[:80].strip('-') or 'entry'}-{entry.pk}"
    entry.save()
    event = _record(entry, ModerationEvent.Action.PUBLISHED, by=by, note=note)
    if first_time:
        _tell_author(
            entry,
            "guide_entry_published",
            event,
            {"title": entry.title, "entry_url": entry.get_absolute_url()},
            address=address,
        )
    return entry


@transaction.atomic
def return_entry(entry: Entry, *, by, note: str) -> Entry:
    """Send the entry back to the person who shared it, with a note saying why.

    The text is deleted here: the person is asked to share it again with changes. So that
    they need not type it all again, the message to them carries what they wrote. To a
    signed-in person's account it is their words as they wrote them. An address left on the
    form was never checked, and a mistyped one would send names and phone numbers about
    other people to a stranger, so it gets the words with personal data hidden instead.
    The title (with personal data hidden) stays so the moderation trail says what was
    returned.

    The message is written to the outbox in this transaction and sent after it commits, so
    a slow or failing mail server neither holds the row lock nor loses the message.
    """
    entry = _lock(entry, Entry.Status.SUBMITTED)
    if not entry.can_reach_author:
        raise LearningError(
            "The person who shared this did not leave an email address and was not signed in."
        )
    if not note.strip():
        raise LearningError("Write a note saying why it is being returned.")
    original = {"title": entry.title, "text": entry.text, "contact_email": entry.contact_email}
    _end_moderation(entry, Entry.Status.RETURNED, timezone.now())
    if entry.submitted_by is None:
        original.update(title=entry.title, text=entry.text)  # with personal data hidden
    entry.text = ""
    entry.save()
    event = _record(entry, ModerationEvent.Action.RETURNED, by=by, note=note)
    _tell_author(
        entry,
        "guide_entry_returned",
        event,
        {
            "title": original["title"],
            "text": original["text"],
            "details_hidden": entry.submitted_by is None,
            "note": note,
            "share_url": settings.SITE_URL + reverse("learning:share"),
        },
        address=original["contact_email"],
    )
    return entry


@transaction.atomic
def reject_entry(entry: Entry, *, by, note="", reason="") -> Entry:
    """Decide not to publish. `note` is for moderators only and is never sent; `reason`,
    if given, is for the person who shared it and is sent to them (and kept in the trail).
    """
    entry = _lock(entry, Entry.Status.SUBMITTED)
    address = entry.contact_email
    _end_moderation(entry, Entry.Status.REJECTED, timezone.now())
    entry.save()
    reason = reason.strip()
    trail_note = note
    if reason:
        told = f"Told the person who shared it: {reason}"
        trail_note = f"{note}\n\n{told}" if note else told
    event = _record(entry, ModerationEvent.Action.REJECTED, by=by, note=trail_note)
    if entry.published_at is None:  # an entry taken back to correct was never theirs to lose
        _tell_author(
            entry,
            "guide_entry_rejected",
            event,
            {"title": entry.title, "reason": reason},
            address=address,
        )
    return entry


DECISIONS = {"publish": publish_entry, "return": return_entry, "reject": reject_entry}


@transaction.atomic
def decide(entry: Entry, *, by, decision: str, note="", reason="", resolutions=None) -> Entry:
    """The moderation page's one button: save the choices made about findings, then make
    the decision, all or nothing. If the decision cannot be made (a finding still needs a
    choice, say), the choices are not saved either: the page shows them again as they were
    chosen, so nothing is lost and nothing is half-saved."""
    if resolutions:
        resolve_findings(entry, by=by, resolutions=resolutions)
    extra = {"reason": reason} if decision == "reject" else {}
    return DECISIONS[decision](entry, by=by, note=note, **extra)


@transaction.atomic
def withdraw_entry(entry: Entry, *, by, note: str) -> Entry:
    """Take a published entry down for good. Its page stops working at once.

    Withdrawing cannot be undone, so nothing needs the text any more, and an entry is often
    withdrawn because its words still identify someone: the text is deleted now. The
    redacted title stays, with the note, as the record of what was taken down. To fix an
    entry rather than remove it, moderators correct it instead (`edit_entry`).
    """
    entry = _lock(entry, Entry.Status.PUBLISHED)
    if not note.strip():
        raise LearningError("Write a note saying why it is being withdrawn.")
    entry.status = Entry.Status.WITHDRAWN
    entry.text = ""
    entry.withdrawn_at = timezone.now()
    entry.save()
    _record(entry, ModerationEvent.Action.WITHDRAWN, by=by, note=note)
    return entry


@transaction.atomic
def delete_entry(entry: Entry, *, by, note="") -> None:
    """Delete an entry outright (an admin acting on a request to erase data, say). Its
    trail stays, detached, with one more event saying who deleted it: no words are kept."""
    _record(entry, ModerationEvent.Action.DELETED, by=by, note=note)
    entry.delete()
