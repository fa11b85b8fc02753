"""Changes to the payment policy: fee rates and expense rules from a future date, and the
policy's settings; and the words that describe a change, so the page that checks a new
rule, the message after saving and the policy page say the same thing."""

from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import dateformat, timezone

from coprod_hub.lib.money import format_pounds

from ..models import ExpenseRule, FeeRate, PaymentPolicy
from ._common import PaymentError, _require_commissioner

STARTS_TOO_SOON = "The start date must be tomorrow or later"
SAME_DAY_RATE = "There is already a rate of this kind starting on that day. Choose another date."
SAME_DAY_RULE = (
    "There is already a rule for this expense starting on that day. Choose another date."
)


def starts_too_soon(starts_on: date) -> bool:
    """A change to the policy starts tomorrow or later: a claim uses the rates in force on
    the day of the activity, so a change dated earlier would rewrite what was in force then
    and pay two people different amounts for the same session. Today counts as earlier: a
    session held this morning may already have a claim at the old rate. (The forms ask this
    too, so the date is checked with everything else typed, not on the next try.)"""
    return starts_on <= timezone.localdate()


def _check_change_starts_on(starts_on: date) -> None:
    if starts_too_soon(starts_on):
        raise PaymentError(STARTS_TOO_SOON)


def add_fee_rate(*, by, basis: str, amount_pence: int, starts_on: date) -> FeeRate:
    _require_commissioner(by)
    _check_change_starts_on(starts_on)
    try:
        with transaction.atomic():
            return FeeRate.objects.create(
                basis=basis, amount_pence=amount_pence, starts_on=starts_on, created_by=by
            )
    except IntegrityError:
        raise PaymentError(SAME_DAY_RATE) from None


def add_expense_rule(*, by, category: str, starts_on: date, **fields) -> ExpenseRule:
    _require_commissioner(by)
    _check_change_starts_on(starts_on)
    try:
        with transaction.atomic():
            return ExpenseRule.objects.create(
                category=category, starts_on=starts_on, created_by=by, **fields
            )
    except IntegrityError:
        raise PaymentError(SAME_DAY_RULE) from None


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


# --- Words for a change ------------------------------------------------------------------

# How each fee reads after its amount: "£22.50 an hour", as the public page lists them.
FEE_WORDS = {
    "per_hour": "an hour",
    "half_day": "for a half day",
    "full_day": "for a full day",
    "per_activity": "for each activity",
}


def long_date(day: date) -> str:
    """ "1 January 2027", as the rest of the hub writes dates."""
    return dateformat.format(day, "j F Y")


def per_mile(pence: int) -> str:
    """ "£0.45 a mile": in pounds, as the form asks for it, and always with pence, so a rate
    typed in the wrong unit stands out (£5.00 is plainly not 5p)."""
    whole, part = divmod(pence, 100)
    return f"£{whole:,}.{part:02d} a mile"


def what_we_pay(rule: ExpenseRule) -> str:
    """ "up to £40 a session", "£0.45 a mile, up to £30 a session", "not paid"."""
    if not rule.allowed:
        return "not paid"
    parts = []
    if rule.is_mileage and rule.rate_per_mile_pence is not None:
        parts.append(per_mile(rule.rate_per_mile_pence))
    if rule.cap_pence is not None:
        parts.append(f"up to {format_pounds(rule.cap_pence)} a session")
    return ", ".join(parts) or "what it costs"


def describe_fee_rate(rate: FeeRate) -> str:
    """ "£22.50 an hour from 1 January 2027"."""
    words = FEE_WORDS.get(rate.basis, rate.get_basis_display().lower())
    return f"{format_pounds(rate.amount_pence)} {words} from {long_date(rate.starts_on)}"


def describe_expense_rule(rule: ExpenseRule) -> str:
    """ "Mileage in your own vehicle: £0.45 a mile from 1 February 2027"."""
    return f"{rule.get_category_display()}: {what_we_pay(rule)} from {long_date(rule.starts_on)}"


def rule_in_words(rule: ExpenseRule | None) -> str:
    """One line for the rule in force, as the policy page's table says it."""
    if rule is None:
        return "No rule yet, so we do not pay it"
    if not rule.allowed:
        return "Not paid"
    text = what_we_pay(rule)
    sentences = [text[:1].upper() + text[1:]]
    if rule.needs_prior_agreement:
        sentences.append("Must be agreed with us before the money is spent")
    sentences.append(rule.receipt_summary)
    return ". ".join(sentences)


AGREED_FIRST = "Must be agreed with us before the money is spent"


def rule_terms(rule: ExpenseRule) -> dict[str, str]:
    """Each part of a rule in words, in the order the form asks for them. A rule that stops
    paying has one: the rest does not apply."""
    terms = {"Do we pay it?": "Yes" if rule.allowed else "No"}
    if not rule.allowed:
        return terms
    if rule.is_mileage:
        terms["Amount per mile"] = per_mile(rule.rate_per_mile_pence or 0)
    terms["Most we pay for each session"] = (
        format_pounds(rule.cap_pence) if rule.cap_pence is not None else "No limit"
    )
    terms["Receipts"] = rule.receipt_summary
    terms[AGREED_FIRST] = "Yes" if rule.needs_prior_agreement else "No"
    return terms


@dataclass(frozen=True)
class TermChange:
    what: str
    before: str
    after: str


@dataclass(frozen=True)
class ProposedRule:
    """A new expense rule not yet saved, next to the rule it replaces on its start date."""

    rule: ExpenseRule
    replaces: ExpenseRule | None
    # A planned change that starts after this rule still starts then, and ends it.
    ended_by: ExpenseRule | None
    changes: list[TermChange]

    @property
    def replaces_a_planned_change(self) -> bool:
        return self.replaces is not None and self.replaces.starts_on > timezone.localdate()


def propose_expense_rule(*, category: str, starts_on: date, **fields) -> ProposedRule:
    """What a new rule would change, compared with the rule that would otherwise apply on its
    start date: the one in force today, or a planned change that starts before it."""
    rule = ExpenseRule(category=category, starts_on=starts_on, **fields)
    replaces = ExpenseRule.objects.for_key(category, starts_on)
    ended_by = (
        ExpenseRule.objects.filter(category=category, starts_on__gt=starts_on)
        .order_by("starts_on", "pk")
        .first()
    )
    if replaces is None:
        before = {"Do we pay it?": "No, there is no rule for it yet"}
    else:
        before = rule_terms(replaces)
    after = rule_terms(rule)
    # A part the old rule did not have (it did not pay the expense) reads "Not paid".
    changes = [
        TermChange(what, before.get(what, "Not paid"), now)
        for what, now in after.items()
        if before.get(what, "Not paid") != now
    ]
    return ProposedRule(rule=rule, replaces=replaces, ended_by=ended_by, changes=changes)
