"""Fees and expenses: the payment policy, claims, the ledger and payment runs.

Money is whole pence in integer columns. Rates are effective-dated: each change is a new row
that starts on a date, so a claim can always find the rate that was in force on the day of
the activity. The ledger is append-only: corrections are new rows, never edits.
"""

import re
import secrets
from datetime import date

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from coprod_hub.lib.money import format_pounds
from coprod_hub.lib.text import full_stop_after
from participation.models import Opportunity

from .querysets import (
    ClaimQuerySet,
    ConflictQuerySet,
    EffectiveDatedQuerySet,
    FeeAdjustmentQuerySet,
    LedgerEntryQuerySet,
    PaymentRunItemQuerySet,
    PaymentRunQuerySet,
    TaxiAgreementQuerySet,
)
from .taxyear import tax_year_for

# What a fee can be worked out by: every Opportunity fee basis except "no fee".
FEE_BASIS_CHOICES = [c for c in Opportunity.FeeBasis.choices if c[0] != Opportunity.FeeBasis.NONE]


class LedgerImmutableError(Exception):
    """Raised when code tries to change or remove a ledger row."""


class PaymentPolicy(models.Model):
    """Settings for the whole policy. There is one row (pk=1); rates have their own tables."""

    target_days_to_pay = models.PositiveSmallIntegerField(
        "target days to pay",
        default=28,
        help_text="How many days from sending a claim to being paid we aim for.",
    )
    voucher_description = models.TextField(
        default="High street shopping vouchers that can be spent in most large shops. "
        "We send them by post or email, whichever you prefer.",
        help_text="What the vouchers are and how people get them.",
    )
    advice_name = models.CharField(
        "independent advice service",
        max_length=150,
        default="Citizens Advice",
        help_text="Where people can get free, independent advice about benefits and tax.",
    )
    advice_url = models.URLField(
        "advice service web address",
        default="https://www.citizensadvice.org.uk/benefits/",
    )
    advice_phone = models.CharField("advice service phone number", max_length=40, blank=True)
    weekly_fee_check_pence = models.PositiveIntegerField(
        "weekly fee check level",
        null=True,
        blank=True,
        help_text=(
            "When the fees waiting to be paid to one person come to more than this, we warn "
            "them before they send a claim, and commissioners see it on the claim. Many "
            "councils use the weekly earnings limit for Carer's Allowance. Leave it empty for "
            "no check."
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name_plural = "payment policy"

    def __str__(self):
        return "Payment policy"

    @classmethod
    def current(cls) -> "PaymentPolicy":
        policy, _ = cls.objects.get_or_create(pk=1)
        return policy


class FeeRate(models.Model):
    """What we pay for one hour, half day, full day or activity, from `starts_on` onwards."""

    basis = models.CharField(max_length=20, choices=FEE_BASIS_CHOICES)
    amount_pence = models.PositiveIntegerField()
    starts_on = models.DateField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EffectiveDatedQuerySet.as_manager()
    key_field = "basis"

    class Meta:
        ordering = ["basis", "-starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["basis", "starts_on"], name="one_fee_rate_per_day"),
        ]
        indexes = [
            # in_force_on(): the latest row per basis starting on or before a day.
            models.Index(fields=["basis", "starts_on"], name="fee_rate_in_force_idx"),
        ]

    def __str__(self):
        return f"{self.get_basis_display()} from {self.starts_on:%d %b %Y}"


class ExpenseCategory(models.TextChoices):
    PUBLIC_TRANSPORT = "public_transport", "Public transport (bus, train, tram)"
    MILEAGE = "mileage", "Mileage in your own vehicle"
    TAXI = "taxi", "Taxi (agreed with us before the journey)"
    PARKING = "parking", "Parking"
    CARE_COVER = "care_cover", "Care or respite cover"
    CHILDCARE = "childcare", "Childcare"
    MEALS = "meals", "Meals and drinks"
    PHONE_DATA = "phone_data", "Phone or data for online sessions"


class ExpenseRule(models.Model):
    """How we pay one kind of expense, from `starts_on` onwards."""

    class ReceiptRule(models.TextChoices):
        ALWAYS = "always", "Always"
        OVER = "over", "Only over an amount"
        NEVER = "never", "Never"

    category = models.CharField(max_length=30, choices=ExpenseCategory.choices)
    allowed = models.BooleanField(
        default=True, help_text="Untick to stop paying this kind of expense from the start date."
    )
    cap_pence = models.PositiveIntegerField(
        "most we pay for each session", null=True, blank=True, help_text="Leave empty for no cap."
    )
    rate_per_mile_pence = models.PositiveIntegerField(null=True, blank=True)
    receipt_rule = models.CharField(
        max_length=10, choices=ReceiptRule.choices, default=ReceiptRule.ALWAYS
    )
    receipt_over_pence = models.PositiveIntegerField(null=True, blank=True)
    needs_prior_agreement = models.BooleanField(default=False)
    starts_on = models.DateField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EffectiveDatedQuerySet.as_manager()
    key_field = "category"

    class Meta:
        ordering = ["category", "-starts_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "starts_on"], name="one_expense_rule_per_day"
            ),
        ]
        indexes = [
            # in_force_on(): the latest row per category starting on or before a day.
            models.Index(fields=["category", "starts_on"], name="expense_rule_in_force_idx"),
        ]

    def __str__(self):
        return f"{self.get_category_display()} from {self.starts_on:%d %b %Y}"

    @property
    def is_mileage(self) -> bool:
        return self.category == ExpenseCategory.MILEAGE

    def receipt_needed_for(self, amount_pence: int) -> bool:
        if self.receipt_rule == self.ReceiptRule.ALWAYS:
            return True
        if self.receipt_rule == self.ReceiptRule.OVER:
            return amount_pence > (self.receipt_over_pence or 0)
        return False

    @property
    def receipt_summary(self) -> str:
        if self.receipt_rule == self.ReceiptRule.ALWAYS:
            return "Receipt needed"
        if self.receipt_rule == self.ReceiptRule.OVER:
            return f"Receipt needed over {format_pounds(self.receipt_over_pence or 0)}"
        return "No receipt needed"


class ConflictOfInterest(models.Model):
    """A commissioner's declared link with a person (family, friend, line manager...).

    While it is active the commissioner cannot approve, return or reject that person's claims.
    Declarations are withdrawn, not deleted, so the record of who declared what stays.
    """

    commissioner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="declared_conflicts"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conflicts_declared_about"
    )
    reason = models.CharField(max_length=300)
    declared_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    objects = ConflictQuerySet.as_manager()

    class Meta:
        ordering = ["-declared_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["commissioner", "person"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="one_active_conflict_per_pair",
            ),
        ]

    def __str__(self):
        return f"{self.commissioner} declared a conflict with {self.person}"


