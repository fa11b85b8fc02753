"""Admin views of payments. Money changes go through the hub's pages (and services), which
keep the audit trail and the ledger; the admin can look but not edit claims or the ledger."""

from django.contrib import admin
from django.db import models

from .models import (
    Claim,
    ClaimEvent,
    ClaimLine,
    ConflictOfInterest,
    ExpenseRule,
    FeeAdjustment,
    FeeRate,
    LedgerEntry,
    PaymentPolicy,
    PaymentRun,
    PaymentRunItem,
    TaxiAgreement,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        # Every field shown is only shown; listing them here also keeps a field Django will
        # not put in a form (created_at) from breaking the claim's page.
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ClaimLineInline(ReadOnlyInline):
    model = ClaimLine
    fields = [
        "kind",
        "fee_basis",
        "category",
        "description",
        "miles",
        "amount_pence",
        "agreed_with",
        "taxi_agreement",
    ]

    def get_queryset(self, request):
        # A taxi agreement is named by ids alone (TaxiAgreement.__str__): no query per row.
        return super().get_queryset(request).select_related("taxi_agreement")


class ClaimEventInline(ReadOnlyInline):
    model = ClaimEvent
    fields = ["created_at", "actor", "from_status", "to_status", "note"]

    def get_queryset(self, request):
        # Each row is named after the claim, and says who acted.
        return super().get_queryset(request).select_related("claim", "actor")


@admin.register(Claim)
class ClaimAdmin(ReadOnlyAdmin):
    list_display = ["reference", "claimant", "opportunity", "status", "submitted_at", "paid_on"]
    list_filter = ["status", "payment_method"]
    search_fields = ["claimant__email", "claimant__display_name", "opportunity__title"]
    list_select_related = ["claimant", "opportunity"]
    inlines = [ClaimLineInline, ClaimEventInline]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    """Ledger rows are immutable: no add, change or delete here (and the model refuses)."""

    list_display = [
        "created_at",
        "kind",
        "account",
        "component",
        "amount_pence",
        "person",
        "project",
        "claim",
        "tax_year",
    ]
    list_filter = ["kind", "account", "component", "tax_year"]
    search_fields = ["person__email", "person__display_name"]
    # A claim's name includes the claimant's.
    list_select_related = ["person", "project", "claim__claimant"]
    # Newest first, by the primary key's index: the model's own order (oldest first, by
    # created_at) would put today's lines on the last of thousands of pages, and sort
    # millions of rows to show the first.
    ordering = ["-id"]
    # No second count of every line in the ledger under a filtered list.
    show_full_result_count = False
    actions = None


class PaymentRunItemInline(ReadOnlyInline):
    model = PaymentRunItem
    fields = ["claim", "fee_pence", "expenses_pence", "top_up_pence", "top_up_only"]

    def get_queryset(self, request):
        # A run pays hundreds of claims; each row is named after the run, the claim and its
        # claimant.
        return super().get_queryset(request).select_related("run", "claim__claimant")


@admin.register(PaymentRun)
class PaymentRunAdmin(ReadOnlyAdmin):
    list_display = ["reference", "status", "created_at", "claim_count", "total_pence", "paid_on"]
    list_filter = ["status"]
    inlines = [PaymentRunItemInline]


@admin.register(FeeRate)
class FeeRateAdmin(ReadOnlyAdmin):
    list_display = ["basis", "amount_pence", "starts_on", "created_by"]
    list_filter = ["basis"]
    list_select_related = ["created_by"]


@admin.register(ExpenseRule)
class ExpenseRuleAdmin(ReadOnlyAdmin):
    list_display = ["category", "allowed", "cap_pence", "receipt_rule", "starts_on"]
    list_filter = ["category"]


@admin.register(ConflictOfInterest)
class ConflictOfInterestAdmin(ReadOnlyAdmin):
    list_display = ["commissioner", "person", "reason", "declared_at", "withdrawn_at"]


@admin.register(TaxiAgreement)
class TaxiAgreementAdmin(ReadOnlyAdmin):
    """Staff agree and withdraw taxis on the session's taxis page, which keeps the audit
    trail and the claims relying on them in step; here they can only be looked at."""

    list_display = ["__str__", "signup", "agreed_by", "agreed_at", "note", "withdrawn_at"]
    list_filter = [("withdrawn_at", admin.EmptyFieldListFilter)]
    # A sign-up is named after the person and the session.
    list_select_related = ["signup__resident", "signup__opportunity", "agreed_by"]
    ordering = ["-id"]


@admin.register(FeeAdjustment)
class FeeAdjustmentAdmin(ReadOnlyAdmin):
    """Top-ups and overpayments after a session's fee was corrected: made by the correction,
    approved or decided on the commissioners' page and paid by payment runs, never here."""

    list_display = [
        "__str__",
        "kind",
        "amount_pence",
        "outcome",
        "created_at",
        "approved_at",
        "paid_on",
    ]
    list_filter = ["kind", "outcome"]
    ordering = ["-id"]


@admin.register(PaymentPolicy)
class PaymentPolicyAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "target_days_to_pay", "updated_at", "updated_by"]
    list_select_related = ["updated_by"]
    # Django 5 warns (and the tests fail) on a web address field that does not say which
    # scheme a bare address gets; the policy's own form says https too.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
