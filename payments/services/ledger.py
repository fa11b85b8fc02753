"""Building ledger rows for approvals, corrections and payments. The ledger is append-only:
these make new rows and never change old ones."""

from datetime import date

from django.db.models import Sum

from ..models import LedgerEntry
from ..taxyear import tax_year_for


def _entry(claim, *, by, kind, account, component, amount, on: date, **extra) -> LedgerEntry:
    return LedgerEntry(
        claim=claim,
        person_id=claim.claimant_id,
        project_id=claim.project_id,
        kind=kind,
        account=account,
        component=component,
        amount_pence=amount,
        effective_on=on,
        tax_year=tax_year_for(on),
        created_by=by,
        **extra,
    )


def _reversals(claim, originals, *, by, note: str, on: date | None = None, **extra):
    """A negated copy of each entry in `originals`, in the same account and component: how
    the ledger undoes anything. Dated `on`, or each on its original's day (a returned
    payment leaves the tax year it was paid in)."""
    return [
        _entry(
            claim,
            by=by,
            kind=LedgerEntry.Kind.REVERSAL,
            account=original.account,
            component=original.component,
            amount=-original.amount_pence,
            on=on or original.effective_on,
            reverses=original,
            note=note[:300],
            **extra,
        )
        for original in originals
    ]


def _corrections(claim, live, *, fee_pence: int, expenses_pence: int, by, on: date, note: str):
    """A correction of what we owe for a claim: every entry still counting towards it
    (`live`) reversed, then the new amounts recorded. Corrections are never edits."""
    entries = _reversals(claim, live, by=by, note=note, on=on)
    entries += [
        _entry(
            claim,
            by=by,
            kind=LedgerEntry.Kind.CORRECTION,
            account=LedgerEntry.Account.OWED,
            component=component,
            amount=amount,
            on=on,
            note=note[:300],
        )
        for component, amount in _components(fee_pence, expenses_pence)
        if amount
    ]
    return entries


def _repayment(claim, *, amount_pence: int, by, on: date, note: str) -> LedgerEntry:
    """Money the person paid back of a fee we overpaid: taken off what was paid out to them
    (a negative PAID entry), dated the day it came back, so it counts in that day's tax year
    and comes off the project's spend. Nothing already in the ledger changes."""
    return _entry(
        claim,
        by=by,
        kind=LedgerEntry.Kind.REPAYMENT,
        account=LedgerEntry.Account.PAID,
        component=LedgerEntry.Component.FEE,
        amount=-amount_pence,
        on=on,
        note=note[:300],
    )


def _paid_back_counted(claim, *, amount_pence: int, by, on: date, note: str) -> LedgerEntry:
    """The other side of money the person paid back (`_repayment`), once it counts towards
    what we owe for the claim: added to OWED. Written when the fee is worked out again (the
    approved fee becomes what they kept, so what they paid back must not also count as paid
    against it) or when the payment it was taken off came back from the bank (we owe it to
    them again). Either way the claim's OWED and PAID then add up to its approved amount, and
    the money paid back counts once, whatever happens to the claim next."""
    return _entry(
        claim,
        by=by,
        kind=LedgerEntry.Kind.REPAYMENT,
        account=LedgerEntry.Account.OWED,
        component=LedgerEntry.Component.FEE,
        amount=amount_pence,
        on=on,
        note=note[:300],
    )


def _paid_back_not_yet_counted(claim_ids) -> dict[int, int]:
    """Money each claim's person paid back (REPAYMENT, PAID) that no later entry has counted
    in what we owe (`_paid_back_counted`): what they paid back and still counts against the
    approved fee. One query however many claims."""
    rows = (
        LedgerEntry.objects.filter(claim_id__in=claim_ids, kind=LedgerEntry.Kind.REPAYMENT)
        .values("claim_id")
        .annotate(total=Sum("amount_pence"))
    )
    return {row["claim_id"]: -row["total"] for row in rows if row["total"]}


def _components(fee_pence: int, expenses_pence: int):
    return [
        (LedgerEntry.Component.FEE, fee_pence),
        (LedgerEntry.Component.EXPENSES, expenses_pence),
    ]


def _owed_by_claim(claim_ids) -> dict[int, dict[str, int]]:
    owed: dict[int, dict[str, int]] = {pk: {"fee": 0, "expenses": 0} for pk in claim_ids}
    rows = (
        LedgerEntry.objects.owed()
        .filter(claim_id__in=claim_ids)
        .values("claim_id", "component")
        .annotate(total=Sum("amount_pence"))
    )
    for row in rows:
        owed[row["claim_id"]][row["component"]] = row["total"]
    return owed
