import re

from django.db import migrations, models
from django.db.models import OuterRef, Subquery

# A place offered: "signup:<id>:place_offered:<when>", and the call passing on a failed one
# (its key ends ":passed-on"). See participation.services._event_key and services.fallback_key.
OFFER_KEY = re.compile(r"^signup:(\d+):place_offered:")
# Kinds whose deadline is their session's start (models.DEADLINES).
UNTIL_THE_START = ["reminder_on_the_day", "reminder_two_days", "opportunity_cancelled"]


def deadlines_of_waiting_calls(apps, schema_editor):
    """Calls already waiting get their deadline, so they take their place at the top of the
    call list now. Other messages are not needed: only the call list shows it."""
    Message = apps.get_model("notifications", "Message")
    SignUp = apps.get_model("participation", "SignUp")
    Opportunity = apps.get_model("participation", "Opportunity")
    waiting = Message.objects.filter(status="call_list")
    offers = {}
    for pk, key in waiting.filter(kind="place_offered").values_list("pk", "event_key"):
        if match := OFFER_KEY.match(key):
            offers[pk] = int(match.group(1))
    # Only an offer still open: one accepted or passed on since has no deadline any more.
    expiry = dict(
        SignUp.objects.filter(pk__in=set(offers.values()), status="offered").values_list(
            "pk", "offer_expires_at"
        )
    )
    for pk, signup_id in offers.items():
        if expiry.get(signup_id) is not None:
            Message.objects.filter(pk=pk).update(deadline=expiry[signup_id])
    waiting.filter(kind__in=UNTIL_THE_START, opportunity__isnull=False).update(
        deadline=Subquery(
            Opportunity.objects.filter(pk=OuterRef("opportunity_id")).values("starts_at")[:1]
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0009_message_about_session"),
        ("participation", "0017_created_by_means_who_runs_it"),
    ]

    operations = [
        migrations.AddField(
            model_name="message",
            name="deadline",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(deadlines_of_waiting_calls, migrations.RunPython.noop),
    ]
