"""The review queue orders waiting claims by when they were first sent, not the latest
sending, so its index follows (see Claim.Meta.indexes)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0007_claim_first_submitted_at_from_history"),
    ]

    operations = [
        # Nothing else reads claims in (status, submitted_at) order.
        migrations.RemoveIndex(
            model_name="claim",
            name="claim_queue_idx",
        ),
        migrations.AddIndex(
            model_name="claim",
            index=models.Index(
                fields=["status", "first_submitted_at", "id"], name="claim_queue_first_sent_idx"
            ),
        ),
    ]
