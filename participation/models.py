import secrets
from datetime import time, timedelta

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property

from coprod_hub.lib.working_days import at_time_on_next_working_day
from projects.ladder import STEP_IN_PLAIN_WORDS, Level, Step, labels_of

from .querysets import OpportunityQuerySet, SignUpQuerySet

# A freed place is never held for someone past this point before the start, so the next
# person still has time to say yes; and an offer always gets at least MIN_OFFER_WINDOW.
OFFER_CUTOFF_BEFORE_START = timedelta(hours=3)
MIN_OFFER_WINDOW = timedelta(hours=1)
# Offers to people on the staff call list last until at least this time on the next working
# day: time for staff to phone them in the morning.
CALL_LIST_OFFER_UNTIL = time(12)


def _noon_next_working_day(now):
    """CALL_LIST_OFFER_UNTIL on the first working day after `now`'s local day: not a weekend,
    a bank holiday or one of the council's closure days (coprod_hub/lib/working_days.py)."""
    return at_time_on_next_working_day(now, CALL_LIST_OFFER_UNTIL)


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

    # (field name, label) in the order people read them; the directory filters use it too.
    ACCESS_FACTS = [
        ("step_free", "Step-free access"),
        ("ground_floor_or_lift", "Ground floor or lift"),
        ("accessible_toilet", "Accessible toilet"),
        ("hearing_loop", "Hearing loop"),
        ("quiet_room", "Quiet room"),
        ("parking", "Parking"),
        ("near_public_transport", "Near public transport"),
    ]

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def access_facts(self) -> list[tuple[str, bool]]:
        """Every fact with yes or no, so people see what is missing as well as what is there."""
        return [(label, getattr(self, name)) for name, label in self.ACCESS_FACTS]

    @property
    def access_summary(self) -> str:
        """What the venue has, in one line for staff's list of venues."""
        return (
            "; ".join(label for label, has_it in self.access_facts() if has_it) or "None recorded"
        )


