"""Run participation.tasks.expire_offers every 10 minutes with django-celery-beat.

Kept in the database schedule (not only in settings) so admins can see and pause it.
"""

from django.db import migrations

TASK_NAME = "Pass expired waiting-list offers to the next person"


def create(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_ten_minutes, _ = IntervalSchedule.objects.get_or_create(every=10, period="minutes")
    PeriodicTask.objects.update_or_create(
        name=TASK_NAME,
        defaults={
            "task": "participation.tasks.expire_offers",
            "interval": every_ten_minutes,
            "enabled": True,
        },
    )


def remove(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("participation", "0003_opportunity_search_trigger"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
