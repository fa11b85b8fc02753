"""People who stopped new-opportunity alerts (the tick-box on the settings page, or the link in
an alert) before the "how often" question became the only switch: record their alerts as off.

Otherwise their profile kept saying "Once a week" while nothing came, and saving the settings
page for anything else would now switch the alerts they stopped back on.
"""

from django.db import migrations


def stopped_alerts_are_off(apps, schema_editor):
    Profile = apps.get_model("participation", "Profile")
    Unsubscribe = apps.get_model("notifications", "Unsubscribe")
    stopped = Unsubscribe.objects.filter(category="alerts").values("user_id")
    Profile.objects.filter(user_id__in=stopped).exclude(alert_frequency="off").update(
        alert_frequency="off"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0004_message_status_withdrawn"),
        ("participation", "0011_plain_drop_in_label"),
    ]

    operations = [
        migrations.RunPython(stopped_alerts_are_off, migrations.RunPython.noop),
    ]