class TaxiAgreement(models.Model):
    """Staff running a session agreed that a person may take a taxi to it, and claim the fare.

    Taxis are paid only when agreed before the journey (ExpenseRule.needs_prior_agreement).
    Recorded here, the claim relies on it instead of the name the person types, and the
    commissioner sees who agreed it and when. Withdrawn, never deleted: a claim line that
    relied on an agreement keeps pointing at it, so its history stays readable.
    """

    signup = models.ForeignKey(
        "participation.SignUp", on_delete=models.CASCADE, related_name="taxi_agreements"
    )
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    agreed_at = models.DateTimeField(default=timezone.now)
    note = models.CharField(
        max_length=200, blank=True, help_text="For example, there and back from home."
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = TaxiAgreementQuerySet.as_manager()

    class Meta:
        ordering = ["-agreed_at", "-id"]
        constraints = [
            # Also the index behind "the live agreement for this sign-up", which the claim
            # form, the place page and the staff taxi page each look up.
            models.UniqueConstraint(
                fields=["signup"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="one_live_taxi_agreement_per_signup",
            ),
            models.CheckConstraint(
                condition=models.Q(withdrawn_at__isnull=True, withdrawn_by__isnull=True)
                | models.Q(withdrawn_at__isnull=False, withdrawn_by__isnull=False),
                name="taxi_agreement_withdrawn_by_someone",
            ),
        ]

    def __str__(self):
        # No names: this is what the audit trail calls it, and it outlives an erased person.
        return f"Taxi agreement {self.pk} for sign-up {self.signup_id}"

    @property
    def is_live(self) -> bool:
        return self.withdrawn_at is None


def receipt_upload_to(instance, filename):
    # A random name: the original name can hold personal details and must never be a path.
    today = date.today()
    return f"receipts/{today:%Y/%m}/{secrets.token_hex(16)}{instance.extension}"


class Receipt(models.Model):
    """An uploaded receipt, stored privately. Served only through a permission-checked view."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="receipts"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    file = models.FileField(upload_to=receipt_upload_to, max_length=200)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    EXTENSIONS = {
        "application/pdf": ".pdf",
        "image/jpeg": ".jpg",
        "image/png": ".png",
        "image/heic": ".heic",
    }

    def __str__(self):
        return self.original_name

    @property
    def extension(self) -> str:
        return self.EXTENSIONS.get(self.content_type, "")

    @property
    def download_name(self) -> str:
        """The person's file name, with the extension matching what the file really is."""
        stem = self.original_name.rsplit(".", 1)[0] or "receipt"
        return f"{stem}{self.extension}"


class Claim(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        RETURNED = "returned", "Returned"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        PAID = "paid", "Paid"

    class PaymentMethod(models.TextChoices):
        BANK_TRANSFER = "bank_transfer", "Bank transfer"
        VOUCHER = "voucher", "Vouchers"
        EXPENSES_ONLY = "expenses_only", "Expenses only, no fee"

    class VoucherDelivery(models.TextChoices):
        EMAIL = "email", "By email"
        POST = "post", "By post"

    # How each status reads to the person claiming: (short label, what it means).
    RESIDENT_STATUS = {
        Status.DRAFT: (
            "Not sent yet",
            "You have started this claim but not sent it to us. You can change it and send it "
            "when you are ready.",
        ),
        Status.SUBMITTED: (
            "Sent",
            "We have your claim. Someone will check it and approve it, or tell you if "
            "anything needs changing.",
        ),
        Status.RETURNED: (
            "Needs changes",
            "We need you to change something before we can pay. Read the reason, change your "
            "claim and send it again.",
        ),
        Status.APPROVED: (
            "Approved",
            "We have agreed to pay this claim. We will pay it with our next batch of payments.",
        ),
        Status.REJECTED: (
            "Not approved",
            "We cannot pay this claim. The reason is shown on the claim. Contact us if you "
            "think this is wrong.",
        ),
        Status.PAID: ("Paid", "We have paid this claim."),
    }
    # The same for staff and commissioners looking at someone else's claim.
    STAFF_STATUS = {
        Status.DRAFT: "The person has started this claim but not sent it yet.",
        Status.SUBMITTED: (
            "Waiting for a commissioner to check it: approve it, return it for changes, or "
            "reject it."
        ),
        Status.RETURNED: (
            "Returned to the person to change. It comes back for review when they send it again."
        ),
        Status.APPROVED: "Approved. It goes in the next payment run.",
        Status.REJECTED: "Rejected. The person was told why.",
        Status.PAID: "Paid.",
    }
    STATUS_TAG_CLASSES = {
        Status.DRAFT: "govuk-tag--grey",
        Status.SUBMITTED: "govuk-tag--blue",
        Status.RETURNED: "govuk-tag--orange",
        Status.APPROVED: "govuk-tag--turquoise",
        Status.REJECTED: "govuk-tag--red",
        Status.PAID: "govuk-tag--green",
    }
    EDITABLE_STATUSES = (Status.DRAFT, Status.RETURNED)
    # Claims that have been sent and not yet settled: the queue's flags apply to these.
    AWAITING_PAYMENT = (Status.SUBMITTED, Status.APPROVED)

    claimant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="claims"
    )
    signup = models.OneToOneField(
        "participation.SignUp", on_delete=models.PROTECT, related_name="claim"
    )
    opportunity = models.ForeignKey(
        "participation.Opportunity", on_delete=models.PROTECT, related_name="claims"
    )
    project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, null=True, blank=True, related_name="claims"
    )
    activity_date = models.DateField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    payment_method = models.CharField(
        "how you want to be paid", max_length=20, choices=PaymentMethod.choices, blank=True
    )
    # Asked for vouchers only, and blank otherwise: finance sends them this way, to the
    # address on the person's profile (payments.contact), never to a placeholder email.
    voucher_delivery = models.CharField(
        "how to send the vouchers", max_length=10, choices=VoucherDelivery.choices, blank=True
    )
    employed_by_partner = models.BooleanField(
        "employed by the council or a partner", null=True, blank=True
    )
    not_part_of_paid_job = models.BooleanField(default=False)
    benefits_acknowledged_at = models.DateTimeField(null=True, blank=True)

    # Staff may start and send a claim for a resident who asked them to.
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    on_behalf_note = models.CharField("how the person asked you", max_length=300, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    # Claimed amounts, kept in step with the lines by the services.
    fee_pence = models.PositiveIntegerField(default=0)
    expenses_pence = models.PositiveIntegerField(default=0)
    # Approved amounts (after any correction). The ledger is the record; these are a summary.
    approved_fee_pence = models.PositiveIntegerField(null=True, blank=True)
    approved_expenses_pence = models.PositiveIntegerField(null=True, blank=True)

    reason = models.TextField(blank=True, help_text="Why it was last returned or rejected.")
    # Sent most recently: a returned claim sent again gets a new time here.
    submitted_at = models.DateTimeField(null=True, blank=True)
    # Sent the first time; never changed. Days to pay count from here, so returning a claim
    # does not restart the clock on how long the person has waited for their money.
    first_submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # What left it with no commissioner who may decide it when the administrators were last
    # told (services.deciders.what_left_it): the same is never told twice.
    nobody_to_decide_told = models.CharField(max_length=40, blank=True, editable=False)
    paid_on = models.DateField(null=True, blank=True)
    days_to_pay = models.PositiveIntegerField(null=True, blank=True)
    payment_run = models.ForeignKey(
        "PaymentRun", on_delete=models.SET_NULL, null=True, blank=True, related_name="claims"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ClaimQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The review queue: claims of one status, waiting longest (first sent) first. Each
            # page reads 50 rows from here (0.1 ms) instead of sorting every claim of that
            # status (1.7 ms for 1,380 waiting in the large data set, and growing with any
            # backlog). Replaced (status, submitted_at) when the queue stopped ordering by the
            # latest sending (migration 0008).
            models.Index(
                fields=["status", "first_submitted_at", "id"], name="claim_queue_first_sent_idx"
            ),
            # /claims/: one person's claims, latest session first (latest_sessions_first).
            models.Index(
                fields=["claimant", "-activity_date", "-id"], name="claim_claimant_session_idx"
            ),
            # Median and 90th percentile days to pay: paid claims ordered by days_to_pay.
            models.Index(fields=["status", "days_to_pay"], name="claim_days_to_pay_idx"),
            # The review queue's "All" filter: every claim, last changed first. Without it
            # each page sorted all 100k claims (~75 ms).
            models.Index(fields=["-updated_at", "-id"], name="claim_recent_idx"),
            # The review queue filtered to one finished status (paid, rejected...), last
            # changed first, so deep pages of a rare status read only that status's rows.
            models.Index(fields=["status", "-updated_at", "-id"], name="claim_status_recent_idx"),
        ]

    def __str__(self):
        return f"{self.reference} – {self.claimant}"

    def get_absolute_url(self):
        return reverse("payments:claim", args=[self.pk])

    @property
    def reference(self) -> str:
        return self.reference_for(self.pk) if self.pk else "CL-new"

    @staticmethod
    def reference_for(pk: int) -> str:
        """A claim's reference from its id alone, for lists that do not load the claim."""
        return f"CL-{pk:05d}"

    @property
    def total_pence(self) -> int:
        return self.fee_pence + self.expenses_pence

    @property
    def approved_total_pence(self) -> int | None:
        if self.approved_fee_pence is None:
            return None
        return self.approved_fee_pence + (self.approved_expenses_pence or 0)

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE_STATUSES

    @property
    def can_be_deleted(self) -> bool:
        """Only a claim that has never been sent can be thrown away."""
        return self.status == self.Status.DRAFT

    @property
    def is_returned(self) -> bool:
        """Sent back to the person to change and send again."""
        return self.status == self.Status.RETURNED

    @property
    def current_reason(self) -> str:
        """Why it is returned or rejected, while it is. A returned claim sent again keeps its
        old reason on the row, but that no longer explains where it stands."""
        if self.status in (self.Status.RETURNED, self.Status.REJECTED):
            return self.reason
        return ""

    @property
    def is_returned_or_rejected(self) -> bool:
        """Decided without paying (for now): the queue shows the day it was decided."""
        return self.status in (self.Status.RETURNED, self.Status.REJECTED)

    @property
    def is_waiting_for_payment(self) -> bool:
        """Sent and not yet settled: our target to pay applies."""
        return self.status in self.AWAITING_PAYMENT

    @property
    def is_paid(self) -> bool:
        return self.status == self.Status.PAID

    @property
    def can_be_decided(self) -> bool:
        """Waiting for a commissioner to approve, return or reject it."""
        return self.status == self.Status.SUBMITTED

    @property
    def can_be_reopened(self) -> bool:
        """Rejected (or its approval withdrawn), so a commissioner other than whoever decided
        that may look again and send it back to the person to change and send again."""
        return self.status == self.Status.REJECTED

    @property
    def can_be_corrected(self) -> bool:
        """Approved and not yet in a payment run: once in one, the run must be cancelled
        first, or finance would pay the amount it was exported with."""
        return self.status == self.Status.APPROVED and self.payment_run_id is None

    @property
    def can_be_withdrawn(self) -> bool:
        """Its approval can be withdrawn while nothing has gone to finance: as for a
        correction, a claim in a run waits for the run to be cancelled."""
        return self.status == self.Status.APPROVED and self.payment_run_id is None

    @property
    def is_waiting_in_payment_run(self) -> bool:
        """Approved and in a payment run that finance has not yet confirmed paying."""
        return self.status == self.Status.APPROVED and self.payment_run_id is not None

    def overpayment_holding_payment(self, adjustments) -> "FeeAdjustment | None":
        """Of its fee corrections `adjustments`, the overpayment waiting for a commissioner's
        decision that keeps it out of payment runs, while what it was approved for (or a
        top-up on it, once paid) waits to be paid: keep in step with
        ClaimQuerySet.held_from_payment_runs."""
        waiting_to_be_paid = (
            self.status == self.Status.APPROVED and self.payment_run_id is None
        ) or (self.status == self.Status.PAID and any(a.is_waiting for a in adjustments))
        if not waiting_to_be_paid:
            return None
        return next((a for a in adjustments if a.can_be_decided), None)

    def failed_payment(self) -> "PaymentRunItem | None":
        """The last try to pay this claim, when it did not go through and the claim is still
        to be paid: the person needs to hear why, and what to do, more than that it is
        approved. A cancelled run never reached the bank, so it is not a try."""
        if self.status != self.Status.APPROVED:
            return None
        last = (
            self.run_items.exclude(run__status=PaymentRun.Status.CANCELLED).order_by("-pk").first()
        )
        return last if last is not None and last.is_taken_out else None

    @property
    def resident_status_label(self) -> str:
        return self.RESIDENT_STATUS[self.status][0]

    @property
    def resident_status_explanation(self) -> str:
        return self.RESIDENT_STATUS[self.status][1]

    @property
    def staff_status_explanation(self) -> str:
        return self.STAFF_STATUS[self.status]

    @property
    def status_tag_class(self) -> str:
        return self.STATUS_TAG_CLASSES[self.status]

    @property
    def declines_fee(self) -> bool:
        return self.payment_method == self.PaymentMethod.EXPENSES_ONLY

    @property
    def made_on_behalf(self) -> bool:
        return self.started_by_id != self.claimant_id

    @property
    def claimant_short_name(self) -> str:
        """What questions put to staff claiming for the person call them ("How does Doris
        want to be paid?"). Someone we have no name for is "the person", not an address."""
        person = self.claimant
        return person.get_short_name() if person.display_name.strip() else "the person"

    @property
    def tax_year(self) -> int | None:
        return tax_year_for(self.paid_on) if self.paid_on else None

    @property
    def sent_again_on(self) -> date | None:
        """The day it was last sent, when that is a later day than the first sending (we
        returned it and the person sent it again)."""
        if not (self.submitted_at and self.first_submitted_at):
            return None
        last = timezone.localdate(self.submitted_at)
        return last if last > timezone.localdate(self.first_submitted_at) else None

    def days_waiting(self, today: date) -> int | None:
        """Whole days since it was first sent, while it waits to be paid (sent or approved).
        Returning it does not restart the wait: the person has waited for their money since
        then, and days to pay count from it too. A paid, returned or rejected claim is not
        waiting for us, so it has no wait (paid ones have `days_to_pay` instead)."""
        if not self.first_submitted_at or not self.is_waiting_for_payment:
            return None
        return (today - timezone.localdate(self.first_submitted_at)).days

    def flag(self, *, today: date, target_days: int) -> str:
        """The review queue's flag: overdue, nearing (the target) or empty. Only sent, unpaid
        claims are waiting for us."""
        if not self.is_waiting_for_payment:
            return ""
        waited = self.days_waiting(today)
        if waited is None:
            return ""
        if waited > target_days:
            return "overdue"
        if waited >= target_days - NEARING_DAYS:
            return "nearing"
        return ""


# A claim within this many days of the target is flagged as nearing it.
NEARING_DAYS = 7


class ClaimLine(models.Model):
    class Kind(models.TextChoices):
        FEE = "fee", "Fee"
        EXPENSE = "expense", "Expense"

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    fee_basis = models.CharField(max_length=20, choices=FEE_BASIS_CHOICES, blank=True)
    hours = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    category = models.CharField(max_length=30, choices=ExpenseCategory.choices, blank=True)
    description = models.CharField(max_length=200, blank=True)
    miles = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    # The fee rate or pence per mile used, copied from the policy so history never shifts.
    rate_pence = models.PositiveIntegerField(null=True, blank=True)
    amount_pence = models.PositiveIntegerField()
    agreed_with = models.CharField(
        "who agreed it", max_length=150, blank=True, help_text="For taxis agreed before travel."
    )
    # A taxi agreed in the hub by staff running the session: set by the service from the
    # sign-up, never from what a form sent. Kept after the agreement is withdrawn.
    taxi_agreement = models.ForeignKey(
        TaxiAgreement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="claim_lines",
    )
    receipt = models.OneToOneField(
        Receipt, on_delete=models.SET_NULL, null=True, blank=True, related_name="line"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "created_at", "id"]  # the fee ("fee" < "expense") first
        constraints = [
            models.UniqueConstraint(
                fields=["claim"], condition=models.Q(kind="fee"), name="one_fee_line_per_claim"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(kind="fee", category="") & ~models.Q(fee_basis="")
                    | models.Q(kind="expense", fee_basis="") & ~models.Q(category="")
                ),
                name="claim_line_fee_or_expense",
            ),
        ]

    def __str__(self):
        return f"{self.label}: {self.amount_pence}p"

    @property
    def label(self) -> str:
        if self.kind == self.Kind.FEE:
            return f"Fee ({self.get_fee_basis_display().lower()})"
        return self.get_category_display()

    @property
    def is_fee(self) -> bool:
        return self.kind == self.Kind.FEE

    @property
    def agreed_in_hub(self) -> bool:
        """Relies on a taxi agreement staff recorded in the hub, still standing."""
        return self.taxi_agreement_id is not None and self.taxi_agreement.is_live

    @property
    def taxi_agreed_after_session(self) -> bool:
        """Its taxi agreement was recorded once the session had started: weaker evidence that
        it was agreed before the journey, which the commissioner should know."""
        return (
            self.taxi_agreement_id is not None
            and self.taxi_agreement.agreed_at > self.claim.opportunity.starts_at
        )


class ClaimEvent(models.Model):
    """One change to a claim: who did what, when, and why. Shown on the claim."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    from_status = models.CharField(max_length=20, choices=Claim.Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Claim.Status.choices)
    note = models.TextField(blank=True)
    on_behalf = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.claim.reference}: {self.from_status or 'new'} → {self.to_status}"

    # The notes of payment runs, for staff: built here, and read back here so that the
    # person claiming never sees a run's reference, which means nothing to them.
    NOT_PAID_NOTE_START = "Not paid in "
    _NOT_PAID_NOTE_END = "It will go in the next payment run."
    _PAID_NOTE_START = "Paid in "
    _ADDED_NOTE_START = "Added to "
    _RUN_CANCELLED_NOTE_END = " cancelled: back to waiting for the next payment run"
    # Notes written before the reason got its full stop read "…: Bank account closed It will".
    _NOT_PAID_NOTE = re.compile(
        rf"{NOT_PAID_NOTE_START}PR-\d+: (?P<reason>.*?) ?{re.escape(_NOT_PAID_NOTE_END)}", re.DOTALL
    )
    _PAID_NOTE = re.compile(rf"{_PAID_NOTE_START}PR-\d+")
    _ADDED_NOTE = re.compile(rf"{_ADDED_NOTE_START}PR-\d+")
    _RUN_CANCELLED_NOTE = re.compile(rf"PR-\d+{re.escape(_RUN_CANCELLED_NOTE_END)}")
    # A correction of the session's fee, worked through to the claim (fee_corrections).
    FEE_CORRECTED_NOTE_START = "The session's fee was corrected"
    # A correction of the session's day, which the claim takes as its own (fee_corrections).
    _DAY_CORRECTED_NOTE_START = "The session's date was corrected"

    # Money asked back after the session's fee was corrected down (services.money_back). The
    # person reads these notes, so they are written to them.
    _ASKED_BACK_NOTE_START = "We have asked you to pay back "
    _MONEY_BACK_NOTE_START = "We have received "
    _STOPPED_ASKING_NOTE_START = "We have stopped asking you to pay back "
    _NOTHING_TO_PAY_BACK_NOTE_START = (
        "The payment to you came back from the bank, so there is nothing to pay back."
    )

    @classmethod
    def asked_back_note(cls, adjustment) -> str:
        return (
            f"{cls._ASKED_BACK_NOTE_START}{format_pounds(adjustment.amount_pence)}. The "
            f"session's fee was corrected to {format_pounds(adjustment.fee_after_pence)}, and "
            f"we had paid you {format_pounds(adjustment.fee_before_pence)}. You do not need to "
            "do anything until we contact you about how to pay it back."
        )

    @classmethod
    def money_back_note(cls, adjustment, *, amount_pence: int, received_on) -> str:
        still = adjustment.still_asked_back_pence
        rest = (
            f"{format_pounds(still)} is still to pay back."
            if still
            else "That is all of it paid back."
        )
        return (
            f"{cls._MONEY_BACK_NOTE_START}{format_pounds(amount_pence)} you paid back, on "
            f"{received_on:%-d %B %Y}. Thank you. {rest}"
        )

    @classmethod
    def stopped_asking_note(cls, adjustment) -> str:
        return (
            f"{cls._STOPPED_ASKING_NOTE_START}{format_pounds(adjustment.not_asked_for_pence)}. "
            "You do not need to pay it."
        )

    @classmethod
    def nothing_to_pay_back_note(cls, *, not_asked_for_pence: int, owed_back_pence: int) -> str:
        """The claim's payment came back from the bank after we asked for money back
        (services.money_back.nothing_to_pay_back)."""
        note = cls._NOTHING_TO_PAY_BACK_NOTE_START
        if not_asked_for_pence:
            note += (
                f" You do not need to pay us the {format_pounds(not_asked_for_pence)} we asked for."
            )
        if owed_back_pence:
            note += (
                f" We will pay you back the {format_pounds(owed_back_pence)} you paid us when "
                "we pay this claim."
            )
        return note

    def _is_money_back(self, start) -> bool:
        return self.from_status == self.to_status and self.note.startswith(start)

    @property
    def is_asked_back(self) -> bool:
        return self._is_money_back(self._ASKED_BACK_NOTE_START)

    @property
    def is_money_back(self) -> bool:
        return self._is_money_back(self._MONEY_BACK_NOTE_START)

    @property
    def is_stopped_asking(self) -> bool:
        return self._is_money_back(self._STOPPED_ASKING_NOTE_START)

    @property
    def is_nothing_to_pay_back(self) -> bool:
        return self._is_money_back(self._NOTHING_TO_PAY_BACK_NOTE_START)

    @classmethod
    def day_corrected_note(cls, day, *, was) -> str:
        """ "The session's date was corrected to Tuesday 3 March 2026, so this claim is for
        that day (it was for Monday 2 March 2026)." """
        return (
            f"{cls._DAY_CORRECTED_NOTE_START} to {day:%A %-d %B %Y}, so this claim is for that "
            f"day (it was for {was:%A %-d %B %Y})."
        )

    @classmethod
    def not_paid_note(cls, run, reason: str) -> str:
        """ "Not paid in PR-0002: Bank account closed. It will go in the next payment run." """
        return (
            f"{cls.NOT_PAID_NOTE_START}{run.reference}: {reason}{full_stop_after(reason)} "
            f"{cls._NOT_PAID_NOTE_END}"
        )

    @classmethod
    def paid_note(cls, run) -> str:
        return f"{cls._PAID_NOTE_START}{run.reference}"

    @classmethod
    def added_to_run_note(cls, run) -> str:
        return f"{cls._ADDED_NOTE_START}{run.reference}"

    @classmethod
    def run_cancelled_note(cls, run) -> str:
        return f"{run.reference}{cls._RUN_CANCELLED_NOTE_END}"

    @property
    def is_not_paid(self) -> bool:
        """A payment that did not go through: taken out of a run before it was confirmed
        (the claim stays approved), or returned by the bank after (paid back to approved)."""
        return (
            self.to_status == Claim.Status.APPROVED
            and self.from_status in (Claim.Status.APPROVED, Claim.Status.PAID)
            and self.note.startswith(self.NOT_PAID_NOTE_START)
        )

    @property
    def is_top_up_move(self) -> bool:
        """A paid claim that stays paid: a top-up owed after its session's fee was corrected
        went into a payment run, was paid, or did not go through."""
        return self.from_status == self.to_status == Claim.Status.PAID

    @property
    def is_top_up_not_paid(self) -> bool:
        return self.is_top_up_move and self.note.startswith(self.NOT_PAID_NOTE_START)

    @property
    def is_top_up_paid(self) -> bool:
        # Any status: a top-up paid while the claim's own payment had come back (approved).
        return self.from_status == self.to_status and bool(self._PAID_NOTE.fullmatch(self.note))

    @property
    def is_fee_corrected(self) -> bool:
        """The session's fee was corrected, and the claim's fee followed."""
        return self.from_status == self.to_status and self.note.startswith(
            self.FEE_CORRECTED_NOTE_START
        )

    @property
    def is_day_corrected(self) -> bool:
        """The session was moved to another day, and the claim with it."""
        return self.from_status == self.to_status and self.note.startswith(
            self._DAY_CORRECTED_NOTE_START
        )

    def _is_run_move(self, pattern) -> bool:
        return self.from_status == self.to_status in (
            Claim.Status.APPROVED,
            Claim.Status.PAID,
        ) and bool(pattern.fullmatch(self.note))

    @property
    def is_added_to_run(self) -> bool:
        return self._is_run_move(self._ADDED_NOTE)

    @property
    def is_run_cancelled(self) -> bool:
        return self._is_run_move(self._RUN_CANCELLED_NOTE)

    @property
    def is_approval_withdrawn(self) -> bool:
        return self.from_status == Claim.Status.APPROVED and self.to_status == Claim.Status.REJECTED

    @property
    def is_reopened(self) -> bool:
        """A rejected claim a commissioner looked at again and sent back to the person."""
        return self.from_status == Claim.Status.REJECTED and self.to_status == Claim.Status.RETURNED

    @property
    def summary(self) -> str:
        if not self.from_status:
            return "Claim started"
        if self.is_fee_corrected:
            if self.to_status in (Claim.Status.APPROVED, Claim.Status.PAID):
                return "Fee corrected after approval"
            return "Fee worked out again"
        if self.is_day_corrected:
            return "Date corrected"
        if self.is_asked_back:
            return "Asked for money back"
        if self.is_money_back:
            return "Money paid back"
        if self.is_stopped_asking:
            return "Stopped asking for money back"
        if self.is_nothing_to_pay_back:
            return "Payment returned: nothing to pay back"
        if self.is_top_up_not_paid:
            return "Top-up payment did not go through"
        if self.is_top_up_paid:
            return "Top-up paid"
        if self.is_top_up_move and self.is_added_to_run:
            return "Top-up added to a payment run"
        if self.is_top_up_move and self.is_run_cancelled:
            return "Payment run cancelled: top-up back to waiting"
        if self.is_not_paid:
            if self.from_status == Claim.Status.PAID:
                return "Payment returned: back to waiting for the next run"
            return "Payment did not go through"
        if self.is_added_to_run:
            return "Added to a payment run"
        if self.is_run_cancelled:
            return "Payment run cancelled: back to waiting"
        if self.from_status == self.to_status:
            return "Claim corrected"
        if self.is_approval_withdrawn:
            return "Approval withdrawn"
        if self.is_reopened:
            return "Reopened: returned for changes"
        return {
            Claim.Status.SUBMITTED: "Sent for approval"
            if self.from_status == Claim.Status.DRAFT
            else "Sent again after changes",
            Claim.Status.APPROVED: "Approved",
            Claim.Status.RETURNED: "Returned for changes",
            Claim.Status.REJECTED: "Rejected",
            Claim.Status.PAID: "Paid",
        }.get(self.to_status, self.get_to_status_display())

    @property
    def resident_summary(self) -> str:
        """The summary for the person claiming, in the words their status uses (Claim.
        RESIDENT_STATUS) rather than the approval workflow's: no payment runs."""
        if self.is_fee_corrected:
            return "Fee changed"
        if self.is_day_corrected:
            return "Date corrected"
        if self.is_asked_back:
            return "We asked for money back"
        if self.is_money_back:
            return "Money paid back"
        if self.is_stopped_asking:
            return "No need to pay the rest back"
        if self.is_nothing_to_pay_back:
            return "Nothing to pay back"
        if self.is_top_up_paid:
            return "Extra paid"
        if self.is_not_paid or self.is_top_up_not_paid:
            return "Payment did not go through"
        if self.is_added_to_run:
            return "Sent to be paid"
        if self.is_run_cancelled:
            return "Payment delayed"
        if self.from_status and self.from_status == self.to_status:
            return "Amount changed"
        if self.from_status == Claim.Status.DRAFT and self.to_status == Claim.Status.SUBMITTED:
            return "Sent to us"
        if self.is_reopened:
            return "We looked at it again"
        if self.to_status == Claim.Status.RETURNED:
            return "We asked for changes"
        if self.is_approval_withdrawn:
            return "No longer approved"
        if self.to_status == Claim.Status.REJECTED:
            return "Not approved"
        return self.summary

    @property
    def resident_note(self) -> str:
        """The note for the person claiming: a payment run's note without its reference
        (only the reason a payment did not go through, as a sentence); others as written."""
        if self.is_not_paid or self.is_top_up_not_paid:
            match = self._NOT_PAID_NOTE.fullmatch(self.note)
            reason = match["reason"].strip() if match else ""
            return f"{reason}{full_stop_after(reason)}" if reason else ""
        if self.is_run_cancelled:
            return "We will pay it with our next batch of payments."
        if self._PAID_NOTE.fullmatch(self.note) or self.is_added_to_run:
            return ""
        return self.note


class PaymentRun(models.Model):
    """A batch of approved claims sent to finance as a CSV. Claims in it are marked paid only
    when a commissioner confirms finance has paid them."""

    class Status(models.TextChoices):
        EXPORTED = "exported", "Waiting for confirmation"
        PAID = "paid", "Paid"
        CANCELLED = "cancelled", "Cancelled"

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.EXPORTED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    claim_count = models.PositiveIntegerField(default=0)
    total_pence = models.PositiveBigIntegerField(default=0)
    paid_on = models.DateField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)

    STATUS_TAG_CLASSES = {
        Status.EXPORTED: "govuk-tag--yellow",
        Status.PAID: "govuk-tag--green",
        Status.CANCELLED: "govuk-tag--grey",
    }

    objects = PaymentRunQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.reference

    def get_absolute_url(self):
        return reverse("payments:run", args=[self.pk])

    @property
    def reference(self) -> str:
        return self.reference_for(self.pk) if self.pk else "PR-new"

    @staticmethod
    def reference_for(pk: int) -> str:
        """A run's reference from its id alone, for lists that do not load the run."""
        return f"PR-{pk:04d}"

    @property
    def is_open(self) -> bool:
        """Exported and waiting for finance: it can still be confirmed, cancelled, or have a
        claim taken out."""
        return self.status == self.Status.EXPORTED

    @property
    def is_paid(self) -> bool:
        return self.status == self.Status.PAID

    @property
    def is_cancelled(self) -> bool:
        """Nothing in it was paid: lists show it as cancelled, never with a total to pay."""
        return self.status == self.Status.CANCELLED

    @property
    def status_tag_class(self) -> str:
        return self.STATUS_TAG_CLASSES[self.status]

    @property
    def can_be_downloaded(self) -> bool:
        # Keep in step with PaymentRunQuerySet.exportable(): a cancelled run's claims are
        # waiting for the next run, so its file must not reach finance again.
        return self.status != self.Status.CANCELLED


