import re

import django.db.models.deletion
from django.db import migrations, models

# Event keys that name what a message is about (see the services that queue them).
SIGNUP_KEY = re.compile(r"^(?:signup|reminder_two_days|reminder_on_the_day):(\d+):")
SESSION_KEY = re.compile(r"^(?:opportunity|update-overdue:session|update-overdue:\d+):(\d+)(?::|$)")
CLAIM_KEY = re.compile(r"^claim-event:(\d+)$")
UPDATE_KEY = re.compile(r"^we_said_we_did:(\d+)$")
STEP_KEY = re.compile(r"^stepchange:(\d+):")


def _first(pattern, key):
    match = pattern.match(key)
    return int(match.group(1)) if match else None


def about_waiting_calls(apps, schema_editor):
    """Messages still on the call list say what they are about, so that from now on only the
    staff running that session or project see them. Older messages are not needed: the call
    list shows only the ones waiting."""
    Message = apps.get_model("notifications", "Message")
    SignUp = apps.get_model("participation", "SignUp")
    Opportunity = apps.get_model("participation", "Opportunity")
    ClaimEvent = apps.get_model("payments", "ClaimEvent")
    Update = apps.get_model("projects", "Update")
    StepChange = apps.get_model("projects", "StepChange")
    waiting = list(Message.objects.filter(status="call_list").only("pk", "event_key"))
    for message in waiting:
        key = message.event_key
        opportunity_id = project_id = None
        if (signup_id := _first(SIGNUP_KEY, key)) is not None:
            opportunity_id = (
                SignUp.objects.filter(pk=signup_id).values_list("opportunity_id", flat=True).first()
            )
        elif (session_id := _first(SESSION_KEY, key)) is not None:
            opportunity_id = session_id
        elif (event_id := _first(CLAIM_KEY, key)) is not None:
            opportunity_id = (
                ClaimEvent.objects.filter(pk=event_id)
                .values_list("claim__opportunity_id", flat=True)
                .first()
            )
        elif (update_id := _first(UPDATE_KEY, key)) is not None:
            update = Update.objects.filter(pk=update_id).first()
            if update is not None:
                project_id = update.project_id
                if project_id is None:
                    opportunity_id = (
                        update.opportunities.order_by("starts_at", "pk")
                        .values_list("pk", flat=True)
                        .first()
                    )
        elif (change_id := _first(STEP_KEY, key)) is not None:
            project_id = (
                StepChange.objects.filter(pk=change_id).values_list("project_id", flat=True).first()
            )
        if opportunity_id is not None:
            session = Opportunity.objects.filter(pk=opportunity_id).values("project_id").first()
            if session is None:
                continue
            project_id = session["project_id"]
        if opportunity_id is None and project_id is None:
            continue
        Message.objects.filter(pk=message.pk).update(
            opportunity_id=opportunity_id, project_id=project_id
        )


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0008_one_message_per_event_without_account"),
        ("participation", "0014_opportunity_not_coproduction_reason"),
        ("payments", "0012_taxi_agreement"),
        ("projects", "0007_update_about_sessions_standing_alone"),
    ]

    operations = [
        migrations.AddField(
            model_name="message",
            name="opportunity",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="participation.opportunity",
            ),
        ),
        migrations.AddField(
            model_name="message",
            name="project",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="projects.project",
            ),
        ),
        migrations.RunPython(about_waiting_calls, migrations.RunPython.noop),
    ]
