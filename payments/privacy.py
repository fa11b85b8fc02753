"""A person's fees and expenses data, for "download my data" and "delete my account"
(see coprod_hub/users/privacy.py).

Money records must be kept for the retention period, so erasing keeps claims that were sent,
their ledger entries and receipts (the evidence for a payment), but strips the free text a
person or staff typed about them. Drafts that were never sent are deleted outright.
"""

from functools import partial

from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils.text import get_valid_filename

from coprod_hub.lib.money import format_pounds
from coprod_hub.users.privacy import NotYet, pseudonym

from .models import (
    Claim,
    ClaimEvent,
    ClaimLine,
    ConflictOfInterest,
    FeeAdjustment,
    LedgerEntry,
    PaymentRunItem,
    Receipt,
    TaxiAgreement,
)
from .services.receipts import _delete_files_after_commit
from .taxyear import TaxYear


def export(user) -> dict:
    claims = (
        Claim.objects.filter(claimant=user)
        .select_related("opportunity", "project")
        .prefetch_related("lines__receipt", "events", "fee_adjustments")
        .order_by("created_at")
    )
    return {
        "claims": [
            {
                "reference": claim.reference,
                "session": claim.opportunity.title,
                "session_date": claim.activity_date,
                "project": claim.project.title if claim.project else "",
                "status": claim.resident_status_label,
                "how_to_pay": claim.get_payment_method_display(),
                "how_to_send_vouchers": claim.get_voucher_delivery_display(),
                "works_for_council_or_partner": claim.employed_by_partner,
                "claimed_pence": claim.total_pence,
                "approved_pence": claim.approved_total_pence,
                "first_sent": claim.first_submitted_at,
                "sent": claim.submitted_at,
                "paid_on": claim.paid_on,
                "reason_returned_or_rejected": claim.reason,
                "how_you_asked_staff_to_claim_for_you": claim.on_behalf_note,
                "lines": [
                    {
                        "what": line.label,
                        "description": line.description,
                        "miles": line.miles,
                        "amount_pence": line.amount_pence,
                        "receipt": line.receipt.original_name if line.receipt_id else "",
                        "receipt_file": receipt_file_name(line.receipt) if line.receipt_id else "",
                    }
                    for line in claim.lines.all()
                ],
                "history": [
                    {"when": event.created_at, "what": event.summary, "note": event.note}
                    for event in claim.events.all()
                ],
                # After the session's fee was corrected: owed to them, or paid over the fee,
                # and what was decided (services.fee_corrections).
                "fee_corrections": [
                    {
                        "when": adjustment.created_at,
                        "what": adjustment.get_kind_display(),
                        "amount_pence": adjustment.amount_pence,
                        "what_changed": adjustment.what_changed,
                        "where_it_stands": adjustment.state,
                        "why": adjustment.reason,
                        # Asked back: what they paid back, and why we stopped asking for
                        # the rest, if we did.
                        "paid_back_pence": adjustment.recovered_pence,
                        "why_we_stopped_asking": adjustment.stop_reason,
                    }
                    for adjustment in claim.fee_adjustments.all()
                ],
            }
            for claim in claims
        ],
        "paid_by_tax_year": [
            {
                "tax_year": TaxYear(row["tax_year"]).label,
                "fees_pence": row["fee"],
                "expenses_pence": row["expenses"],
                "total_pence": row["total"],
            }
            for row in LedgerEntry.objects.filter(person=user).tax_year_totals()
        ],
        # Uploaded on a form not finished yet: kept a day (payments.tasks), then deleted.
        "receipts_not_used_yet": [
            {
                "name": receipt.original_name,
                "uploaded": receipt.uploaded_at,
                "file": receipt_file_name(receipt),
            }
            for receipt in Receipt.objects.filter(owner=user, line__isnull=True).order_by(
                "uploaded_at"
            )
        ],
        "taxis_agreed_for_you": [
            {
                "session": agreement.signup.opportunity.title,
                "agreed_by": str(agreement.agreed_by),
                "agreed": agreement.agreed_at,
                "note": agreement.note,
                "withdrawn": agreement.withdrawn_at,
            }
            for agreement in TaxiAgreement.objects.filter(signup__resident=user)
            .select_related("signup__opportunity", "agreed_by")
            .order_by("agreed_at", "pk")
        ],
        "conflicts_of_interest_declared": list(
            ConflictOfInterest.objects.filter(commissioner=user).values(
                "person__display_name", "reason", "declared_at", "withdrawn_at"
            )
        ),
    }


