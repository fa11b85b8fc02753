"""Starting, filling in, sending and deleting a claim: what the person claiming (or the staff
member acting for them) does."""

from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from participation.models import Profile, SignUp

from .. import policy
from ..contact import PayeeContact
from ..models import Claim, ClaimLine, ExpenseCategory, Receipt, TaxiAgreement
from ..permissions import may_edit
from ._common import (
    PaymentError,
    Status,
    _lock_claimant,
    _lock_to_change,
    _record,
    _require_still_attended,
)
from .deciders import tell_after_sending
from .receipts import _delete_files_after_commit


def _require_editor(claim, by) -> None:
    """The claimant, or the staff member who started it for them, may change a claim."""
    if not may_edit(by, claim):
        raise PaymentError("Only the person claiming, or staff acting for them, can change it.")
    if not claim.is_editable:
        raise PaymentError(
            f"This claim has been sent ({claim.resident_status_label.lower()}), so it cannot "
            "be changed now."
        )


def _recalculate(claim) -> None:
    totals = dict(
        claim.lines.values("kind").annotate(total=Sum("amount_pence")).values_list("kind", "total")
    )
    claim.fee_pence = totals.get(ClaimLine.Kind.FEE, 0) or 0
    claim.expenses_pence = totals.get(ClaimLine.Kind.EXPENSE, 0) or 0
    claim.save(update_fields=["fee_pence", "expenses_pence", "updated_at"])


def _sync_fee_line(claim) -> None:
    """One fee line when the claim takes a fee, none when the person declines it."""
    opportunity = claim.opportunity
    wants_fee = opportunity.is_paid and not claim.declines_fee
    fee_line = claim.lines.filter(kind=ClaimLine.Kind.FEE).first()
    if not wants_fee:
        if fee_line:
            fee_line.delete()
        return
    if fee_line:
        return
    fee = policy.fee_for(opportunity, claim.activity_date)
    if fee is None:
        raise PaymentError(
            f"The payment policy has no {opportunity.get_fee_basis_display().lower()} fee rate "
            f"for {claim.activity_date:%-d %B %Y} yet. Contact the co-production team and we "
            "will sort it out."
        )
    ClaimLine.objects.create(
        claim=claim,
        kind=ClaimLine.Kind.FEE,
        fee_basis=fee.basis,
        hours=fee.hours,
        rate_pence=fee.rate_pence,
        amount_pence=fee.amount_pence,
        description=opportunity.title[:200],
    )


def _refresh_fee_line(claim, fee) -> None:
    """Make the fee line say `fee` (a policy.Fee), or take it away for None, then work the
    totals out again: a claim not yet approved follows a correction of its session's fee
    (services.fee_corrections), and a refused claim reopened does too. The line is changed
    in place, so the audit trail shows the fee it had before."""
    line = claim.lines.filter(kind=ClaimLine.Kind.FEE).first()
    if fee is None:
        if line:
            line.delete()
    else:
        line = line or ClaimLine(
            claim=claim, kind=ClaimLine.Kind.FEE, description=claim.opportunity.title[:200]
        )
        line.fee_basis = fee.basis
        line.hours = fee.hours
        line.rate_pence = fee.rate_pence
        line.amount_pence = fee.amount_pence
        line.save()
    _recalculate(claim)


def can_claim_for(signup) -> bool:
    opportunity = signup.opportunity
    return signup.attendance == SignUp.Attendance.ATTENDED and (
        opportunity.is_paid or opportunity.pays_expenses
    )


