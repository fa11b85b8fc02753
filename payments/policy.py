"""Applying the payment policy: the fee for an activity and the rules for an expense.

Used by forms (to show errors next to the right field) and by services (to re-check before
saving). Rounding of money happens here, half up to the nearest penny, and nowhere else.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.text import capfirst

from coprod_hub.lib.money import format_pounds, format_rate
from participation.models import Opportunity

from .models import ExpenseCategory, ExpenseRule, FeeRate

ONLINE_FORMATS = {Opportunity.Format.ONLINE, Opportunity.Format.PHONE, Opportunity.Format.HYBRID}
# Sessions nobody travels to: no taxi to agree (a hybrid one may be joined in person).
NO_JOURNEY_FORMATS = {Opportunity.Format.ONLINE, Opportunity.Format.PHONE}
# Expenses that are journeys: nobody travels to a session held only online or by phone.
JOURNEYS = {
    ExpenseCategory.PUBLIC_TRANSPORT,
    ExpenseCategory.MILEAGE,
    ExpenseCategory.TAXI,
    ExpenseCategory.PARKING,
}


def expense_not_for_session(category, opportunity, joining="") -> str:
    """Why taking part in `opportunity` (joining it as `joining`, SignUp.joining) cannot
    have cost this kind of expense; "" when it can. A journey needs a place to go to (not a
    session held only online or by phone, nor a hybrid one the person joined online); phone
    or data costs need a session held at least partly online or by phone."""
    if category in JOURNEYS and opportunity.format in NO_JOURNEY_FORMATS:
        return "This session was online or by phone, so we do not pay for journeys to it"
    if category in JOURNEYS and opportunity.nobody_travels_for(joining):
        return "This session was joined online, so we do not pay for journeys to it"
    if category == ExpenseCategory.PHONE_DATA and opportunity.format not in ONLINE_FORMATS:
        return "Phone or data costs are only paid for online or phone sessions"
    return ""


def pence_times(pence: int, quantity: Decimal) -> int:
    """A rate times a quantity (hours, miles), rounded half up to a whole penny."""
    return int((Decimal(pence) * quantity).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


_MICROSECONDS_PER_HOUR = 3600 * 1_000_000


def pence_for_duration(pence_per_hour: int, duration: timedelta) -> int:
    """An hourly rate for an exact length of time, rounded half up to a whole penny once.

    Whole numbers throughout, so nothing is rounded along the way: rounding the hours first
    (1h20 is 1.33h) pays £26.60 for 1h20 at £20 an hour instead of £26.67.
    """
    microseconds = duration // timedelta(microseconds=1)
    whole, remainder = divmod(pence_per_hour * microseconds, _MICROSECONDS_PER_HOUR)
    return whole + (1 if 2 * remainder >= _MICROSECONDS_PER_HOUR else 0)


def activity_date(opportunity) -> date:
    return timezone.localdate(opportunity.starts_at)


def activity_duration(opportunity) -> timedelta:
    return opportunity.ends_at - opportunity.starts_at


def activity_hours(opportunity) -> Decimal:
    """The hours to show on the fee line. Only for display: the fee uses the exact length."""
    seconds = Decimal(activity_duration(opportunity) // timedelta(microseconds=1)) / 1_000_000
    return (seconds / 3600).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Fee:
    basis: str
    rate_pence: int
    hours: Decimal | None
    amount_pence: int


def fee_for(opportunity, day: date) -> Fee | None:
    """The fee the policy pays for this opportunity, using the rate in force on `day`.

    None if the opportunity pays no fee, or if the policy has no rate for its basis yet.
    """
    if not opportunity.is_paid:
        return None
    return fee_at_rate(opportunity, FeeRate.objects.for_key(opportunity.fee_basis, day))


def fee_at_rate(opportunity, rate: FeeRate | None) -> Fee | None:
    """The fee for this opportunity at `rate` (one for its basis, saved or not): what
    `fee_for` gives when `rate` is the one in force. A new rate's check page compares two."""
    if not opportunity.is_paid or rate is None:
        return None
    if opportunity.fee_basis == Opportunity.FeeBasis.PER_HOUR:
        return Fee(
            opportunity.fee_basis,
            rate.amount_pence,
            activity_hours(opportunity),
            pence_for_duration(rate.amount_pence, activity_duration(opportunity)),
        )
    return Fee(opportunity.fee_basis, rate.amount_pence, None, rate.amount_pence)


def rules_in_force(day: date) -> dict[str, ExpenseRule]:
    return {rule.category: rule for rule in ExpenseRule.objects.in_force_on(day)}


@dataclass
class ExpenseCheck:
    """The outcome of checking one expense: the amount to pay and any problems, by field."""

    amount_pence: int | None
    rate_pence: int | None
    errors: dict[str, str]
    rule: ExpenseRule | None


def agreed_in_hub(category: str, agreement) -> bool:
    """A taxi agreed by staff in the hub (a live TaxiAgreement for the claim's sign-up) needs
    no name of who agreed it. Agreements are only for taxis."""
    return category == ExpenseCategory.TAXI and agreement is not None and agreement.is_live