def receipt_file_name(receipt) -> str:
    """Where a receipt's file is in the download: the person's own file name, made safe to
    unpack (it was typed on their computer: no folders, no ".."), after the receipt's number,
    so two files of the same name stay apart."""
    return f"receipts/{get_valid_filename(f'{receipt.pk}-{receipt.download_name}')}"


def export_files(user):
    """The receipts the person uploaded (for their claims, and any not used yet), for the
    ZIP's receipts/ folder: (name, opener). Opened one at a time as the ZIP is written, from
    private storage (never a public address), as the receipt download does."""
    receipts = (
        Receipt.objects.filter(Q(owner=user) | Q(line__claim__claimant=user))
        .distinct()
        .order_by("pk")
    )
    for receipt in receipts:
        yield receipt_file_name(receipt), partial(receipt.file.open, "rb")


# Words typed about the person, in claims, in taxi agreements and in the audit trail's copies
# of them. Amounts, statuses, dates and who decided stay: they are the financial record.
PERSONAL_TEXT_FIELDS = (
    "on_behalf_note",
    "reason",
    "stop_reason",
    "description",
    "agreed_with",
    "note",
)


@transaction.atomic
def erasure_blockers(user) -> list[NotYet]:
    """A claim sent or approved is money we still owe or are deciding on: once the account is
    erased we could not pay it or tell the person, so it must be settled first."""
    # Paid, with a top-up still to pay after its session's fee was corrected, counts too.
    top_up_to_pay = (
        FeeAdjustment.objects.top_ups().open().filter(claim=OuterRef("pk"), paid_on__isnull=True)
    )
    waiting = (
        Claim.objects.filter(claimant=user)
        .annotate(owed_more=Exists(top_up_to_pay))
        .filter(Q(status__in=Claim.AWAITING_PAYMENT) | Q(status=Claim.Status.PAID, owed_more=True))
        .count()
    )
    reasons = []
    if waiting:
        claims = "a claim" if waiting == 1 else f"{waiting} claims"
        them = "it" if waiting == 1 else "them"
        reasons.append(
            NotYet(
                to_person=f"You have {claims} waiting to be approved or paid. Call us on "
                f"{settings.SUPPORT_PHONE}: we will pay or cancel {them} first, then you can "
                "delete your account.",
                to_admin=f"they have {claims} waiting to be approved or paid. "
                f"Pay or reject {them} first",
            )
        )
    # Money we asked them to pay back (services.money_back): erased, we could no longer reach
    # them about it, nor tell them when it has come back or we stop asking.
    asked_back = FeeAdjustment.objects.asked_back().filter(claim__claimant=user)
    owed_back = sum(adjustment.still_asked_back_pence for adjustment in asked_back)
    if owed_back:
        reasons.append(
            NotYet(
                to_person=f"We asked you to pay back {format_pounds(owed_back)}. Call us on "
                f"{settings.SUPPORT_PHONE}: we will sort it out with you first, then you can "
                "delete your account.",
                to_admin=f"we are still asking them to pay back {format_pounds(owed_back)}. "
                "Record the money received, or stop asking for it, first",
            )
        )
    return reasons


