"""A person's fees and expenses data, for "download my data" and "delete my account"
(see coprod_hub/users/privacy.py).

Money records must be kept for the retention period, so erasing keeps claims that were sent,
their ledger entries and receipts (the evidence for a payment), but strips the free text a
person or staff typed about them. Drafts that were never sent are deleted outright.
"""

from django.db import transaction
from django.db.models import Q

from .models import Claim, ClaimLine, ConflictOfInterest, LedgerEntry, Receipt
from .services import _delete_files_after_commit
from .taxyear import TaxYear


def export(user) -> dict:
    claims = (
        Claim.objects.filter(claimant=user)
        .select_related("opportunity", "project")
        .prefetch_related("lines__receipt", "events")
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
                "works_for_council_or_partner": claim.employed_by_partner,
                "claimed_pence": claim.total_pence,
                "approved_pence": claim.approved_total_pence,
                "sent": claim.submitted_at,
                "paid_on": claim.paid_on,
                "reason_returned_or_rejected": claim.reason,
                "lines": [
                    {
                        "what": line.label,
                        "description": line.description,
                        "miles": line.miles,
                        "amount_pence": line.amount_pence,
                        "receipt": line.receipt.original_name if line.receipt_id else "",
                    }
                    for line in claim.lines.all()
                ],
                "history": [
                    {"when": event.created_at, "what": event.summary, "note": event.note}
                    for event in claim.events.all()
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
        "conflicts_of_interest_declared": list(
            ConflictOfInterest.objects.filter(commissioner=user).values(
                "person__display_name", "reason", "declared_at", "withdrawn_at"
            )
        ),
    }


@transaction.atomic
def erase(user) -> None:
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
    Claim.objects.filter(claimant=user).update(on_behalf_note="")
    ClaimLine.objects.filter(claim__claimant=user).update(description="", agreed_with="")
    Receipt.objects.filter(owner=user).update(original_name="receipt")
    ConflictOfInterest.objects.filter(Q(commissioner=user) | Q(person=user)).delete()