def check_expense(
    claim,
    *,
    category: str,
    amount_pence: int | None,
    miles: Decimal | None,
    agreed_with: str,
    agreement=None,
    line=None,
    rules: dict[str, ExpenseRule] | None = None,
    name: str = "",
) -> ExpenseCheck:
    """Apply the policy in force on the claim's activity date to one expense line.

    `line` is the line being changed (left out of the cap total). Mileage amounts are worked
    out from the miles (an amount typed as well must match them); every other amount is
    what the person typed. `agreement` is the taxi agreement staff recorded for the claim's
    sign-up, if any: it stands in for the name of who agreed a taxi. `name`: the person's,
    when staff fill the claim in for them, so the messages are about that person.
    """
    who = name or "you"
    rules = rules if rules is not None else rules_in_force(claim.activity_date)
    rule = rules.get(category)
    label = ExpenseCategory(category).label.lower() if category else "this"
    if rule is None or not rule.allowed:
        return ExpenseCheck(
            None,
            None,
            {"category": f"We do not pay for {label} for sessions on this date"},
            rule,
        )
    errors: dict[str, str] = {}
    rate_pence = None
    if rule.is_mileage:
        if miles is None:
            errors["miles"] = f"Enter how many miles {who} travelled"
            amount_pence = None
        else:
            rate_pence = rule.rate_per_mile_pence or 0
            typed, amount_pence = amount_pence, pence_times(rate_pence, miles)
            # Someone who also typed what the journey cost them would otherwise be paid for
            # the miles and never know that what they typed was dropped: ask them instead.
            if typed is not None and typed != amount_pence:
                errors["amount"] = (
                    "For mileage we work out the amount from the miles: "
                    f"{_miles(miles)} at {format_rate(rate_pence)} a mile is "
                    f"{format_pounds(amount_pence)}. Leave the amount empty, or check the miles"
                )
    elif amount_pence is None:
        errors["amount"] = f"Enter how much {who} spent"
    elif amount_pence <= 0:
        errors["amount"] = "Enter an amount more than £0"

    if not_for_session := expense_not_for_session(
        category, claim.opportunity, claim.signup.joining
    ):
        errors["category"] = not_for_session
    if (
        rule.needs_prior_agreement
        and not agreed_with.strip()
        and not agreed_in_hub(category, agreement)
    ):
        errors["agreed_with"] = (
            f"Enter the name of the person who agreed the taxi before {who} travelled"
        )

    if amount_pence and rule.cap_pence is not None and not errors:
        others = claim.lines.filter(kind="expense", category=category)
        if line is not None and line.pk:
            others = others.exclude(pk=line.pk)
        already = sum(others.values_list("amount_pence", flat=True))
        if already + amount_pence > rule.cap_pence:
            field = "miles" if rule.is_mileage else "amount"
            most = format_pounds(rule.cap_pence)
            if already:
                errors[field] = (
                    f"The most we pay for {label} is {most} for each session. "
                    f"{capfirst(name) + ' has' if name else 'You have'} already "
                    f"claimed {format_pounds(already)}, so you can claim up to "
                    f"{format_pounds(max(rule.cap_pence - already, 0))} more"
                )
            else:
                errors[field] = f"The most we pay for {label} is {most} for each session"
    return ExpenseCheck(amount_pence, rate_pence, errors, rule)


def taxi_agreement_problem(opportunity, *, pays_for_taxis=None) -> str:
    """Why staff cannot agree a taxi for this session, in words for them; "" when they can.

    Taxis are paid for a session only when it pays expenses and the payment policy in force on
    its day pays for taxis (the claim is checked against the same rule). `pays_for_taxis`
    answers that last question in place of `taxis_paid_for` (a page that keeps the answer).
    """
    if opportunity.status == Opportunity.Status.CANCELLED:
        return "This session was cancelled, so there are no taxis to agree."
    if opportunity.format in NO_JOURNEY_FORMATS:
        return "This session is online or by phone, so nobody travels to it."
    if not opportunity.pays_expenses:
        return "This session does not pay expenses, so we do not pay for taxis to it."
    if not (pays_for_taxis or taxis_paid_for)(opportunity):
        return "The payment policy does not pay for taxis for sessions on this date."
    return ""


def taxis_paid_for(opportunity) -> bool:
    """Whether the policy in force on the session's day pays for taxis (one query)."""
    rule = ExpenseRule.objects.for_key(ExpenseCategory.TAXI, activity_date(opportunity))
    return rule is not None and rule.allowed


def _miles(miles: Decimal) -> str:
    """Decimal("12.0") -> "12 miles"; Decimal("1") -> "1 mile"."""
    number = f"{miles.normalize():f}"
    return f"{number} mile" if miles == 1 else f"{number} miles"


def receipt_needed(line, rules: dict[str, ExpenseRule]) -> bool:
    if line.is_fee:
        return False
    rule = rules.get(line.category)
    return bool(rule and rule.receipt_needed_for(line.amount_pence))