def erase(user) -> None:
    claim_ids = list(Claim.objects.filter(claimant=user).values_list("pk", flat=True))
    line_ids = list(ClaimLine.objects.filter(claim_id__in=claim_ids).values_list("pk", flat=True))
    drafts = Claim.objects.filter(claimant=user, status=Claim.Status.DRAFT)
    draft_receipts = list(Receipt.objects.filter(line__claim__in=drafts))
    unused = list(Receipt.objects.filter(owner=user, line__isnull=True))
    ClaimLine.objects.filter(claim__in=drafts).delete()
    for claim in drafts:
        claim.events.all().delete()
    drafts.delete()
    Receipt.objects.filter(pk__in=[r.pk for r in draft_receipts + unused]).delete()
    _delete_files_after_commit(draft_receipts + unused)

    # Sent claims stay as financial records, without the words typed about the person.
    Claim.objects.filter(claimant=user).update(on_behalf_note="", reason="")
    ClaimLine.objects.filter(claim__claimant=user).update(description="", agreed_with="")
    ClaimEvent.objects.filter(claim__claimant=user).update(note="")
    PaymentRunItem.objects.filter(claim__claimant=user).update(taken_out_reason="")
    # A commissioner's words about deciding an overpayment, or about no longer asking for it
    # back (which may say why paying would be hard for them); amounts and outcome stay.
    adjustments = FeeAdjustment.objects.filter(claim__claimant=user)
    adjustment_ids = list(adjustments.values_list("pk", flat=True))
    adjustments.update(reason="", stop_reason="")
    Receipt.objects.filter(owner=user).update(original_name="receipt")
    # Who agreed their taxis, and when, stays (a kept claim may rely on one); the note, which
    # can say where they live, goes. Agreements for places that participation.privacy then
    # deletes go with them.
    taxis = TaxiAgreement.objects.filter(signup__resident=user)
    taxi_ids = list(taxis.values_list("pk", flat=True))
    taxis.update(note="")
    # Declarations stay (a commissioner with a conflict must still not decide this person's
    # claims), without the reason, which says how they know each other.
    conflicts = ConflictOfInterest.objects.filter(Q(commissioner=user) | Q(person=user))
    conflicts.update(reason="")
    _scrub_audit_trail(user, claim_ids, line_ids, conflicts, taxi_ids, adjustment_ids)
    _blank_ledger_notes(user)


def _blank_ledger_notes(user) -> None:
    """Ledger rows never change, but a note can quote what a commissioner typed about the
    person (why the amount was corrected, why a payment came back). Erasing blanks the notes:
    the one change the ledger allows, and only in the privileged transaction the erasure
    runs in (migration 0011). Written in SQL because the model refuses every update."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {LedgerEntry._meta.db_table} SET note = '' "  # noqa: S608 - our table name
            "WHERE person_id = %s AND note <> ''",
            [user.pk],
        )


def _scrub_audit_trail(user, claim_ids, line_ids, conflicts, taxi_ids, adjustment_ids) -> None:
    """The audit trail keeps every change to the person's claims, drafts deleted just now
    included, to declarations of conflicts they made or that were made about them, and to
    taxis agreed for them, but no longer quotes what was typed about them or names them."""
    names = {
        claim.pk: f"{claim.reference} – {pseudonym(user)}"
        for claim in Claim.objects.filter(pk__in=claim_ids)
    }

    def name_of(person):
        return pseudonym(user) if person.pk == user.pk else str(person)

    # A declaration is named after both people (ConflictOfInterest.__str__): theirs goes.
    conflict_names = {
        conflict.pk: f"{name_of(conflict.commissioner)} declared a conflict with "
        f"{name_of(conflict.person)}"
        for conflict in conflicts.select_related("commissioner", "person")
    }
    trail = [
        *(
            (entry, names.get(entry.object_id, f"Claim of erased person {user.pk}"))
            for entry in _entries_about(Claim, claim_ids)
        ),
        *((entry, None) for entry in _entries_about(ClaimLine, line_ids)),
        *(
            (entry, conflict_names[entry.object_id])
            for entry in _entries_about(ConflictOfInterest, list(conflict_names))
        ),
        *((entry, None) for entry in _entries_about(TaxiAgreement, taxi_ids)),
        *((entry, None) for entry in _entries_about(FeeAdjustment, adjustment_ids)),
    ]
    for entry, name in trail:
        entry.changes = {
            field: values
            for field, values in (entry.changes or {}).items()
            if field not in PERSONAL_TEXT_FIELDS
        }
        entry.changes_text = ""
        if name:
            entry.object_repr = name
    LogEntry.objects.bulk_update(
        [entry for entry, _ in trail], ["changes", "changes_text", "object_repr"]
    )


def _entries_about(model, ids):
    return LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(model), object_id__in=ids
    )