def start_claim(signup, *, by, on_behalf_note: str = "") -> Claim:
    """Start a draft claim for an attended session, with the fee filled in from the policy.

    Starting twice (a double click) returns the claim already started.
    """
    with transaction.atomic():
        # The person's account before their place: the order erasing takes them in.
        _lock_claimant(signup.resident_id, by=by, refusal="A claim cannot be started")
        signup = SignUp.objects.select_for_update().select_related("opportunity").get(pk=signup.pk)
        existing = Claim.objects.filter(signup=signup).first()
        if existing:
            return existing
        if signup.attendance != SignUp.Attendance.ATTENDED:
            raise PaymentError(
                "You can only claim for a session once staff have recorded that you attended."
            )
        if not can_claim_for(signup):
            raise PaymentError("This session does not pay a fee or expenses.")
        on_behalf = by.pk != signup.resident_id
        if on_behalf and not on_behalf_note.strip():
            raise PaymentError("Say how the person asked you to claim for them.")
        opportunity = signup.opportunity
        claim = Claim.objects.create(
            claimant_id=signup.resident_id,
            signup=signup,
            opportunity=opportunity,
            project_id=opportunity.project_id,
            activity_date=policy.activity_date(opportunity),
            started_by=by,
            on_behalf_note=on_behalf_note.strip() if on_behalf else "",
        )
        _sync_fee_line(claim)
        _recalculate(claim)
        _record(
            claim,
            actor=by,
            from_status="",
            note=f"Started for them by {by}: {on_behalf_note.strip()}" if on_behalf else "",
        )
    return claim


def update_claim_details(
    claim,
    *,
    by,
    payment_method: str,
    employed_by_partner: bool,
    not_part_of_paid_job: bool,
    voucher_delivery: str = "",
    postal_address: str | None = None,
) -> Claim:
    """How the person wants to be paid, and whether they work for the council or a partner.

    For vouchers, also how to send them: by email only to an address that can receive mail,
    by post only with an address. `postal_address`, given with post, becomes the person's
    address on their profile, where staff write to them too, so they tell us once. Left
    blank, the claim cannot be sent until it is chosen (`submission_problems`).
    """
    with transaction.atomic():
        claim = _lock_to_change(claim, by=by)
        _require_editor(claim, by)
        if employed_by_partner and not not_part_of_paid_job:
            raise PaymentError("Confirm that this activity was not part of your paid job")
        if payment_method != Claim.PaymentMethod.VOUCHER:
            voucher_delivery = ""
        elif voucher_delivery:
            _check_voucher_delivery(claim, voucher_delivery, postal_address)
        claim.payment_method = payment_method
        claim.voucher_delivery = voucher_delivery
        claim.employed_by_partner = employed_by_partner
        claim.not_part_of_paid_job = bool(employed_by_partner and not_part_of_paid_job)
        claim.save(
            update_fields=[
                "payment_method",
                "voucher_delivery",
                "employed_by_partner",
                "not_part_of_paid_job",
                "updated_at",
            ]
        )
        _sync_fee_line(claim)
        _recalculate(claim)
    return claim


# Also the form's messages (payments.forms.ClaimDetailsForm), so both say the same.
NO_EMAIL_FOR_VOUCHERS = (
    "We do not have an email address to send the vouchers to. Choose post and give an "
    "address, or choose another way to be paid"
)
NO_ADDRESS_FOR_VOUCHERS = "Enter the address to post the vouchers to, including the postcode"


def _check_voucher_delivery(claim, delivery: str, postal_address: str | None) -> None:
    """Vouchers can go only where they will arrive. Saves a new address to the profile."""
    person = claim.claimant
    if delivery == Claim.VoucherDelivery.EMAIL:
        if not person.has_real_email:
            raise PaymentError(NO_EMAIL_FOR_VOUCHERS, field="voucher_delivery")
        return
    if delivery != Claim.VoucherDelivery.POST:
        raise PaymentError("Choose post or email for the vouchers", field="voucher_delivery")
    profile, _ = Profile.objects.select_for_update().get_or_create(user=person)
    address = profile.postal_address if postal_address is None else postal_address.strip()
    if not address.strip():
        raise PaymentError(NO_ADDRESS_FOR_VOUCHERS, field="postal_address")
    if address != profile.postal_address:
        profile.postal_address = address
        profile.save(update_fields=["postal_address", "updated_at"])


