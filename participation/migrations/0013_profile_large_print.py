"""Large print becomes its own yes/no, apart from the words (standard or easy read), so
someone can ask for easy read in large print."""

from django.db import migrations, models


def split_large_print(apps, schema_editor):
    Profile = apps.get_model("participation", "Profile")
    Profile.objects.filter(format="large_print").update(format="standard", large_print=True)


def join_large_print(apps, schema_editor):
    # The old single choice cannot hold easy read and large print at once: easy read is
    # kept there, as the words matter more than the type size to someone who needs them.
    Profile = apps.get_model("participation", "Profile")
    Profile.objects.filter(format="standard", large_print=True).update(format="large_print")


class Migration(migrations.Migration):
    dependencies = [
        ("participation", "0012_standalone_step_at_most_engagement"),
    ]

    operations = [
        migrations.AddField(
            model_name="profile",
            name="large_print",
            field=models.BooleanField(default=False, verbose_name="large print"),
        ),
        migrations.RunPython(split_large_print, join_large_print),
        migrations.AlterField(
            model_name="profile",
            name="format",
            field=models.CharField(
                choices=[("standard", "Standard"), ("easy_read", "Easy read")],
                default="standard",
                max_length=20,
                verbose_name="format for information",
            ),
        ),
    ]