class PaymentRunItem(models.Model):
    """What a run held for one claim, as exported. Kept even if the run is cancelled."""

    run = models.ForeignKey(PaymentRun, on_delete=models.PROTECT, related_name="items")
    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="run_items")
    fee_pence = models.PositiveIntegerField()
    expenses_pence = models.PositiveIntegerField()
    # Set when finance could not pay this one claim (the bank returned it, say): it left the
    # run and waits for the next one, while the rest of the run is paid as usual.
    taken_out_at = models.DateTimeField(null=True, blank=True)
    taken_out_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    taken_out_reason = models.TextField(blank=True)
    # What of it is more owed because the session's fee was corrected after approval
    # (FeeAdjustment top-ups), so commissioners see it before paying.
    top_up_pence = models.PositiveIntegerField(default=0)
    # The claim was paid already when the run was made: this item pays only its top-ups, and
    # confirming, cancelling or taking it out leaves the claim paid.
    top_up_only = models.BooleanField(default=False)

    objects = PaymentRunItemQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "claim"], name="one_item_per_claim_per_run"),
        ]

    def __str__(self):
        return f"{self.run} – {self.claim}"

    @property
    def total_pence(self) -> int:
        return self.fee_pence + self.expenses_pence

    @property
    def is_taken_out(self) -> bool:
        return self.taken_out_at is not None


