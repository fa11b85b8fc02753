"""Changes to the payment policy: fee rates and expense rules from a future date, and the
policy's settings."""

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from ..models import ExpenseRule, FeeRate, PaymentPolicy
from ._common import PaymentError, _require_commissioner


def _check_change_starts_on(starts_on: date) -> None:
    """A change to the policy starts tomorrow or later: a claim uses the rates in force on
    the day of the activity, so a change dated earlier would rewrite what was in force then
    and pay two people different amounts for the same session. Today counts as earlier: a
    session held this morning may already have a claim at the old rate."""
    if starts_on <= timezone.localdate():
        raise PaymentError("The start date must be tomorrow or later")


def add_fee_rate(*, by, basis: str, amount_pence: int, starts_on: date) -> FeeRate:
    _require_commissioner(by)
    _check_change_starts_on(starts_on)
    try:
        with transaction.atomic():
            return FeeRate.objects.create(
                basis=basis, amount_pence=amount_pence, starts_on=starts_on, created_by=by
            )
    except IntegrityError:
        raise PaymentError(
            "There is already a rate of this kind starting on that day. Choose another date."
        ) from None


def add_expense_rule(*, by, category: str, starts_on: date, **fields) -> ExpenseRule:
    _require_commissioner(by)
    _check_change_starts_on(starts_on)
    try:
        with transaction.atomic():
            return ExpenseRule.objects.create(
                category=category, starts_on=starts_on, created_by=by, **fields
            )
    except IntegrityError:
        raise PaymentError(
            "There is already a rule for this expense starting on that day. Choose another date."
        ) from None


def remove_scheduled_change(change, *, by) -> None:
    """Only changes that have not started can be removed; past rates are history."""
    _require_commissioner(by)
    if change.starts_on <= timezone.localdate():
        raise PaymentError(
            "This has already started, so it cannot be removed. Add a new change instead."
        )
    change.delete()


def update_policy(*, by, **fields) -> PaymentPolicy:
    _require_commissioner(by)
    with transaction.atomic():
        policy_row = PaymentPolicy.objects.select_for_update().get(pk=PaymentPolicy.current().pk)
        for name, value in fields.items():
            setattr(policy_row, name, value)
        policy_row.updated_by = by
        policy_row.save()
    return policy_row
