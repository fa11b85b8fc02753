from django.db import migrations, models


def keep_staff_bookings_private(apps, schema_editor):
    """Places staff booked before this change were never the person's choice: their profile's
    access needs stay hidden until the person shares them."""
    SignUp = apps.get_model("participation", "SignUp")
    SignUp.objects.filter(signed_up_by__isnull=False).update(profile_needs_shared=False)


class Migration(migrations.Migration):
    dependencies = [
        ("participation", "0007_directory_index_covers_project"),
    ]

    operations = [
        migrations.AddField(
            model_name="signup",
            name="profile_needs_shared",
            field=models.BooleanField(
                db_default=True,
                default=True,
                help_text="Whether the staff running this session may see the access needs in "
                "the person's profile: yes when they signed up themselves or chose to share "
                "them.",
            ),
        ),
        migrations.RunPython(keep_staff_bookings_private, migrations.RunPython.noop),
    ]