def save_expense(
    claim,
    *,
    by,
    category: str,
    description: str,
    amount_pence: int | None,
    miles,
    agreed_with: str = "",
    receipt: Receipt | None = None,
    remove_receipt: bool = False,
    line: ClaimLine | None = None,
) -> ClaimLine:
    """Add an expense line, or change one. The line and the claim's totals save together."""
    with transaction.atomic():
        claim = _lock_to_change(claim, by=by)
        _require_editor(claim, by)
        if not claim.opportunity.pays_expenses:
            raise PaymentError("This session does not pay expenses.")
        if line is not None:
            line = claim.lines.select_for_update().get(pk=line.pk, kind=ClaimLine.Kind.EXPENSE)
        # Looked up here, never taken from the form: only staff running the session agree
        # taxis (services.taxis).
        is_taxi = category == ExpenseCategory.TAXI
        agreement = TaxiAgreement.objects.live_for(claim.signup_id) if is_taxi else None
        check = policy.check_expense(
            claim,
            category=category,
            amount_pence=amount_pence,
            miles=miles,
            agreed_with=agreed_with,
            agreement=agreement,
            line=line,
        )
        if check.errors:
            raise PaymentError(next(iter(check.errors.values())))
        if receipt is not None:
            # Locked so the daily clean-up of unused receipts cannot remove it while we attach
            # it; if the clean-up got there first, it is gone and the person uploads it again.
            receipt = Receipt.objects.select_for_update().filter(pk=receipt.pk).first()
            if receipt is None:
                raise PaymentError("That receipt cannot be used here. Choose the file again.")
        if receipt is not None and (
            receipt.owner_id != claim.claimant_id
            or ClaimLine.objects.filter(receipt=receipt)
            .exclude(pk=getattr(line, "pk", None))
            .exists()
        ):
            raise PaymentError("That receipt cannot be used here. Choose the file again.")
        line = line or ClaimLine(claim=claim, kind=ClaimLine.Kind.EXPENSE)
        old_receipt = line.receipt if line.pk else None
        if agreement is not None:
            line.taxi_agreement = agreement
        elif not (is_taxi and line.category == ExpenseCategory.TAXI):
            # A taxi line keeps an agreement withdrawn since, to show what it relied on.
            line.taxi_agreement = None
        line.category = category
        line.description = description.strip()[:200]
        line.miles = miles if check.rule.is_mileage else None
        line.rate_pence = check.rate_pence
        line.amount_pence = check.amount_pence
        line.agreed_with = agreed_with.strip() if check.rule.needs_prior_agreement else ""
        if receipt is not None:
            line.receipt = receipt
        elif remove_receipt:
            line.receipt = None
        line.save()
        if old_receipt and old_receipt != line.receipt:
            _delete_files_after_commit([old_receipt])
            old_receipt.delete()
        _recalculate(claim)
    return line


def remove_expense(line, *, by) -> None:
    with transaction.atomic():
        claim = _lock_to_change(line.claim, by=by)
        _require_editor(claim, by)
        line = claim.lines.select_related("receipt").get(pk=line.pk, kind=ClaimLine.Kind.EXPENSE)
        receipt = line.receipt
        line.delete()
        if receipt:
            _delete_files_after_commit([receipt])
            receipt.delete()
        _recalculate(claim)


def delete_draft(claim, *, by) -> None:
    """A claim that was never sent can be thrown away, with its receipts."""
    with transaction.atomic():
        claim = _lock_to_change(claim, by=by)
        _require_editor(claim, by)
        if not claim.can_be_deleted:
            raise PaymentError("Only a claim that has never been sent can be deleted.")
        receipts = list(Receipt.objects.filter(line__claim=claim))
        claim.lines.all().delete()
        claim.events.all().delete()
        claim.delete()
        for receipt in receipts:
            receipt.delete()
        _delete_files_after_commit(receipts)