class Opportunity(models.Model):
    class Kind(models.TextChoices):
        MEETING = "meeting", "Meeting"
        WORKSHOP = "workshop", "Workshop"
        PANEL = "panel", "Panel"
        FOCUS_GROUP = "focus_group", "Focus group"
        SURVEY = "survey", "Survey"
        INTERVIEW = "interview", "Interview"
        DROP_IN = "drop_in", "Informal drop-in"
        RECRUITMENT_PANEL = "recruitment_panel", "Recruitment panel"
        READING_GROUP = "reading_group", "Reading group"
        OTHER = "other", "Other"

    class Format(models.TextChoices):
        IN_PERSON = "in_person", "In person"
        ONLINE = "online", "Online"
        PHONE = "phone", "By phone"
        HYBRID = "hybrid", "In person or online"

    # The directory's search finds a session by its kind's and its format's labels, and by
    # these words people also use for a format: "hybrid" is what most say for a session they
    # can join either way. On PostgreSQL the search trigger holds a copy of the labels and
    # these words (migration 0018 wrote it, and a choice added or relabelled needs a migration
    # that writes it again); tests/participation/test_directory_search_words.py fails until
    # every choice is found by its words.
    FORMAT_SEARCH_WORDS = {
        Format.IN_PERSON: "face to face",
        Format.PHONE: "telephone",
        Format.HYBRID: "hybrid",
    }

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        CLOSED = "closed", "Closed"
        CANCELLED = "cancelled", "Cancelled"

    # Published or closed: the session is happening. Closing only stops new sign-ups, so the
    # people who have places still hear about changes, get reminders and are offered places.
    GOING_AHEAD = (Status.PUBLISHED, Status.CLOSED)

    # An opportunity on its own can claim up to engagement. Co-design and co-production are
    # about who decides, over time: a project records that step and checks it against
    # evidence, so an opportunity gets those steps only from its project.
    HIGHEST_STEP_ON_ITS_OWN = Step.ENGAGEMENT

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
    topic = models.ForeignKey(
        "projects.ServiceArea",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="opportunities",
        help_text="What it is about. Taken from the project when left empty.",
    )
    # Standalone opportunities carry their own level and step; otherwise the project's win.
    level = models.CharField(max_length=20, choices=Level.choices, blank=True)
    step = models.PositiveSmallIntegerField(choices=Step.choices, null=True, blank=True)
    # Standing alone it is at most engagement (HIGHEST_STEP_ON_ITS_OWN), never co-production:
    # people are told why, as a project below co-production tells them.
    not_coproduction_reason = models.TextField("Why this is not co-production", blank=True)
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
    # Kept under its first name: for a session standing alone it now means who runs it (it
    # starts as whoever made it, and is handed over on the opportunity form). A session in a
    # project is run by the project's owner and team, and this is only who added it.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="who runs it",
        help_text=(
            "For a session with no project: the member of staff who runs it (sees the access "
            "needs of the people booked, takes the register, gets its reminders). For a "
            "session in a project: who added it; the project's owner and team run it."
        ),
    )
    published_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancellation_reason = models.TextField(blank=True)
    # Kept up to date by database triggers on PostgreSQL (migrations 0003, 0016 and 0018): the
    # title (weight A); the description, kind and topic (B); who it is for, the venue's name
    # and area and the project's title (C); the format (D). Unused on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OpportunityQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name_plural = "opportunities"
        indexes = [
            # The directory lists published opportunities from now on, by date. The project
            # rides along so counting them, less those of hidden projects, needs no table
            # reads (PostgreSQL; 22 ms down to 7 ms on the large data set).
            models.Index(
                fields=["status", "starts_at"],
                include=["project"],
                name="opportunity_directory_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gte=models.F("starts_at")),
                name="opportunity_ends_after_start",
            ),
            # See HIGHEST_STEP_ON_ITS_OWN: nothing (an import, the admin, a script) can give an
            # opportunity standing alone a step only a project's evidence can support.
            models.CheckConstraint(
                condition=models.Q(project__isnull=False)
                | models.Q(step__isnull=True)
                | models.Q(step__lte=Step.ENGAGEMENT),  # HIGHEST_STEP_ON_ITS_OWN
                name="standalone_opportunity_step_at_most_engagement",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("participation:detail", args=[self.pk])

    @classmethod
    def search_words(cls, field: str) -> dict[str, str]:
        """{stored value: the words search finds it by} for "kind" or "format": the label,
        and for a format the words in FORMAT_SEARCH_WORDS too."""
        choices = {"kind": cls.Kind, "format": cls.Format}[field]
        extra = cls.FORMAT_SEARCH_WORDS if field == "format" else {}
        return {
            choice.value: " ".join(filter(None, [choice.label, extra.get(choice)]))
            for choice in choices
        }

    @property
    def is_paid(self) -> bool:
        return self.fee_basis != self.FeeBasis.NONE

    @property
    def pays_anything(self) -> bool:
        """A fee or expenses: attending gives the person something to claim."""
        return self.is_paid or self.pays_expenses

    @property
    def joining_details(self) -> str:
        """How to join online or by phone: "" for a session held only in person. Shown only
        to people with a place (a public link would let anyone in)."""
        if self.format == self.Format.IN_PERSON:
            return ""
        return self.online_details

    @property
    def effective_topic(self):
        if self.topic_id:
            return self.topic
        return self.project.service_area if self.project_id else None

    # Places. `held_count` and `waiting_count` come from `with_place_counts()` when the
    # opportunity was loaded that way; otherwise they are counted here once and kept on the
    # instance, because a page asks for places left, fullness and "full" several times.
    # refresh_from_db() forgets them.
    @property
    def places_held(self) -> int:
        if getattr(self, "held_count", None) is None:
            self.held_count = self.signups.holding_place().count()
        return self.held_count

    @property
    def places_waiting(self) -> int:
        if getattr(self, "waiting_count", None) is None:
            self.waiting_count = self.signups.filter(status=SignUp.Status.WAITING).count()
        return self.waiting_count

    def refresh_from_db(self, *args, **kwargs):
        self.held_count = self.waiting_count = None
        super().refresh_from_db(*args, **kwargs)

    @property
    def places_left(self) -> int:
        return max(self.capacity - self.places_held, 0)

    @property
    def is_full(self) -> bool:
        return self.places_left == 0

    @property
    def fullness_percent(self) -> int:
        if not self.capacity:
            return 100
        return min(100, (self.places_held * 100) // self.capacity)

    @property
    def fullness_warning(self) -> str:
        """For staff: "full" at 100%, "nearly_full" from 80%, else "". Nothing once it has
        ended: "4 places left" on a session that is over tells staff nothing they can use."""
        if self.has_ended():
            return ""
        percent = self.fullness_percent
        if percent >= 100:
            return "full"
        if percent >= 80:
            return "nearly_full"
        return ""

    @property
    def is_going_ahead(self) -> bool:
        return self.status in self.GOING_AHEAD

    def has_started(self, now=None) -> bool:
        return self.starts_at <= (now or timezone.now())

    def has_ended(self, now=None) -> bool:
        return self.ends_at <= (now or timezone.now())

    # Least data: staff see people's access needs while they help run a session and for two
    # weeks after it (to follow up), and then no more; what people told us for this session
    # alone is then deleted (coprod_hub.retention). Their profile's needs stay theirs.
    ACCESS_NEEDS_KEPT_DAYS = 14

    def access_needs_kept(self, now=None) -> bool:
        """Whether people's access needs for it are still shown to staff running it."""
        kept_until = self.ends_at + timedelta(days=self.ACCESS_NEEDS_KEPT_DAYS)
        return (now or timezone.now()) < kept_until

    @cached_property
    def project_is_public(self) -> bool:
        """Standing alone, or part of a published project. (A query that annotates a value of
        the same name, as the sign-up lock does, saves loading the project.)"""
        return self.project_id is None or self.project.is_published

    @property
    def is_public(self) -> bool:
        """May anyone open its page? Not while it is a draft or its project is hidden."""
        return self.status != self.Status.DRAFT and self.project_is_public

    def sign_up_closed_reason(self, now=None) -> str:
        """Why nobody can sign up now, in words people read; "" when sign-up is open."""
        now = now or timezone.now()
        if self.status == self.Status.CANCELLED:
            return "This opportunity has been cancelled."
        if not self.is_public:
            return "This opportunity is not open yet."
        if self.has_started(now):
            return "This opportunity has already taken place."
        if self.status == self.Status.CLOSED:
            return "Sign-up for this opportunity has closed."
        if self.signup_deadline and self.signup_deadline <= now:
            return "The deadline to sign up has passed."
        return ""

    def offer_expiry(self, now=None, *, on_call_list=False):
        """When an offer of a freed place made now runs out: the opportunity's own window
        (48 hours by default, at least MIN_OFFER_WINDOW), cut to `latest_offer_end`.

        `on_call_list`: the person hears through the staff call list, which staff work in
        office hours. Their offer lasts at least until noon on the next working day, so it
        cannot run out overnight or over a weekend before anyone could phone them; still
        never past `latest_offer_end`, which keeps the usual rule when the session is close.
        Working days skip weekends, bank holidays and the council's closure days, so an offer
        made on Christmas Eve lasts until staff are back in.
        """
        now = now or timezone.now()
        window = max(timedelta(hours=self.offer_window_hours), MIN_OFFER_WINDOW)
        latest = self.latest_offer_end(now)
        expires = min(now + window, latest)
        if on_call_list:
            expires = min(max(expires, _noon_next_working_day(now)), latest)
        return expires

    def latest_offer_end(self, now=None):
        """The latest any offer may run to, so a place does not sit unused when the session
        is close: three hours before the start, but always at least an hour from now, and
        never after the start."""
        now = now or timezone.now()
        cutoff = max(self.starts_at - OFFER_CUTOFF_BEFORE_START, now + MIN_OFFER_WINDOW)
        return min(cutoff, self.starts_at)

    def _venue_in_one_line(self) -> str:
        # One line: the address's own lines become parts, as people write them in one.
        lines = (" ".join(line.split()) for line in self.venue.address.splitlines())
        parts = [self.venue.name, *lines]
        if self.venue.postcode:
            parts.append(self.venue.postcode)
        return ", ".join(p for p in parts if p)

    @property
    def location_text(self) -> str:
        """One line for calendars and messages."""
        if self.venue_id:
            where = self._venue_in_one_line()
            if self.format == self.Format.HYBRID:
                return f"{where} (or online)"
            return where
        return self.get_format_display()

    # One person's way of joining a hybrid session (SignUp.joining) decides what their own
    # messages and place page say: where to go, or how to join online. Read from the
    # session already loaded and the sign-up's own column, so a batch of reminders costs no
    # query more. Someone who has not said (booked before we asked, or a session made hybrid
    # after they booked) is told both, as everyone was before.

    def joins_online(self, joining) -> bool:
        if self.format == self.Format.HYBRID:
            return joining == SignUp.Joining.ONLINE
        return self.nobody_travels

    @property
    def nobody_travels(self) -> bool:
        """Held only online or by phone: nobody makes a journey to it, so what it offers and
        what can be claimed for it never mention travel (payments.policy.JOURNEYS)."""
        return self.format in (self.Format.ONLINE, self.Format.PHONE)

    def nobody_travels_for(self, joining) -> bool:
        """Whether someone joining as `joining` (SignUp.joining) makes no journey to it: as
        for everyone at a session held only online or by phone, so for someone joining a
        hybrid session online."""
        return self.nobody_travels or (
            self.format == self.Format.HYBRID and joining == SignUp.Joining.ONLINE
        )

    def location_for(self, joining) -> str:
        """`location_text` for one person: "Online" for someone joining a hybrid session
        online, and only the venue for someone coming to it in person."""
        if self.format == self.Format.HYBRID and joining == SignUp.Joining.ONLINE:
            return "Online"
        if self.format == self.Format.HYBRID and joining and self.venue_id:
            return self._venue_in_one_line()
        return self.location_text

    def venue_for(self, joining):
        """The venue someone is to go to: none for someone joining a hybrid session online."""
        if self.format == self.Format.HYBRID and joining == SignUp.Joining.ONLINE:
            return None
        return self.venue if self.venue_id else None

    def joining_details_for(self, joining) -> str:
        """`joining_details` for one person: none for someone coming to a hybrid session in
        person, so the link goes only to those who join online (and the room stays the size
        staff planned)."""
        if self.format == self.Format.HYBRID and joining == SignUp.Joining.IN_PERSON:
            return ""
        return self.joining_details

    @property
    def effective_level(self) -> str:
        return self.project.level if self.project_id else self.level

    @property
    def effective_step(self) -> Step | None:
        """The honest step people see: the project's public step, or the opportunity's own."""
        if self.project_id:
            return self.project.public_step
        return Step(self.step) if self.step else None

    @property
    def say_in_plain_words(self) -> str:
        """What people's say is at its honest step, for residents ("you give your views...")."""
        step = self.effective_step
        return STEP_IN_PLAIN_WORDS[step] if step else ""

    @property
    def what_it_is(self) -> str:
        """ "Workshop about carers"; "About autism" when the kind is "Other"."""
        topic = self.effective_topic
        if self.kind == self.Kind.OTHER:
            return f"About {topic.name.lower()}" if topic else "Other"
        return (
            f"{self.get_kind_display()} about {topic.name.lower()}"
            if topic
            else self.get_kind_display()
        )


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

    class Joining(models.TextChoices):
        """How someone will take part in a hybrid session (Opportunity.Format.HYBRID)."""

        NOT_SAID = "", "Not said"
        IN_PERSON = "in_person", "In person"
        ONLINE = "online", "Online"

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
    # The person agreed to show the access needs in their profile to the staff running the
    # sessions they sign up for. A place booked for them by staff is not their own choice, so
    # it shares those needs only once they say so; otherwise any staff member could book
    # anyone onto a session they run just to read their access needs.
    profile_needs_shared = models.BooleanField(
        default=True,
        db_default=True,
        help_text="Whether the staff running this session may see the access needs in the "
        "person's profile: yes when they signed up themselves or chose to share them.",
    )
    # Staff recorded the person as having come to a session that had started, without a place
    # booked ahead (services.record_walk_in): `signed_up_by` says who. Such places do not count
    # against the session's places, which are about booking ahead, not about who came.
    added_on_the_day = models.BooleanField(
        default=False,
        db_default=False,
        help_text="Whether staff added the person on the day, as someone who came without a "
        "place booked.",
    )
    # Asked only for a hybrid session: staff need it for the room, refreshments and support
    # on the day, and the joining link goes only to people who join online. Empty for any
    # other session, and for places booked before we asked.
    joining = models.CharField(
        "how they will join",
        max_length=20,
        choices=Joining.choices,
        default=Joining.NOT_SAID,
        db_default=Joining.NOT_SAID,
        blank=True,
    )
    attendance = models.CharField(
        max_length=20, choices=Attendance.choices, default=Attendance.UNKNOWN, blank=True
    )
    attendance_recorded_at = models.DateTimeField(null=True, blank=True)
    attendance_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Who cancelled the place and why (staff must give a reason, which the person is sent).
    # Set with the status, so they describe the latest cancellation: a place booked again
    # clears them (services._set_status). Empty when nobody did, e.g. an offer that ran out.
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who cancelled this place: the person themselves, or a member of staff.",
    )
    cancel_reason = models.TextField(
        blank=True, help_text="Why staff cancelled the place. The person is told it."
    )
    # When the status last changed: part of each message's event key, so signing up again
    # after cancelling sends a new confirmation while a retried event sends nothing twice.
    status_changed_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SignUpQuerySet.as_manager()

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

    def get_absolute_url(self):
        return reverse("participation:signup", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.status != self.Status.CANCELLED

    @property
    def needs_for_staff(self) -> str:
        """The access needs in the person's profile that the staff running this session may
        see: only those the person agreed to keep, and only when this place is shared."""
        profile = getattr(self.resident, "profile", None)
        if self.profile_needs_shared and profile and profile.has_access_needs:
            return profile.access_needs
        return ""

    @property
    def holds_place(self) -> bool:
        return self.status in (self.Status.BOOKED, self.Status.OFFERED)

    @property
    def joining_in_words(self) -> str:
        """How they will join, for staff: "In person", "Online" or "Not said" for a hybrid
        session; "" for any other, where the session's format says it."""
        if self.opportunity.format != Opportunity.Format.HYBRID:
            return ""
        return self.get_joining_display()

    def offer_is_live(self, now=None) -> bool:
        return (
            self.status == self.Status.OFFERED
            and self.offer_expires_at is not None
            and self.offer_expires_at > (now or timezone.now())
        )

    @property
    def waiting_position(self) -> int | None:
        """1 for the first person waiting. From `with_waiting_position()` when annotated."""
        if self.status != self.Status.WAITING:
            return None
        if getattr(self, "position", None) is None:
            # Kept: the confirmation message and the page after it both say it.
            # services._set_status() and refresh_from_db() forget it.
            self.position = (
                SignUp.objects.filter(opportunity_id=self.opportunity_id)
                .waiting_ahead_of(self)
                .count()
                + 1
            )
        return self.position

    def refresh_from_db(self, *args, **kwargs):
        self.position = None
        super().refresh_from_db(*args, **kwargs)

    def can_be_cancelled(self, now=None) -> bool:
        """Not once the session has started, nor once we called it off: there is no place
        left to give up, only the record that the person had one."""
        return (
            self.is_active
            and self.opportunity.status != Opportunity.Status.CANCELLED
            and not self.opportunity.has_started(now)
        )


class GroupMessage(models.Model):
    """A message staff sent to the people signed up for one opportunity.

    Each person's copy is an outbox row (notifications.Message) whose event key holds the
    token; this row is what staff see on the manage page: what was sent, by whom, when and
    to how many.
    """

    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.CASCADE, related_name="group_messages"
    )
    # Made when the form is shown and posted back with it. A double click, or the browser
    # sending the form again, carries the same token and finds this row: nothing is sent twice.
    token = models.UUIDField(editable=False)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    include_waiting = models.BooleanField("sent to the waiting list too", default=False)
    subject = models.CharField(max_length=150)
    text = models.TextField()
    # Optional: what people who asked for easy read get instead of `text`.
    easy_read_text = models.TextField("easy read version", blank=True)
    recipient_count = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["token"], name="one_group_message_per_token"),
        ]
        indexes = [
            # The manage page: an opportunity's latest messages, newest first.
            models.Index(fields=["opportunity", "-created_at"], name="groupmessage_recent_idx"),
        ]

    def __str__(self):
        return f"{self.subject} ({self.recipient_count} people)"

    @property
    def event_key(self) -> str:
        """The outbox's key for this message: one copy per person, however often it is sent."""
        return f"opportunity:{self.opportunity_id}:group_message:{self.token}"


