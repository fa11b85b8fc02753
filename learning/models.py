"""The practice guide: entries people share, what the scanner found in them, and the
moderation trail.

An entry's `title` and `text` hold what the submitter wrote until moderation ends. Then
they are replaced by the redacted version, and the contact address and the findings (which
quote the original) are deleted, so the original is gone. A returned or withdrawn entry
keeps no text at all, only its redacted title. All writes go through `learning.services`.

The link to a signed-in submitter's account (`submitted_by`) is kept after the decision,
so they can see what became of what they shared ("Things you shared") and hear about it.
It is never shown to the public or to moderators, and is removed if they delete their
account.
"""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.urls import reverse
from django.utils import timezone

from coprod_hub.lib.working_days import working_days_between
from projects.ladder import Level, Principle, Step

from . import anonymiser
from .querysets import EntryQuerySet
from .working_days import moderation_cutoff

MAX_TEXT_LENGTH = 20_000
MAX_TITLE_LENGTH = 150
# Labels such as "[phone number]" can be longer than what they replace, so the column has
# room for a title of the longest allowed length with its personal data hidden.
TITLE_COLUMN_LENGTH = 300
REFERENCE_PREFIX = "PG-"


def reference_for(pk) -> str:
    return f"{REFERENCE_PREFIX}{pk}"


class Topic(models.TextChoices):
    """What an entry is about. A short fixed list, so filters stay useful."""

    MEETINGS = "meetings", "Meetings and events"
    ACCESSIBILITY = "accessibility", "Access and reasonable adjustments"
    PAYMENT = "payment", "Paying people and expenses"
    HONEST_STEP = "honest_step", "Being honest about how much say people have"
    WTFC = "wtfc", "Working Together for Change"
    REACHING_PEOPLE = "reaching_people", "Reaching people who are seldom heard"
    COMMUNICATION = "communication", "Communication and information"
    FEEDBACK_LOOP = "feedback_loop", "Telling people what changed"
    RECRUITMENT = "recruitment", "Recruitment and interview panels"
    EVALUATION = "evaluation", "Checking what worked"


