"""Checks that `manage.py check --deploy` makes beyond Django's own."""

from django.conf import settings
from django.core import checks


@checks.register("hub", deploy=True)
def emails_are_delivered(app_configs, **kwargs):
    """Without EMAIL_HOST the console backend prints every email to the log and the outbox
    marks it sent: confirmations, reminders and claim news would vanish without a sound."""
    if settings.EMAIL_BACKEND != "django.core.mail.backends.console.EmailBackend":
        return []
    return [
        checks.Warning(
            "Emails are printed to the log, not sent.",
            hint="Set EMAIL_HOST (and EMAIL_HOST_USER, EMAIL_HOST_PASSWORD) to your SMTP relay.",
            id="hub.W001",
        )
    ]
