from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from .ladder import (
    EVIDENCE_QUESTIONS,
    LEVEL_DESCRIPTIONS,
    STEP_DESCRIPTIONS,
    STEP_GROUPS,
    WTFC_DESCRIPTIONS,
    ActivityType,
    EvidenceError,
    Level,
    Principle,
    Step,
    WtfcStage,
    labels_of,
    matching_rule,
)
from .querysets import ProjectQuerySet, UpdateQuerySet

# Paths under /projects/ that are pages, not projects. A project can never take these slugs.
RESERVED_SLUGS = frozenset({"new", "manage", "ladder", "how-we-decide-the-step"})


class ServiceArea(models.Model):
    """Reference data kept by admins, e.g. "Carers", "Learning disability"."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Project(models.Model):
    class Status(models.TextChoices):
        PLANNING = "planning", "Planning"
        ACTIVE = "active", "Active"
        CLOSED = "closed", "Closed"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    summary = models.TextField(help_text="Plain English: what the project is for and why.")
    service_area = models.ForeignKey(ServiceArea, on_delete=models.PROTECT, related_name="projects")
    level = models.CharField(max_length=20, choices=Level.choices)
    activity_types = models.JSONField(default=list, blank=True)  # ActivityType values
    principles = models.JSONField(default=list, blank=True)  # Principle values
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_projects"
    )
    team = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="team_projects"
    )
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNING)
    is_published = models.BooleanField(
        default=False, help_text="Published projects are visible to the public."
    )
    # Never unset: once a project has been public, links to it are out in emails, feeds and
    # bookmarks, even if it is unpublished again for a while.
    has_been_published = models.BooleanField(default=False, editable=False)
    wtfc_stage = models.CharField(
        "Working Together for Change stage", max_length=20, choices=WtfcStage.choices, blank=True
    )
    budget_pence = models.PositiveBigIntegerField(null=True, blank=True)
    contact_name = models.CharField(max_length=150, blank=True)
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)

    # The honest step. Staff claim a step; the evidence answers derive the step they support.
    # The public sees the lower of the two (see `public_step`). Both are null until recorded.
    claimed_step = models.PositiveSmallIntegerField(choices=Step.choices, null=True, blank=True)
    evidenced_step = models.PositiveSmallIntegerField(choices=Step.choices, null=True, blank=True)
    step_evidence = models.JSONField(default=dict, blank=True)
    not_coproduction_reason = models.TextField("Why this is not co-production", blank=True)
    step_recorded_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        indexes = [
            # The public list filters published projects by level and status.
            models.Index(fields=["is_published", "level", "status"], name="project_public_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(start_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="project_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(claimed_step__isnull=True)
                | models.Q(claimed_step__gte=1, claimed_step__lte=7),
                name="project_claimed_step_on_ladder",
            ),
            models.CheckConstraint(
                condition=models.Q(evidenced_step__isnull=True)
                | models.Q(evidenced_step__gte=1, evidenced_step__lte=7),
                name="project_evidenced_step_on_ladder",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("projects:detail", args=[self.slug])

    @property
    def web_address_is_fixed(self) -> bool:
        """A project that is or has been published keeps its web address, so links to it keep
        working. (`is_published` too: demo data and tests make published projects directly.)"""
        return self.is_published or self.has_been_published

    @property
    def public_step(self) -> Step | None:
        """What the public sees: never higher than the evidence supports."""
        steps = [s for s in (self.claimed_step, self.evidenced_step) if s is not None]
        return Step(min(steps)) if steps else None

    @property
    def is_inflated(self) -> bool:
        return (
            self.claimed_step is not None
            and self.evidenced_step is not None
            and self.claimed_step > self.evidenced_step
        )

    @property
    def step_group(self):
        step = self.public_step
        return STEP_GROUPS[step] if step else None

    @property
    def public_step_description(self) -> str:
        step = self.public_step
        return STEP_DESCRIPTIONS[step] if step else ""

    @property
    def level_description(self) -> str:
        """What the level means, for people who do not know the word "Strategic"."""
        return LEVEL_DESCRIPTIONS.get(self.level, "")

    @property
    def wtfc_stage_in_words(self) -> str:
        """ "Stage 6 of 8: Plan. Plan the changes together." ("" when it follows none)."""
        if not self.wtfc_stage:
            return ""
        stages = list(WtfcStage)
        stage = WtfcStage(self.wtfc_stage)
        name = stage.label.split(". ", 1)[1]
        return (
            f"Stage {stages.index(stage) + 1} of {len(stages)}: {name}. {WTFC_DESCRIPTIONS[stage]}"
        )

    @property
    def has_step(self) -> bool:
        return self.public_step is not None

    @property
    def is_closed(self) -> bool:
        """Closed projects take no new sessions (participation.services)."""
        return self.status == self.Status.CLOSED

    @property
    def has_contact(self) -> bool:
        """Whether the public page can say who to contact: an email address or a phone
        number. A name alone reaches nobody."""
        return bool(self.contact_email.strip() or self.contact_phone.strip())

    @property
    def is_coproduction(self) -> bool:
        return self.public_step == Step.CO_PRODUCTION

    @property
    def is_active_past_end_date(self) -> bool:
        """Still "active" after the end date it gives: the dates or the status want updating."""
        return (
            self.status == self.Status.ACTIVE
            and self.end_date is not None
            and self.end_date < timezone.localdate()
        )

    @property
    def activity_types_are_public(self) -> bool:
        """Co-design, co-decision, co-delivery and co-evaluation name shared power: shown to
        the public only from the co-design step up, or the page would claim more say than
        the honest step it shows (staff still see them)."""
        return self.public_step is not None and self.public_step >= Step.CO_DESIGN

    @property
    def activity_type_labels(self) -> list[str]:
        return labels_of(ActivityType, self.activity_types)

    @property
    def principle_labels(self) -> list[str]:
        return labels_of(Principle, self.principles)

    @property
    def step_rule(self):
        """The row of the "How we decide the step" table the recorded evidence matched."""
        if not self.step_evidence:
            return None
        try:
            return matching_rule(self.step_evidence)
        except EvidenceError:
            return None

    @property
    def evidence_answers(self) -> list[tuple[str, str]]:
        """The recorded answers as (question, answer) for staff to read."""
        return [
            (question.text, question.answer_label(self.step_evidence[question.name]))
            for question in EVIDENCE_QUESTIONS
            if question.name in self.step_evidence
        ]


class StepChange(models.Model):
    """One entry in a project's step history. Rows are only ever added, never changed."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="step_changes")
    from_claimed = models.PositiveSmallIntegerField(choices=Step.choices, null=True)
    from_evidenced = models.PositiveSmallIntegerField(choices=Step.choices, null=True)
    to_claimed = models.PositiveSmallIntegerField(choices=Step.choices)
    to_evidenced = models.PositiveSmallIntegerField(choices=Step.choices)
    evidence = models.JSONField(default=dict)
    # Why the project is not co-production, as the public saw it from this change on.
    reason = models.TextField(blank=True)
    # What changed since the step was last recorded, in the words of whoever recorded it: the
    # "why" of a move that `reason` cannot give (a move up to co-production has no reason).
    # db_default: a server still running the release before this one can go on saving steps
    # while this one starts.
    note = models.TextField("What changed", blank=True, db_default="")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["changed_at", "id"]
        indexes = [
            # The timeline on a project page reads one project's entries in order.
            models.Index(fields=["project", "changed_at", "id"], name="stepchange_timeline_idx"),
        ]

    def __str__(self):
        return f"{self.project}: {self.get_to_claimed_display()} on {self.changed_at:%d %b %Y}"

    @property
    def direction(self) -> str:
        """first, up, down or same: how the public step moved."""
        before, after = self.from_public, self.to_public
        if before is None:
            return "first"
        if after > before:
            return "up"
        if after < before:
            return "down"
        return "same"

    @property
    def to_inflated(self) -> bool:
        return self.to_claimed > self.to_evidenced

    @property
    def claim_changed(self) -> bool:
        """Whether staff changed the step they claim in a way the public step does not show:
        a claim brought down to match the evidence leaves the public step where it was. (When
        the claim matched the public step before and after, the heading already says it.)"""
        if self.from_claimed is None or self.from_claimed == self.to_claimed:
            return False
        return self.from_claimed != self.from_public or self.to_claimed != self.to_public

    @property
    def to_public(self) -> Step:
        return Step(min(self.to_claimed, self.to_evidenced))

    @property
    def from_public(self) -> Step | None:
        steps = [s for s in (self.from_claimed, self.from_evidenced) if s is not None]
        return Step(min(steps)) if steps else None


