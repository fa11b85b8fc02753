from datetime import datetime, time, timedelta
from typing import NamedTuple

from django.conf import settings
from django.db import models
from django.db.models import BooleanField, Case, Count, ExpressionWrapper, F, Max, Min, Q, When
from django.utils import timezone

from .kinds import Category


class Deadline(NamedTuple):
    """A kind of message that is no use once a set time has passed (`Message.deadline`)."""

    source: str  # where the message's context holds the time: "<context name>.<attribute>"
    label: str  # what the call list puts before the time
    why: str  # what happens then, so staff know why it comes first


# The kinds of message staff must pass on by a set time or not at all. The call list puts them
# first, soonest first, so nobody works through routine calls while an offer runs out. The
# time is read from the context the message's words are written from (services._build), so
# it is the time the words themselves give. A change of time or place is left out: its
# context holds the new start, and people may set out for the old one, which it does not hold.
DEADLINES = {
    "place_offered": Deadline(
        "signup.offer_expires_at",
        "Answer needed by",
        "If they have not said yes by then, the place goes to the next person waiting.",
    ),
    "reminder_on_the_day": Deadline(
        "opportunity.starts_at", "Pass on before", "The session starts then."
    ),
    "reminder_two_days": Deadline(
        "opportunity.starts_at", "Pass on before", "The session starts then."
    ),
    "opportunity_cancelled": Deadline(
        "opportunity.starts_at",
        "Pass on before",
        "The session was due to start then. Tell them before they set out for it.",
    ),
}


def _end_of_day(now) -> datetime:
    """Midnight at the end of `now`'s day, UK time."""
    tomorrow = timezone.localtime(now).date() + timedelta(days=1)
    return timezone.make_aware(datetime.combine(tomorrow, time()))


class MessageQuerySet(models.QuerySet):
    def due(self, now=None):
        """Pending messages whose next attempt time has come, plus stuck sends to retry."""
        now = now or timezone.now()
        return self.filter(
            models.Q(status=Message.Status.PENDING, next_attempt_at__lte=now)
            | models.Q(status=Message.Status.SENDING, lease_expires_at__lt=now)
        )

    def with_deadlines(self, now):
        """Each message with its deadline if that is still to come (`deadline_ahead`, else
        None), whether that is today, UK time (`due_today`), and whether it has passed
        (`deadline_passed`: the message may no longer be true)."""
        return self.annotate(
            deadline_ahead=Case(When(deadline__gt=now, then=F("deadline"))),
            due_today=ExpressionWrapper(
                Q(deadline__gt=now, deadline__lt=_end_of_day(now)), output_field=BooleanField()
            ),
            deadline_passed=ExpressionWrapper(Q(deadline__lte=now), output_field=BooleanField()),
        )

    def in_call_list_order(self, now):
        """Those that must be passed on by a time still to come first, soonest first; then the
        rest (no deadline, or one already passed), oldest first."""
        return self.with_deadlines(now).order_by(
            F("deadline_ahead").asc(nulls_last=True), "created_at", "pk"
        )

    def deadlines_ahead(self, now) -> dict:
        """How many people these calls must reach by a set time, in one query: `today`
        (between `first_today` and `last_today`) and `later` (from `first_later`). People,
        not calls: someone with two calls due is phoned once."""
        end_of_today = _end_of_day(now)
        today = Q(deadline__gt=now, deadline__lt=end_of_today)
        later = Q(deadline__gte=end_of_today)
        return self.aggregate(
            today=Count("recipient", filter=today, distinct=True),
            first_today=Min("deadline", filter=today),
            last_today=Max("deadline", filter=today),
            later=Count("recipient", filter=later, distinct=True),
            first_later=Min("deadline", filter=later),
        )