class LedgerEntry(models.Model):
    """One immutable movement of money, in signed pence.

    Two accounts: OWED is what we have agreed to pay someone and not yet paid (it is also the
    amount committed against the project's budget); PAID is what has gone out (spent).
    Approval adds to OWED. Payment takes from OWED and adds to PAID. A correction reverses the
    entries it replaces (a negated copy pointing at the original) and adds a new entry. Money a
    person pays back of an overpayment we asked for takes from PAID (REPAYMENT), on the day it
    came back; once the fee is worked out again (it becomes what they kept), or the payment it
    was taken off comes back from the bank (we owe it to them again), a REPAYMENT adds the same
    to OWED (services.ledger._paid_back_counted). So a claim's OWED and PAID add up to what is
    approved, and money paid back counts once.
    """

    class Kind(models.TextChoices):
        APPROVAL = "approval", "Approval"
        PAYMENT = "payment", "Payment"
        REVERSAL = "reversal", "Reversal"
        CORRECTION = "correction", "Correction"
        # Money the person paid back after we asked for an overpayment back
        # (services.money_back): a negative PAID entry, on the day it came back.
        REPAYMENT = "repayment", "Money paid back"

    class Account(models.TextChoices):
        OWED = "owed", "Owed to the person"
        PAID = "paid", "Paid out"

    class Component(models.TextChoices):
        FEE = "fee", "Fee"
        EXPENSES = "expenses", "Expenses"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    account = models.CharField(max_length=10, choices=Account.choices)
    component = models.CharField(max_length=10, choices=Component.choices)
    amount_pence = models.BigIntegerField()
    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="ledger_entries")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="ledger_entries"
    )
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_entries",
    )
    payment_run = models.ForeignKey(
        PaymentRun, on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_entries"
    )
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by"
    )
    effective_on = models.DateField(help_text="The day this counts from (for payments, paid).")
    tax_year = models.PositiveSmallIntegerField(help_text="The UK tax year it falls in.")
    note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = LedgerEntryQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "ledger entries"
        indexes = [
            # Balances owed to each person, and tax-year totals of what was paid to them.
            models.Index(fields=["account", "person", "tax_year"], name="ledger_person_idx"),
            # Spent and committed against each project's budget.
            models.Index(fields=["account", "project"], name="ledger_project_idx"),
            # The ledger page: newest first (read backwards), and its date and tax-year
            # filters (LedgerEntryQuerySet.newest_first / for_ledger_filters).
            models.Index(fields=["effective_on", "id"], name="ledger_effective_idx"),
        ]

    # What each kind of entry means, for people reading the ledger.
    KIND_MEANINGS = {
        Kind.APPROVAL: "A commissioner approved the claim: we owe the person this much.",
        Kind.CORRECTION: "The approved amount was corrected: the new amount owed.",
        Kind.REVERSAL: "Cancels an earlier entry, for a correction or a withdrawn approval, "
        "or a payment that came back. It has the opposite sign.",
        Kind.PAYMENT: "Money paid in a payment run: taken off what we owe and added to "
        "what was paid out.",
        Kind.REPAYMENT: "Money the person paid back after a session's fee was corrected down: "
        "taken off what was paid out, in the tax year it came back (negative). When the fee is "
        "corrected again, or the payment it was taken off comes back from the bank, the same "
        "amount is added to what we owe (positive), so it counts once.",
    }

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount_pence}p ({self.account})"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise LedgerImmutableError(
                "Ledger entries cannot be changed. Add a correction instead."
            )
        if self.tax_year is None and self.effective_on:
            self.tax_year = tax_year_for(self.effective_on)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise LedgerImmutableError("Ledger entries cannot be deleted. Add a correction instead.")

    @property
    def claim_reference(self) -> str:
        return Claim.reference_for(self.claim_id)

    @property
    def payment_run_reference(self) -> str:
        return PaymentRun.reference_for(self.payment_run_id) if self.payment_run_id else ""


