"""An opportunity standing alone can claim up to engagement (Opportunity.HIGHEST_STEP_ON_ITS_OWN):
co-design and co-production are about who decides over time, which a project records and
checks against evidence. Opportunities saved before that rule keep a higher step until edited;
this lowers them to engagement, so the directory, its step filter and the feeds say the same
honest thing, and then lets the database refuse a higher one from anywhere."""

from django.db import migrations, models

ENGAGEMENT = 5


def lower_standalone_steps(apps, schema_editor):
    Opportunity = apps.get_model("participation", "Opportunity")
    Opportunity.objects.filter(project__isnull=True, step__gt=ENGAGEMENT).update(step=ENGAGEMENT)


class Migration(migrations.Migration):
    dependencies = [
        ("participation", "0011_plain_drop_in_label"),
        ("projects", "0005_update_corrections"),
    ]

    operations = [
        migrations.RunPython(lower_standalone_steps, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="opportunity",
            constraint=models.CheckConstraint(
                condition=models.Q(project__isnull=False)
                | models.Q(step__isnull=True)
                | models.Q(step__lte=ENGAGEMENT),
                name="standalone_opportunity_step_at_most_engagement",
            ),
        ),
    ]
