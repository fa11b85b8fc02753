"""Changes to the payment policy: fee rates and expense rules from a future date, and the
policy's settings; and the words that describe a change, so the page that checks a new
rule, the message after saving and the policy page say the same thing."""

from dataclasses import dataclass
from datetime import date, datetime, time

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import dateformat, timezone

from coprod_hub.lib.money import format_pounds
from notifications.services import queue_messages_for_events
from participation.models import Opportunity, SignUp
from participation.services import CHANGED_IN_WORDS, fee_news

from ..models import ExpenseCategory, ExpenseRule, FeeRate, PaymentPolicy
from ..policy import JOURNEYS, NO_JOURNEY_FORMATS, ONLINE_FORMATS, fee_at_rate
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
    """Save a new rate, and tell the people booked or waiting on sessions whose fee it
    changes (`pay_changes`), in the same transaction."""
    _require_commissioner(by)
    _check_change_starts_on(starts_on)
    rate = FeeRate(basis=basis, amount_pence=amount_pence, starts_on=starts_on, created_by=by)
    try:
        with transaction.atomic():
            # Worked out before saving: the rate it replaces is the one in force without it.
            changes = pay_changes(rate)
            rate.save()
            changes.tell(key=f"fee-rate-{rate.pk}")
            return rate
    except IntegrityError:
        raise PaymentError(SAME_DAY_RATE) from None


def add_expense_rule(*, by, category: str, starts_on: date, **fields) -> ExpenseRule:
    """Save a new rule, and tell the people whose expenses it changes (`pay_changes`)."""
    _require_commissioner(by)
    _check_change_starts_on(starts_on)
    rule = ExpenseRule(category=category, starts_on=starts_on, created_by=by, **fields)
    try:
        with transaction.atomic():
            changes = pay_changes(rule)
            rule.save()
            changes.tell(key=f"expense-rule-{rule.pk}")
            return rule
    except IntegrityError:
        raise PaymentError(SAME_DAY_RULE) from None


def remove_scheduled_change(change, *, by) -> None:
    """Only changes that have not started can be removed; past rates are history. People
    whose pay goes back to what it was before the change are told."""
    _require_commissioner(by)
    if change.starts_on <= timezone.localdate():
        raise PaymentError(
            "This has already started, so it cannot be removed. Add a new change instead."
        )
    kind = "fee-rate" if isinstance(change, FeeRate) else "expense-rule"
    with transaction.atomic():
        changes = pay_changes(change, removing=True)
        key = f"{kind}-{change.pk}-removed"
        change.delete()
        changes.tell(key=key)


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


def fee_in_words(rate: FeeRate) -> str:
    """ "£22.50 an hour"."""
    words = FEE_WORDS.get(rate.basis, rate.get_basis_display().lower())
    return f"{format_pounds(rate.amount_pence)} {words}"


def describe_fee_rate(rate: FeeRate) -> str:
    """ "£22.50 an hour from 1 January 2027"."""
    return f"{fee_in_words(rate)} from {long_date(rate.starts_on)}"


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
    """A new expense rule (or fee rate) not yet saved, next to the one it replaces on its
    start date."""

    rule: ExpenseRule | FeeRate
    replaces: ExpenseRule | FeeRate | None
    # A planned change that starts after this rule still starts then, and ends it.
    ended_by: ExpenseRule | FeeRate | None
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


def propose_fee_rate(*, basis: str, amount_pence: int, starts_on: date) -> ProposedRule:
    """What a new rate would change, as `propose_expense_rule` does for a rule."""
    rate = FeeRate(basis=basis, amount_pence=amount_pence, starts_on=starts_on)
    replaces = FeeRate.objects.for_key(basis, starts_on)
    ended_by = (
        FeeRate.objects.filter(basis=basis, starts_on__gt=starts_on)
        .order_by("starts_on", "pk")
        .first()
    )
    before = fee_in_words(replaces) if replaces else "No rate yet"
    after = fee_in_words(rate)
    what = rate.get_basis_display()
    changes = [TermChange(what, before, after)] if before != after else []
    return ProposedRule(rule=rate, replaces=replaces, ended_by=ended_by, changes=changes)


# --- Who a change pays differently ---------------------------------------------------------


@dataclass(frozen=True)
class PayChanges:
    """The sessions going ahead whose pay a change to the policy changes, each with what the
    people on it are told; and how many people are booked, offered a place or waiting."""

    what_changed: str  # "the fee", "what we pay for expenses" (participation's words)
    starts_on: date
    sessions: list[tuple[Opportunity, list[str]]]
    people: int
    removing: bool = False

    @property
    def summary(self) -> str:
        """ "This changes the fee for 12 sessions from 1 January 2027, with 34 people booked
        or waiting. We will tell them." """
        if not self.sessions:
            return (
                f"No sessions that people have booked or are waiting for from "
                f"{long_date(self.starts_on)} are paid differently, so nobody needs to be told."
            )
        sessions = _count(len(self.sessions), "session", "sessions")
        people = _count(self.people, "person", "people")
        return (
            f"{'Removing it' if self.removing else 'This'} changes {self.what_changed} for "
            f"{sessions} from {long_date(self.starts_on)}, with {people} booked or waiting. "
            "We will tell them."
        )

    def tell(self, *, key: str) -> int:
        """One always-sent "opportunity_changed" message to each person booked, offered or
        waiting on each session (active accounts only), in batches of people, with the words
        a staff change to the session would send. `key` names the change to the policy, so a
        retry sends nothing twice. Returns how many messages are new."""
        news = {session.pk: lines for session, lines in self.sessions}
        sessions = {session.pk: session for session, _ in self.sessions}
        signups = (
            SignUp.objects.filter(opportunity_id__in=sorted(sessions))
            .to_message(include_waiting=True)
            .select_related("resident")
            .order_by("opportunity_id", "pk")
        )
        return queue_messages_for_events(
            "opportunity_changed",
            events=(
                (
                    signup.resident,
                    f"opportunity:{signup.opportunity_id}:opportunity_changed:{key}",
                    {
                        "opportunity": sessions[signup.opportunity_id],
                        "has_place": signup.status == SignUp.Status.BOOKED,
                        "what_changed": self.what_changed,
                        "news": news[signup.opportunity_id],
                        "time_changed": False,
                        "calendar_changed": False,
                        "places": {signup.resident_id: signup.get_absolute_url()},
                    },
                )
                for signup in signups.iterator()
            ),
        )