def submission_problems(claim, *, by=None) -> list[tuple[str, str]]:
    """What must be fixed before the claim can be sent: [(message, where to fix it)]. Said
    about the person by name when `by` is staff claiming for them."""
    problems = []
    details_url = reverse("payments:claim_details", args=[claim.pk])
    name = claim.claimant_short_name if by is not None and by.pk != claim.claimant_id else ""
    if not claim.payment_method:
        problems.append(
            (
                f"Choose how {name} wants to be paid" if name else "Choose how you want to be paid",
                details_url,
            )
        )
    voucher_problem = _voucher_delivery_problem(claim, name)
    if voucher_problem:
        problems.append((voucher_problem, details_url))
    if claim.employed_by_partner is None:
        problems.append(
            (
                f"Say whether {name} works for the council or one of its partners"
                if name
                else "Say whether you work for the council or one of its partners",
                details_url,
            )
        )
    elif claim.employed_by_partner and not claim.not_part_of_paid_job:
        problems.append(
            (
                f"Confirm that {name} did not do this activity as part of their paid job"
                if name
                else "Confirm that this activity was not part of your paid job",
                details_url,
            )
        )
    lines = list(claim.lines.select_related("taxi_agreement"))
    if not lines or claim.total_pence == 0:
        problems.append(("Add at least one expense, or choose to be paid a fee", details_url))
    rules = policy.rules_in_force(claim.activity_date)
    for line in lines:
        if _taxi_agreement_withdrawn(line, rules):
            problems.append(
                (
                    (
                        f"Say who agreed the taxi before {name} travelled"
                        if name
                        else "Tell us who agreed your taxi before you travelled"
                    )
                    + ": the agreement we recorded has been withdrawn",
                    reverse("payments:expense_change", args=[claim.pk, line.pk])
                    + "#id_agreed_with",
                )
            )
        if line.receipt_id is None and policy.receipt_needed(line, rules):
            problems.append(
                (
                    f"Add a receipt for {line.get_category_display().lower()}",
                    # Straight to the upload box, below the expense's other questions.
                    reverse("payments:expense_change", args=[claim.pk, line.pk]) + "#id_receipt",
                )
            )
    return problems


def _voucher_delivery_problem(claim, name: str) -> str:
    """Why vouchers could not be sent as the claim says, or "". Read again when it is sent:
    the person's email or postal address may have gone since the question was answered."""
    if claim.payment_method != Claim.PaymentMethod.VOUCHER:
        return ""
    if not claim.voucher_delivery:
        if name:
            return f"Choose how {name} wants to get their vouchers: by post or email"
        return "Choose how you want to get your vouchers: by post or email"
    contact = PayeeContact.of(claim.claimant)
    if claim.voucher_delivery == Claim.VoucherDelivery.EMAIL and not contact.email:
        return NO_EMAIL_FOR_VOUCHERS
    if claim.voucher_delivery == Claim.VoucherDelivery.POST and not contact.postal_address:
        return NO_ADDRESS_FOR_VOUCHERS
    return ""


def _taxi_agreement_withdrawn(line, rules) -> bool:
    """A taxi saved while staff had agreed it, whose agreement was withdrawn since, and with
    no name of who agreed it: the person must now say, as for any taxi not agreed here."""
    rule = rules.get(line.category)
    return bool(
        line.taxi_agreement_id
        and not line.agreed_in_hub
        and not line.agreed_with
        and rule
        and rule.needs_prior_agreement
    )


def submit_claim(claim, *, by, benefits_acknowledged: bool) -> Claim:
    """Send a draft (or a returned claim, once changed) for approval.

    Not for someone whose account was erased: we could neither pay them nor tell them. Their
    account row is locked first, then the claim, the order erasing takes them in
    (coprod_hub.users.privacy.erase), so the two never deadlock: a claim sent while the person
    erases their account is either found by erasing's check (a claim waiting to be paid stops
    it) or waits for the erasure and is refused here."""
    with transaction.atomic():
        claim = _lock_to_change(claim, by=by, refusal="This claim cannot be sent")
        _require_editor(claim, by)
        if not benefits_acknowledged:
            raise PaymentError("Confirm that you have read about benefits and tax")
        _require_still_attended(claim, by=by, action="sent")
        problems = submission_problems(claim, by=by)
        if problems:
            raise PaymentError(problems[0][0])
        from_status = claim.status
        now = timezone.now()
        claim.status = Status.SUBMITTED
        claim.submitted_at = now
        if claim.first_submitted_at is None:
            claim.first_submitted_at = now
        claim.submitted_by = by
        claim.benefits_acknowledged_at = now
        claim.save(
            update_fields=[
                "status",
                "submitted_at",
                "first_submitted_at",
                "submitted_by",
                "benefits_acknowledged_at",
                "updated_at",
            ]
        )
        note = f"Sent for them by {by}" if by.pk != claim.claimant_id else ""
        _record(claim, actor=by, from_status=from_status, note=note)
        # Sent even if no commissioner may decide it (the person is owed the money): the
        # administrators hear, so they can give the role to someone who may.
        tell_after_sending(claim)
    return claim