class Message(models.Model):
    """The outbox: one row per message per person, written in the same transaction as the
    event that caused it, then delivered by a Celery task.

    `event_key` names the event ("signup:42:confirmed"); together with the recipient it is
    unique, so however often an event is processed, a person gets one message for it.

    A message may go to an email address with no account behind it (`recipient` empty):
    someone who shared in the practice guide without signing in and left an address. Such an
    event has one message, and once it is sent its address and text are blanked.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        SMS = "sms", "Text message"
        CALL_LIST = "call_list", "Staff call list (post or phone)"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to send"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        CALL_LIST = "call_list", "On the staff call list"
        CALLED = "called", "Contacted by staff"
        SKIPPED = "skipped", "Not sent (unsubscribed)"
        WITHDRAWN = "withdrawn", "Taken off the call list (no longer true)"

    kind = models.CharField(max_length=50)
    category = models.CharField(max_length=20, choices=Category.choices)
    event_key = models.CharField(max_length=200)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="messages",
        null=True,
        blank=True,
    )
    # What the message is about, when it is about a session or a project: the call list
    # shows it only to the staff who run that session or project (permissions.call_list_for).
    # Filled in by queue_messages from its context. Empty for messages about no session (a
    # weekly digest, a prompt to moderators), which every member of staff sees.
    opportunity = models.ForeignKey(
        "participation.Opportunity",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=True,
    )
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=True,
    )
    channel = models.CharField(max_length=20, choices=Channel.choices)
    to_address = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=255)
    body_text = models.TextField()
    # [[filename, text, mimetype]] or {"build": ..., ids} built when sent (see services.py)
    attachments = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # When passing it on stops being any use (the kinds in DEADLINES): a place offered goes to
    # the next person waiting, a session starts. Empty for every other message.
    deadline = models.DateTimeField(null=True, blank=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event_key", "recipient"], name="one_message_per_event_and_recipient"
            ),
            # NULLs are distinct in a unique constraint, so messages without an account
            # need their own: one per event (the address is blanked once it is sent).
            models.UniqueConstraint(
                fields=["event_key"],
                condition=models.Q(recipient__isnull=True),
                name="one_message_per_event_without_account",
            ),
        ]
        indexes = [
            # The sweep: pending rows whose next attempt is due.
            models.Index(fields=["status", "next_attempt_at"], name="message_due_idx"),
            # "Messages sent" in a person's data export and the admin outbox list.
            models.Index(fields=["recipient", "-created_at"], name="message_recipient_idx"),
        ]

    def __str__(self):
        return f"{self.kind} to {self.recipient_id or self.to_address} ({self.status})"

    @property
    def addressee(self) -> str:
        """Who it is for, for staff pages: the person, or the bare address."""
        return str(self.recipient) if self.recipient_id else self.to_address

    @property
    def deadline_words(self) -> Deadline | None:
        """What the call list says about the deadline (`label`, `why`), if it has one."""
        if self.deadline is None:
            return None
        return DEADLINES.get(self.kind, Deadline("", "Needed by", ""))


class Unsubscribe(models.Model):
    """A person asked for no more messages of this category."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="unsubscribes"
    )
    category = models.CharField(max_length=20, choices=Category.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "category"], name="one_unsubscribe_per_category"
            )
        ]

    def __str__(self):
        return f"{self.user_id} unsubscribed from {self.category}"


class AlertedOpportunity(models.Model):
    """Marks an opportunity whose "new opportunity" alerts have been written."""

    opportunity = models.OneToOneField(
        "participation.Opportunity", on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"Alerts written for opportunity {self.opportunity_id}"


class Broadcast(models.Model):
    """One event whose message goes to many people, written out in batches (broadcasts.py)."""

    kind = models.CharField(max_length=50)
    object_id = models.PositiveBigIntegerField()
    cursor = models.PositiveBigIntegerField(default=0)  # the last recipient id written
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="one_broadcast_per_event")
        ]

    def __str__(self):
        return f"{self.kind} {self.object_id} ({'done' if self.finished_at else 'in progress'})"