class FeeAdjustment(models.Model):
    """What correcting a session's fee (its basis, or its hours when paid by the hour) meant
    for one claim a commissioner had already approved, or that was paid.

    Claims not yet approved simply follow the session: their fee line is worked out again
    (services.fee_corrections). Once an amount is approved the person has been told it, so:

    - TOP_UP: the fee is now more. Only commissioners approve what we pay, so staff's
      correction makes it a top-up to approve: nothing in the ledger changes and no payment
      run pays it. A commissioner who may approve the claim approves it (`approved_at`): the
      approved fee is then corrected in the ledger (reverse and replace), so what we owe the
      person goes up by `amount_pence`, and the next payment run pays it exactly once: with
      the claim if it is not paid yet, or on its own line (PaymentRunItem.top_up_only) if it
      is. Or they refuse it, saying why, and nothing is owed.
    - OVERPAYMENT: the fee is now less than was approved or paid. The hub takes nothing back
      by itself and the ledger does not change: a commissioner decides (correct an approved
      amount that is not paid yet, leave it, or ask for the money back) and says why. Until
      then no payment run pays the claim (ClaimQuerySet.held_from_payment_runs). Money
      asked back is then recorded as it comes back (`recovered_pence`, and a REPAYMENT in the
      ledger) until all of it is back (`repaid_on`) or a commissioner stops asking for the
      rest (`stopped_asking_at`; services.money_back).

    A later correction of the same session replaces what is still open: a top-up waiting for
    approval is cancelled; an approved top-up not yet in a payment run is kept when the fee
    is now at least what was approved with it, and otherwise cancelled (the approved fee goes
    back to what it was without it); an overpayment not yet decided is superseded. The
    difference is then worked out again.

    Top-ups approved before commissioners had to approve them carry `approved_at` (their
    creation) and no `approved_by`.
    """

    class Kind(models.TextChoices):
        TOP_UP = "top_up", "Top-up"
        OVERPAYMENT = "overpayment", "Overpayment"

    class Outcome(models.TextChoices):
        OPEN = "", "Open"
        # Top-ups: replaced by a later correction before a payment run took them.
        CANCELLED = "cancelled", "Cancelled"
        # Top-ups: a commissioner would not approve it (why, in `reason`).
        REFUSED = "refused", "Refused"
        # Overpayments: a later correction of the session worked the difference out again.
        SUPERSEDED = "superseded", "Replaced by a later correction"
        # Overpayments: a commissioner's decision.
        LEFT = "left", "Left as it is"
        RECOVER = "recover", "Asking for it back"
        CORRECTED = "corrected", "Approved amount corrected"

    # What a commissioner may decide about an overpayment, by whether the claim is paid yet:
    # an approved amount not yet paid is corrected on the claim's own page instead.
    DECISIONS_WHEN_PAID = (Outcome.LEFT, Outcome.RECOVER)
    DECISIONS_WHEN_APPROVED = (Outcome.LEFT,)

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="fee_adjustments")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # The difference: owed to the person (top-up), or paid or approved over the fee.
    amount_pence = models.PositiveIntegerField()
    # The fee already approved or paid that could not change, and the session's fee now.
    fee_before_pence = models.PositiveIntegerField()
    fee_after_pence = models.PositiveIntegerField()
    # In the hub's words, never a person's: "Half day (£50.00) corrected to full day (£90.00)".
    what_changed = models.CharField(max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Top-ups: the payment run holding it (or that paid it), and the day it was paid.
    payment_run = models.ForeignKey(
        PaymentRun,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fee_adjustments",
    )
    paid_on = models.DateField(null=True, blank=True)
    # Top-ups: when a commissioner approved it, and who. Until then nothing is owed.
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True, default="")
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Why it was decided so, in the commissioner's words (kept from the person's pages).
    reason = models.TextField(blank=True)
    # Overpayments asked back (RECOVER; services.money_back): what the person has paid back so
    # far (each payment is a REPAYMENT in the ledger), the day the last of it came back, and
    # whether a commissioner stopped asking for the rest, when, who and why (the reason is
    # kept from the person's pages, like `reason`).
    recovered_pence = models.PositiveIntegerField(default=0)
    repaid_on = models.DateField(null=True, blank=True)
    stopped_asking_at = models.DateTimeField(null=True, blank=True)
    stopped_asking_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    stop_reason = models.TextField(blank=True)
    # Top-ups and overpayments: money the person had paid back of an earlier overpayment when
    # this was worked out. `fee_before_pence` is what they kept, so it already takes this off
    # (services.fee_corrections): pages and messages say both.
    paid_back_pence = models.PositiveIntegerField(default=0)
    # Overpayments asked back: the claim's payment came back from the bank after we asked
    # (services.runs.record_payment_returned). The person never had the money, so nothing is
    # asked back any more, and what they had paid back (`recovered_pence`) is owed to them
    # again, in the ledger, and paid with the claim.
    payment_came_back = models.BooleanField(default=False)

    objects = FeeAdjustmentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_pence__gt=0), name="fee_adjustment_not_nothing"
            ),
            # One open question per claim for commissioners. Also the index behind
            # "overpayments to decide" (FeeAdjustmentQuerySet.to_decide).
            models.UniqueConstraint(
                fields=["claim"],
                condition=models.Q(kind="overpayment", outcome=""),
                name="one_open_overpayment_per_claim",
            ),
            models.CheckConstraint(
                condition=models.Q(paid_on__isnull=True)
                | models.Q(kind="top_up", payment_run__isnull=False),
                name="fee_adjustment_paid_top_up_in_a_run",
            ),
            models.CheckConstraint(
                condition=models.Q(outcome="", closed_at__isnull=True)
                | ~models.Q(outcome="") & models.Q(closed_at__isnull=False),
                name="fee_adjustment_closed_with_an_outcome",
            ),
            # Only a top-up is approved, and no payment run takes one before it is.
            models.CheckConstraint(
                condition=models.Q(approved_at__isnull=True) | models.Q(kind="top_up"),
                name="fee_adjustment_only_top_ups_approved",
            ),
            models.CheckConstraint(
                condition=models.Q(payment_run__isnull=True) | models.Q(approved_at__isnull=False),
                name="fee_adjustment_in_a_run_once_approved",
            ),
            # One top-up to approve per claim: a later correction replaces it. Also the index
            # behind "top-ups to approve" (FeeAdjustmentQuerySet.to_approve).
            models.UniqueConstraint(
                fields=["claim"],
                condition=models.Q(kind="top_up", outcome="", approved_at__isnull=True),
                name="one_top_up_to_approve_per_claim",
            ),
            # Money comes back only for an overpayment asked back, never more than was asked;
            # it is repaid when all of it is back, and then there is nothing left to stop
            # asking for. The row lock in services.money_back keeps to these; the database
            # refuses anything that slips past.
            models.CheckConstraint(
                condition=models.Q(recovered_pence=0, stopped_asking_at__isnull=True)
                | models.Q(outcome="recover", recovered_pence__lte=models.F("amount_pence")),
                name="fee_adjustment_money_back_only_when_asked",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    repaid_on__isnull=True, recovered_pence__lt=models.F("amount_pence")
                )
                | models.Q(
                    repaid_on__isnull=False,
                    recovered_pence=models.F("amount_pence"),
                    stopped_asking_at__isnull=True,
                ),
                name="fee_adjustment_repaid_when_all_back",
            ),
        ]
        indexes = [
            # Top-ups waiting for a payment run (FeeAdjustmentQuerySet.waiting_top_ups): read
            # by every payment run and by the runs page, so only the few waiting are indexed.
            # A claim may have two (one back from a cancelled run, one from a correction made
            # meanwhile): a run pays what the ledger says is owed, never the sum of these.
            models.Index(
                fields=["claim"],
                condition=models.Q(
                    kind="top_up", payment_run__isnull=True, outcome="", approved_at__isnull=False
                ),
                name="fee_top_up_waiting_idx",
            ),
            # Money asked back and not yet received (FeeAdjustmentQuerySet.asked_back): the
            # list finance works from, oldest decision first. Only those still open are indexed.
            models.Index(
                fields=["closed_at", "id"],
                condition=models.Q(
                    kind="overpayment",
                    outcome="recover",
                    repaid_on__isnull=True,
                    stopped_asking_at__isnull=True,
                ),
                name="fee_money_asked_back_idx",
            ),
        ]

    def __str__(self):
        # No names: this is what the audit trail calls it, and it outlives an erased person.
        return self.reference

    @property
    def reference(self) -> str:
        return f"{self.get_kind_display()} {self.pk} on {Claim.reference_for(self.claim_id)}"

    @property
    def is_top_up(self) -> bool:
        return self.kind == self.Kind.TOP_UP

    @property
    def is_open(self) -> bool:
        return self.outcome == self.Outcome.OPEN

    @property
    def is_waiting(self) -> bool:
        """An approved top-up no payment run has taken yet (or one taken out of it, or
        cancelled): what we owe, in the ledger."""
        return (
            self.is_top_up
            and self.is_open
            and self.approved_at is not None
            and self.payment_run_id is None
        )

    @property
    def can_be_approved(self) -> bool:
        """A top-up waiting for a commissioner: nothing is owed until one approves it."""
        return self.is_top_up and self.is_open and self.approved_at is None

    @property
    def can_be_decided(self) -> bool:
        return self.kind == self.Kind.OVERPAYMENT and self.is_open

    @property
    def is_asked_back(self) -> bool:
        """An overpayment a commissioner asked the person to pay back (whatever came of it)."""
        return self.kind == self.Kind.OVERPAYMENT and self.outcome == self.Outcome.RECOVER

    @property
    def is_repaid(self) -> bool:
        return self.repaid_on is not None

    @property
    def still_asked_back_pence(self) -> int:
        """What we are still asking the person to pay back: nothing once it is all back or a
        commissioner stopped asking."""
        if not self.is_asked_back or self.is_repaid or self.stopped_asking_at is not None:
            return 0
        return self.amount_pence - self.recovered_pence

    @property
    def can_take_money_back(self) -> bool:
        """Whether money received back, or stopping asking, can be recorded for it."""
        return self.still_asked_back_pence > 0

    @property
    def not_asked_for_pence(self) -> int:
        """What a commissioner stopped asking for: the person need not pay it back."""
        if self.stopped_asking_at is None:
            return 0
        return self.amount_pence - self.recovered_pence

    @property
    def money_back_state(self) -> str:
        """Where money asked back stands, in words for commissioners and the person alike."""
        if self.payment_came_back:
            state = "The payment came back from the bank, so there is nothing to pay back"
            if self.recovered_pence:
                state += (
                    f". The {format_pounds(self.recovered_pence)} paid back before then is "
                    "returned with the claim's next payment"
                )
            return state
        if self.is_repaid:
            return f"Paid back in full on {self.repaid_on:%-d %B %Y}"
        received = format_pounds(self.recovered_pence)
        if self.stopped_asking_at is not None:
            rest = format_pounds(self.not_asked_for_pence)
            if self.recovered_pence:
                return f"{received} paid back; we stopped asking for the other {rest}"
            return f"We stopped asking for it ({rest})"
        if self.recovered_pence:
            return (
                f"{received} paid back, {format_pounds(self.still_asked_back_pence)} still to come"
            )
        return "Nothing paid back yet"

    @property
    def resident_state(self) -> str:
        """Where a top-up stands, for the person it is owed to (no payment runs)."""
        if self.paid_on:
            return f"Paid on {self.paid_on:%-d %B %Y}."
        return "We will pay it with our next batch of payments."

    @property
    def state(self) -> str:
        """Where it stands, in a few words for commissioners."""
        if self.is_top_up:
            if self.outcome == self.Outcome.CANCELLED:
                return "Cancelled by a later correction"
            if self.outcome == self.Outcome.REFUSED:
                return "Refused"
            if self.paid_on:
                return "Paid"
            if self.payment_run_id:
                return "In a payment run"
            if self.approved_at is None:
                return "To approve"
            return "Approved, for the next payment run"
        if self.is_open:
            return "To decide"
        if self.is_asked_back:
            return f"Asked back: {self.money_back_state[0].lower()}{self.money_back_state[1:]}"
        return self.get_outcome_display()
