"""The ledger page lists entries newest first by their date, and filters by dates and tax
year: an index on (effective_on, id), read backwards, serves a page without sorting a
million rows (see LedgerEntry.Meta.indexes)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0008_claim_queue_by_first_sending"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="ledgerentry",
            index=models.Index(fields=["effective_on", "id"], name="ledger_effective_idx"),
        ),
    ]
