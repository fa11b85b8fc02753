"""The money figures a restore must reproduce exactly, worked out with the app's own helpers.

Run in the test against the original database, and in a separate process (`python -m
tests.security.ledger_figures`) against the restored one, so both sides use the same code.
"""

import hashlib
import json


def figures() -> dict:
    from django.db.models import Count, Sum

    from payments.models import Claim, LedgerEntry, Receipt
    from payments.querysets import with_budget_use
    from projects.models import Project

    ledger = LedgerEntry.objects.all()
    receipts = {}
    for receipt in Receipt.objects.order_by("pk"):
        with receipt.file.open("rb") as stored:
            receipts[str(receipt.pk)] = hashlib.sha256(stored.read()).hexdigest()
    return {
        "rows": ledger.count(),
        "by_account": {
            row["account"]: row["total"]
            for row in ledger.values("account").annotate(total=Sum("amount_pence")).order_by()
        },
        "owed_by_person": [
            [row["person"], row["owed"]] for row in LedgerEntry.objects.owed_by_person()
        ],
        "paid_by_person_and_tax_year": [
            [row["person"], row["tax_year"], row["fee"], row["expenses"], row["total"]]
            for row in LedgerEntry.objects.tax_year_totals()
        ],
        "budget_use_by_project": [
            [p.pk, p.spent_pence, p.committed_pence, p.remaining_pence]
            for p in with_budget_use(Project.objects.order_by("pk"))
        ],
        "claims_by_status": dict(
            Claim.objects.values_list("status").annotate(n=Count("pk")).order_by()
        ),
        "receipt_files": receipts,
    }


if __name__ == "__main__":
    import django

    django.setup()
    print(json.dumps(figures()))
