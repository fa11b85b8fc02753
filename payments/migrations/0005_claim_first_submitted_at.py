from django.db import migrations, models
from django.db.models import F


def copy_submitted_at(apps, schema_editor):
    # Claims sent before this field existed: the latest sending is the best we know. A claim
    # returned and sent again before now keeps the later date; its days to pay are unchanged.
    Claim = apps.get_model("payments", "Claim")
    Claim.objects.filter(first_submitted_at__isnull=True, submitted_at__isnull=False).update(
        first_submitted_at=F("submitted_at")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0004_claim_review_queue_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="claim",
            name="first_submitted_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(copy_submitted_at, migrations.RunPython.noop, elidable=True),
    ]