def _count(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def pay_changes(change: FeeRate | ExpenseRule, *, removing: bool = False) -> PayChanges:
    """Who adding `change` (saved or not), or removing it, pays differently: the sessions
    going ahead from its start date until the next change of the same kind, with people booked,
    offered a place or waiting, whose pay under the policy (`payments.policy`) is not the same
    with it as without it. A rule or rate the same as the one it replaces changes nobody's."""
    model = type(change)
    key = {model.key_field: getattr(change, model.key_field)}
    others = model.objects.exclude(pk=change.pk) if change.pk else model.objects.all()
    # What is in force on the day without this change: what it replaces, or goes back to.
    without = others.for_key(getattr(change, model.key_field), change.starts_on)
    before, after = (change, without) if removing else (without, change)
    next_change = others.filter(**key, starts_on__gt=change.starts_on).order_by("starts_on")
    people = SignUp.objects.filter(opportunity=OuterRef("pk")).to_message(include_waiting=True)
    sessions = Opportunity.objects.filter(
        Exists(people),
        status__in=Opportunity.GOING_AHEAD,
        starts_at__gte=_start_of(change.starts_on),
    )
    if (ends := next_change.first()) is not None:
        sessions = sessions.filter(starts_at__lt=_start_of(ends.starts_on))
    if model is FeeRate:
        what = "fee_basis"
        found = _fee_changes(sessions.filter(fee_basis=change.basis), before, after)
    else:
        what = "pays_expenses"
        found = _expense_changes(sessions.filter(pays_expenses=True), before, after)
    because = (
        f"This is because a change to our payment policy planned for "
        f"{long_date(change.starts_on)} is no longer going ahead."
        if removing
        else f"This is because our payment policy changes on {long_date(change.starts_on)}."
    )
    found = [(session, [*lines, because]) for session, lines in found]
    count = (
        SignUp.objects.filter(opportunity__in=[session.pk for session, _ in found])
        .to_message(include_waiting=True)
        .values("resident")
        .distinct()
        .count()
        if found
        else 0
    )
    return PayChanges(CHANGED_IN_WORDS[what], change.starts_on, found, count, removing)


def _fee_changes(sessions, before: FeeRate | None, after: FeeRate | None):
    """Each session whose fee is not the same amount at the two rates, in the words a staff
    change to its fee sends (participation.services.fee_news)."""
    if _amount(before) == _amount(after):
        return []
    found = []
    for session in sessions.select_related("venue").order_by("starts_at", "pk"):
        was, now = fee_at_rate(session, before), fee_at_rate(session, after)
        if _amount(was) != _amount(now):
            basis = session.fee_basis
            found.append((session, [fee_news((basis, was), (basis, now))]))
    return found


def _amount(fee) -> int | None:
    return None if fee is None else fee.amount_pence


def _expense_changes(sessions, before: ExpenseRule | None, after: ExpenseRule | None):
    """Sessions that pay expenses and could have this one (a journey needs a place to go to;
    phone or data, a session online): all changed alike."""
    category = (after or before).category
    if _terms(before) == _terms(after):
        return []
    if category in JOURNEYS:
        sessions = sessions.exclude(format__in=NO_JOURNEY_FORMATS)
    if category == ExpenseCategory.PHONE_DATA:
        sessions = sessions.filter(format__in=ONLINE_FORMATS)
    lines = expense_news(category, before, after)
    return [
        (session, lines) for session in sessions.select_related("venue").order_by("starts_at", "pk")
    ]


def _terms(rule: ExpenseRule | None) -> dict:
    return rule_terms(rule) if rule is not None else {"Do we pay it?": "No"}


def expense_news(category: str, before: ExpenseRule | None, after: ExpenseRule | None):
    """What people are told about a new rule for one expense, in plain words:
    "We no longer pay for taxis (...)."; "What we pay for parking is now up to £5 a session." """
    label = ExpenseCategory(category).label
    label = label[:1].lower() + label[1:]
    paid_before = before is not None and before.allowed
    if after is None or not after.allowed:
        return [f"We no longer pay for {label}."]
    if not paid_before:
        lines = [f"We now pay for {label}: {what_we_pay(after)}."]
    else:
        lines = [f"What we pay for {label} is now {what_we_pay(after)}."]
    if not paid_before or before.receipt_summary != after.receipt_summary:
        lines.append(f"{after.receipt_summary}.")
    if after.needs_prior_agreement and not (paid_before and before.needs_prior_agreement):
        lines.append("You must agree it with us before you spend the money.")
    elif paid_before and before.needs_prior_agreement and not after.needs_prior_agreement:
        lines.append("You no longer need to agree it with us before you spend the money.")
    return lines
