import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coprod_hub.settings")

app = Celery("coprod_hub")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
