"""Accounts made by staff or an administrator had no allauth email record: give them one
(users.services.keep_email_on_record says why)."""

from django.db import migrations

PLACEHOLDER_EMAIL_DOMAIN = ".invalid"


def record_addresses(apps, schema_editor):
    User = apps.get_model("users", "User")
    EmailAddress = apps.get_model("account", "EmailAddress")
    without = (
        User.objects.exclude(email="")
        .exclude(email__iendswith=PLACEHOLDER_EMAIL_DOMAIN)
        .exclude(pk__in=EmailAddress.objects.values("user_id"))
    )
    EmailAddress.objects.bulk_create(
        [
            EmailAddress(user_id=pk, email=email, verified=True, primary=True)
            for pk, email in without.values_list("pk", "email").iterator()
        ],
        batch_size=1000,
        # An address another account already holds as verified stays theirs.
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("users", "0002_create_role_groups"),
        ("account", "0009_emailaddress_unique_primary_email"),
    ]

    operations = [migrations.RunPython(record_addresses, migrations.RunPython.noop)]
