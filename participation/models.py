from django.conf import settings
from django.db import models
from django.urls import reverse

from projects.ladder import Level, Step


class Venue(models.Model):
    """A reusable place, with the access facts people need before they decide to come."""

    name = models.CharField(max_length=200)
    address = models.TextField()
    postcode = models.CharField(max_length=10, blank=True)
    area = models.CharField(max_length=100, blank=True, help_text="Town or district.")
    step_free = models.BooleanField("step-free access", default=False)
    ground_floor_or_lift = models.BooleanField("ground floor or lift", default=False)
    accessible_toilet = models.BooleanField(default=False)
    hearing_loop = models.BooleanField(default=False)
    quiet_room = models.BooleanField(default=False)
    parking = models.BooleanField(default=False)
    near_public_transport = models.BooleanField(default=False)
    access_notes = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Opportunity(models.Model):
    class Kind(models.TextChoices):
        MEETING = "meeting", "Meeting"
        WORKSHOP = "workshop", "Workshop"
        PANEL = "panel", "Panel"
        FOCUS_GROUP = "focus_group", "Focus group"
        SURVEY = "survey", "Survey"
        INTERVIEW = "interview", "Interview"
        DROP_IN = "drop_in", "Drop-in or 'over a brew'"
        RECRUITMENT_PANEL = "recruitment_panel", "Recruitment panel"
        READING_GROUP = "reading_group", "Reading group"
        OTHER = "other", "Other"

    class Format(models.TextChoices):
        IN_PERSON = "in_person", "In person"
        ONLINE = "online", "Online"
        PHONE = "phone", "By phone"
        HYBRID = "hybrid", "In person or online"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        CLOSED = "closed", "Closed"
        CANCELLED = "cancelled", "Cancelled"

    class FeeBasis(models.TextChoices):
        """How the fee is worked out; the amounts come from the payment policy."""

        NONE = "none", "No fee"
        PER_HOUR = "per_hour", "Per hour"
        HALF_DAY = "half_day", "Half day"
        FULL_DAY = "full_day", "Full day"
        PER_ACTIVITY = "per_activity", "Per activity"

    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="opportunities",
    )
    title = models.CharField(max_length=200)
    description = models.TextField(help_text="Plain English: what will happen and why it matters.")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    # Standalone opportunities carry their own level and step; otherwise the project's win.
    level = models.CharField(max_length=20, choices=Level.choices, blank=True)
    step = models.PositiveSmallIntegerField(choices=Step.choices, null=True, blank=True)
    format = models.CharField(max_length=20, choices=Format.choices)
    venue = models.ForeignKey(
        Venue, on_delete=models.PROTECT, null=True, blank=True, related_name="opportunities"
    )
    online_details = models.TextField(
        blank=True, help_text="How to join online or by phone. Shown only to people signed up."
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    capacity = models.PositiveIntegerField("places")
    signup_deadline = models.DateTimeField(null=True, blank=True)
    offer_window_hours = models.PositiveSmallIntegerField(
        default=48, help_text="How long a freed place is held for the next person waiting."
    )
    fee_basis = models.CharField(max_length=20, choices=FeeBasis.choices, default=FeeBasis.NONE)
    pays_expenses = models.BooleanField(default=True)
    refreshments = models.BooleanField(default=False)
    travel_arranged = models.BooleanField(default=False)
    who_for = models.TextField("who it is for", blank=True)
    contact_name = models.CharField(max_length=150, blank=True)
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name_plural = "opportunities"
        indexes = [
            # The directory lists published opportunities from now on, by date.
            models.Index(fields=["status", "starts_at"], name="opportunity_directory_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gte=models.F("starts_at")),
                name="opportunity_ends_after_start",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("participation:detail", args=[self.pk])

    @property
    def is_paid(self) -> bool:
        return self.fee_basis != self.FeeBasis.NONE

    @property
    def effective_level(self) -> str:
        return self.project.level if self.project_id else self.level

    @property
    def effective_step(self) -> Step | None:
        """The honest step people see: the project's public step, or the opportunity's own."""
        if self.project_id:
            return self.project.public_step
        return Step(self.step) if self.step else None


class SignUp(models.Model):
    """A resident's place (or place in the queue) on one opportunity.

    One row per person per opportunity: signing up twice finds the same row; cancelling and
    signing up again re-uses it.
    """

    class Status(models.TextChoices):
        BOOKED = "booked", "Booked"
        WAITING = "waiting", "On the waiting list"
        OFFERED = "offered", "Offered a place"
        CANCELLED = "cancelled", "Cancelled"

    class Attendance(models.TextChoices):
        UNKNOWN = "", "Not recorded"
        ATTENDED = "attended", "Attended"
        APOLOGIES = "apologies", "Sent apologies"
        NO_SHOW = "no_show", "Did not attend"

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="signups")
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="signups"
    )
    status = models.CharField(max_length=20, choices=Status.choices)
    waiting_since = models.DateTimeField(null=True, blank=True)
    offer_expires_at = models.DateTimeField(null=True, blank=True)
    access_needs_note = models.TextField(
        blank=True, help_text="Anything extra the person needs for this session only."
    )
    signed_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Set when staff signed the person up on their behalf.",
    )
    attendance = models.CharField(
        max_length=20, choices=Attendance.choices, default=Attendance.UNKNOWN, blank=True
    )
    attendance_recorded_at = models.DateTimeField(null=True, blank=True)
    attendance_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["opportunity", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["opportunity", "resident"], name="one_signup_per_person_per_opportunity"
            ),
        ]
        indexes = [
            # Counting booked places and ordering the waiting list for one opportunity.
            models.Index(
                fields=["opportunity", "status", "waiting_since"], name="signup_queue_idx"
            ),
            # "/my/": a resident's own sign-ups.
            models.Index(fields=["resident", "status"], name="signup_resident_idx"),
        ]

    def __str__(self):
        return f"{self.resident} – {self.opportunity} ({self.get_status_display()})"