class Update(models.Model):
    """A "we said, we did" update: what people said, what the council did, what happens next.

    Most are about a project (`projects.services.post_update`). One about sessions standing
    alone, with no project, has no project and at least one of those sessions in
    `opportunities` (`projects.services.post_session_update`, where that rule is kept).
    """

    # Null for an update about sessions standing alone: see `about`.
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, null=True, blank=True, related_name="updates"
    )
    said = models.TextField("What people said")
    did = models.TextField("What we did")
    next_steps = models.TextField("What happens next", blank=True)
    # Optional: the whole update in easy read. Shown beside it on public pages, and what people
    # who asked for easy read get by email instead of the three parts above.
    easy_read = models.TextField("Easy read version", blank=True)
    opportunities = models.ManyToManyField(
        "participation.Opportunity", blank=True, related_name="updates"
    )
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    posted_at = models.DateTimeField(default=timezone.now)
    # Set when the words are put right after posting (`projects.services.correct_update`):
    # the page says so, as people were already sent the words as they first were.
    corrected_at = models.DateTimeField(null=True, blank=True)
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = UpdateQuerySet.as_manager()

    class Meta:
        ordering = ["-posted_at", "-id"]
        indexes = [
            # The hub-wide feed /updates/ lists the newest first.
            models.Index(fields=["-posted_at", "-id"], name="update_feed_idx"),
            # A project page's updates, and the "latest update" flag on the staff overview.
            models.Index(fields=["project", "-posted_at"], name="update_project_idx"),
        ]

    def __str__(self):
        return f"{self.about}: update of {timezone.localtime(self.posted_at):%d %b %Y}"

    def get_absolute_url(self):
        return reverse("projects:update", args=[self.pk])

    @property
    def about(self):
        """What the update is about, for headings, links and messages: its project, or for an
        update about sessions standing alone, the first of them (a title and a page each).
        Reads the sessions through `all()`, so a prefetch (`for_display`) is used."""
        if self.project_id:
            return self.project
        sessions = sorted(self.opportunities.all(), key=lambda session: session.starts_at)
        return sessions[0] if sessions else None

    @property
    def is_about_a_project(self) -> bool:
        return self.project_id is not None

    def correction_url(self) -> str:
        """Where its team puts it right: a project's update through the project's pages."""
        if self.project_id:
            return reverse("projects:update_correct", args=[self.project.slug, self.pk])
        return reverse("projects:update_correct_any", args=[self.pk])