class Profile(models.Model):
    """What a resident tells us once: interests, access needs, how to contact them.

    Access needs are special category data (UK GDPR article 9). We hold them only with the
    person's explicit consent (`access_needs_consent_at`), show them only to the person and
    to staff running an opportunity they signed up for, and delete them when asked.
    """

    class ContactBy(models.TextChoices):
        # Values are read by notifications.services (contact_preferences and _reach).
        EMAIL = "email", "Email"
        TEXT = "text", "Text message"
        POST_OR_PHONE = "post_or_phone", "Post or a phone call from staff"

    class InformationFormat(models.TextChoices):
        # The words we use. Easy read changes e-mails' words (notifications.services); large
        # print is asked for apart (`large_print`), as someone may need both.
        STANDARD = "standard", "Standard"
        EASY_READ = "easy_read", "Easy read"

    class AlertFrequency(models.TextChoices):
        OFF = "off", "Do not tell me about new opportunities"
        IMMEDIATELY = "immediately", "As soon as they are published"
        WEEKLY = "weekly", "Once a week, in one message"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    interests = models.ManyToManyField(
        "projects.ServiceArea", blank=True, related_name="interested_profiles"
    )
    preferred_levels = models.JSONField(default=list, blank=True)  # Level values
    preferred_formats = models.JSONField(default=list, blank=True)  # Opportunity.Format values
    access_needs = models.TextField(blank=True)
    access_needs_consent_at = models.DateTimeField(null=True, blank=True)
    contact_by = models.CharField(max_length=20, choices=ContactBy.choices, default=ContactBy.EMAIL)
    phone = models.CharField(max_length=40, blank=True)
    # Where staff write to people who asked for post. Kept as typed, lines and all: nothing
    # parses it, and addresses come in too many shapes to force into fields.
    postal_address = models.TextField(blank=True)
    format = models.CharField(
        "format for information",
        max_length=20,
        choices=InformationFormat.choices,
        default=InformationFormat.STANDARD,
    )
    # Big type in e-mails (read when one is sent) and in what staff post: whatever the words.
    large_print = models.BooleanField("large print", default=False)
    alert_frequency = models.CharField(
        max_length=20, choices=AlertFrequency.choices, default=AlertFrequency.OFF
    )
    # Part of the signed personal calendar link; replacing it makes old links stop working.
    calendar_key = models.CharField(max_length=64, default=secrets.token_urlsafe, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Profile of {self.user}"

    @property
    def has_access_needs(self) -> bool:
        return bool(self.access_needs_consent_at and self.access_needs.strip())

    def text_messages_fallback(self) -> str:
        """For someone who asked for text messages while we cannot send them (GOV.UK Notify
        is not set up): how we reach them instead, as notifications.services.choose_channel
        decides. "" when texts work or they chose something else."""
        from notifications import channels
        from notifications.services import choose_channel

        if self.contact_by != self.ContactBy.TEXT or channels.notify_configured():
            return ""
        channel, address = choose_channel(self.user, (self.contact_by, self.phone))
        instead = (
            f"we will email you at {address} instead"
            if channel == "email" and address
            else "our staff will phone you or write to you instead"
        )
        return f"You asked for text messages, but we cannot send them at the moment, so {instead}."

    @classmethod
    def describe_format(cls, information_format, large_print) -> str:
        """What staff must write in for someone: "Easy read", "Large print" or "Easy read,
        large print"; "" for standard words in standard print. Takes the two values rather
        than a profile so lists that load only those columns can use it."""
        parts = []
        if information_format == cls.InformationFormat.EASY_READ:
            parts.append("easy read")
        if large_print:
            parts.append("large print")
        return ", ".join(parts).capitalize()

    def get_preferred_levels_display(self) -> list[str]:
        return labels_of(Level, self.preferred_levels)

    def get_preferred_formats_display(self) -> list[str]:
        return labels_of(Opportunity.Format, self.preferred_formats)