class Entry(models.Model):
    class Kind(models.TextChoices):
        LESSON = "lesson", "Lesson learned"
        GOOD_PRACTICE = "good_practice", "Good practice"
        FEEDBACK = "feedback", "Feedback"
        HOW_TO = "how_to", "How-to guide"

    class Outcome(models.TextChoices):
        WENT_WELL = "went_well", "It went well"
        NOT_WELL = "not_well", "It did not go well"
        MIXED = "mixed", "Some things went well, some did not"
        NOT_APPLICABLE = "not_applicable", "Does not apply"

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Awaiting moderation"
        PUBLISHED = "published", "Published"
        RETURNED = "returned", "Returned to the sender"
        REJECTED = "rejected", "Rejected"
        WITHDRAWN = "withdrawn", "Withdrawn"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=TITLE_COLUMN_LENGTH)
    text = models.TextField()
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    level = models.CharField(max_length=20, choices=Level.choices, blank=True)
    step = models.PositiveSmallIntegerField(choices=Step.choices, null=True, blank=True)
    principle = models.CharField(max_length=20, choices=Principle.choices, blank=True)
    topic = models.CharField(max_length=20, choices=Topic.choices, blank=True)
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="guide_entries",
    )

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    # Set when published: "<words from the title>-<id>", unique by construction.
    slug = models.SlugField(max_length=100, unique=True, null=True, blank=True)

    # Kept only while the entry is being moderated; cleared when a decision is made.
    contact_email = models.EmailField(blank=True)
    # Kept after the decision for the person's own list; never shown to anyone else.
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    submitted_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Kept up to date by a database trigger on PostgreSQL (migration 0002); unused on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)

    objects = EntryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "entries"
        ordering = ["-published_at", "-submitted_at", "-id"]
        indexes = [
            # The public guide lists published entries newest first.
            models.Index(fields=["status", "-published_at"], name="entry_published_idx"),
            # The moderation queue (oldest first) and the overdue reminder.
            models.Index(fields=["status", "submitted_at"], name="entry_queue_idx"),
            # Project pages list the published entries about them.
            models.Index(fields=["project", "status"], name="entry_project_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(step__isnull=True) | models.Q(step__gte=1, step__lte=7),
                name="entry_step_on_ladder",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="published") | models.Q(slug__isnull=False),
                name="entry_published_has_slug",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        """The public page once published. Anything else has no public address, so this is
        its moderation page (moderators only), never "/guide/None/"."""
        if self.is_published and self.slug:
            return reverse("learning:detail", args=[self.slug])
        return self.get_moderation_url()

    def get_moderation_url(self):
        return reverse("learning:moderate", args=[self.pk])

    @property
    def reference(self) -> str:
        """What people quote to us about an entry ("PG-42"): on the thank-you page, in
        messages about it and in the moderation trail, which outlives the entry."""
        return reference_for(self.pk)

    @property
    def is_awaiting_moderation(self) -> bool:
        return self.status == self.Status.SUBMITTED

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def is_returned(self) -> bool:
        """Returned entries keep no text: the sender was asked to share it again."""
        return self.status == self.Status.RETURNED

    @property
    def is_withdrawn(self) -> bool:
        return self.status == self.Status.WITHDRAWN

    @property
    def can_reach_author(self) -> bool:
        """We can tell the person what happened: they left an address or were signed in."""
        return bool(self.contact_email) or self.submitted_by_id is not None

    @property
    def can_be_returned(self) -> bool:
        """A note can go back only to someone we can reach, and only before it was ever
        published: an entry taken back to correct is the guide's to fix, not theirs."""
        return self.is_awaiting_moderation and self.can_reach_author and self.published_at is None

    @property
    def status_for_author(self) -> str:
        """The state in the words of the person who shared it ("Things you shared")."""
        return STATUS_FOR_AUTHOR[self.status]

    def working_days_waiting(self, now=None) -> int:
        end = self.decided_at or now or timezone.now()
        return working_days_between(self.submitted_at, end)

    def is_overdue(self, now=None) -> bool:
        now = now or timezone.now()
        return self.is_awaiting_moderation and self.submitted_at < moderation_cutoff(now)

    @property
    def shows_outcome(self) -> bool:
        return self.outcome != self.Outcome.NOT_APPLICABLE

    @property
    def outcome_tag_class(self) -> str:
        return OUTCOME_TAG_CLASSES.get(self.outcome, "govuk-tag--grey")

    @property
    def status_tag_class(self) -> str:
        return STATUS_TAG_CLASSES[self.status]

    def title_with_findings_hidden(self) -> str:
        """The title as it would be published, for lists (uses prefetched findings)."""
        hidden = [
            f.as_scanner_finding()
            for f in self.findings.all()
            if f.field == Finding.Field.TITLE and f.hides_text
        ]
        return anonymiser.redact(self.title, hidden)

    @property
    def tags(self) -> list[dict]:
        """Every tag set: its name, its label, and the /guide/ filter that finds the rest."""
        tags = []
        for name, param in (
            ("Level", "level"),
            ("Step", "step"),
            ("Principle", "principle"),
            ("Topic", "topic"),
        ):
            value = getattr(self, param)
            if value:
                label = getattr(self, f"get_{param}_display")()
                tags.append({"name": name, "label": label, "param": param, "value": value})
        return tags


OUTCOME_TAG_CLASSES = {
    Entry.Outcome.WENT_WELL: "govuk-tag--green",
    Entry.Outcome.NOT_WELL: "govuk-tag--red",
    Entry.Outcome.MIXED: "govuk-tag--yellow",
}
STATUS_FOR_AUTHOR = {
    Entry.Status.SUBMITTED: "Waiting to be checked",
    Entry.Status.PUBLISHED: "Published",
    Entry.Status.RETURNED: "Sent back to you",
    Entry.Status.REJECTED: "Not published",
    Entry.Status.WITHDRAWN: "Taken off the guide",
}
STATUS_TAG_CLASSES = {
    Entry.Status.SUBMITTED: "govuk-tag--blue",
    Entry.Status.PUBLISHED: "govuk-tag--green",
    Entry.Status.RETURNED: "govuk-tag--yellow",
    Entry.Status.REJECTED: "govuk-tag--red",
    Entry.Status.WITHDRAWN: "govuk-tag--grey",
}


class Finding(models.Model):
    """One piece of possible personal data the scanner found in an entry's title or text.

    `snippet` quotes the original, so findings are deleted when moderation ends.
    """

    class Field(models.TextChoices):
        TITLE = "title", "Title"
        TEXT = "text", "Text"

    class Resolution(models.TextChoices):
        PENDING = "pending", "Not checked yet"
        REDACT = "redact", "Keep it hidden"
        NOT_PERSONAL = "not_personal", "Not personal data"

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="findings")
    field = models.CharField(max_length=10, choices=Field.choices)
    kind = models.CharField(max_length=20, choices=[(k, k) for k in anonymiser.KINDS])
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    snippet = models.TextField()
    resolution = models.CharField(
        max_length=20, choices=Resolution.choices, default=Resolution.PENDING
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # Title first, then the text, in reading order: the order the moderator checks them.
        ordering = ["-field", "start", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="finding_span"
            )
        ]

    def __str__(self):
        return f"{self.kind_label} in the {self.get_field_display().lower()}"

    @property
    def label(self) -> str:
        """What the public sees in its place: "[name]", "[phone number]"."""
        return anonymiser.KIND_LABELS[self.kind]

    @property
    def kind_label(self) -> str:
        # Only the first letter is raised: capitalize() lowered the rest ("Nhs number").
        words = self.label.strip("[]")
        return words[:1].upper() + words[1:]

    @property
    def is_pending(self) -> bool:
        return self.resolution == self.Resolution.PENDING

    @property
    def hides_text(self) -> bool:
        """Pending findings are hidden too, until a moderator says they are not personal."""
        return self.resolution != self.Resolution.NOT_PERSONAL

    def as_scanner_finding(self) -> anonymiser.Finding:
        return anonymiser.Finding(self.kind, self.start, self.end)


class ModerationEvent(models.Model):
    """The audit trail of one entry: every submission, edit and decision. Only ever added to.

    A submission is recorded without a person, so the trail never says who wrote an entry.
    When an admin deletes an entry (for example to act on a request to erase data) its
    events stay, detached from it but with its reference, and a "deleted" event says who
    deleted it and when: the record of decisions outlives the words, which are gone.
    """

    class Action(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        RESOLVED = "resolved", "Checked possible personal data"
        EDITED = "edited", "Edited"
        PUBLISHED = "published", "Published"
        RETURNED = "returned", "Returned with a note"
        REJECTED = "rejected", "Rejected"
        WITHDRAWN = "withdrawn", "Withdrawn"
        DELETED = "deleted", "Deleted"

    entry = models.ForeignKey(
        Entry, on_delete=models.SET_NULL, null=True, blank=True, related_name="events"
    )
    # The entry's reference, kept when the entry itself is deleted.
    entry_reference = models.CharField(max_length=20, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [
            # The trail on a moderation page reads one entry's events in order.
            models.Index(fields=["entry", "at", "id"], name="moderationevent_trail_idx"),
        ]

    def __str__(self):
        return f"{self.get_action_display()} on {timezone.localtime(self.at):%d %b %Y %H:%M}"
