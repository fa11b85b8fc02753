"""The audit trail: which records are tracked, in one place.

django-auditlog records who changed what and when, with the values before and after. Reads
of special category data (staff viewing a person's access needs) are recorded as "access"
entries with `log_access`. Entries are read-only in the admin, and on PostgreSQL a trigger
refuses to change them (see migration coprod_hub 0001).
"""

from auditlog.cid import get_cid
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from auditlog.signals import pre_log
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models.signals import pre_save

# app_label.Model -> options for auditlog.register. Models of apps not installed are skipped.
AUDITED_MODELS = {
    "users.User": {
        "m2m_fields": {"groups"},  # role changes
        "exclude_fields": ["password", "last_login"],
    },
    # Money: claims and their lines, the policy and its dated rates, payment runs, conflicts,
    # fee adjustments.
    # (Ledger entries cannot change at all, so they need no trail of changes.)
    "payments.Claim": {"exclude_fields": ["updated_at"]},
    "payments.ClaimLine": {},
    "payments.PaymentPolicy": {},
    "payments.FeeRate": {},
    "payments.ExpenseRule": {},
    "payments.PaymentRun": {},
    "payments.ConflictOfInterest": {},
    # What a corrected session fee meant for an approved or paid claim: a top-up owed, or an
    # overpayment, and what a commissioner decided about it.
    "payments.FeeAdjustment": {},
    # The honest step and who may change a project.
    "projects.Project": {
        "m2m_fields": {"team"},
        "include_fields": [
            "owner",
            "claimed_step",
            "evidenced_step",
            "not_coproduction_reason",
            "status",
            "is_published",
            "budget_pence",
            "wtfc_stage",
        ],
    },
    # What payment rests on: how long a session was, how its fee is worked out, whether it
    # went ahead, and who was marked as attending it (claims are prefilled from both). Staff
    # may correct these after the session, so the trail shows what was changed, by whom.
    "participation.Opportunity": {
        "include_fields": [
            "starts_at",
            "ends_at",
            "fee_basis",
            "pays_expenses",
            "status",
            "capacity",
            "created_by",  # who runs a session standing alone: handed over on its form
        ],
    },
    # The register is saved in one UPDATE (participation.services._save_attendance), which
    # sends no signals: it writes its entries with `log_updates`. A sign-up's entries name its
    # person (SignUp.__str__); erasing them renames those entries (participation.privacy).
    # Someone added on the day (services.record_walk_in) is saved with save(): the entry
    # shows that they came, who recorded it, and that they had no place booked.
    "participation.SignUp": {
        "include_fields": ["attendance", "attendance_recorded_by", "added_on_the_day"]
    },
    # Practice-guide entries are not listed: their titles and texts hold personal data until
    # moderated, and publishing must delete the original; learning.ModerationEvent records
    # every moderation decision instead.
}


def register_models():
    for label, options in AUDITED_MODELS.items():
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        if not auditlog.contains(model):
            auditlog.register(model, **options)
    pre_log.connect(_nothing_recorded_yet, dispatch_uid="hub_audit_nothing_recorded_yet")


def _nothing_recorded_yet(sender, instance, action, **kwargs):
    """A new sign-up has no attendance recorded: an entry for every booking would say only
    that. (Returning False tells auditlog not to write the entry.)"""
    if (
        sender._meta.label == "participation.SignUp"
        and action == LogEntry.Action.CREATE
        and not instance.attendance
    ):
        return False
    return None


def unsaved_entry(instance, *, action, changes, by, object_repr=None) -> LogEntry:
    """An entry about `instance` as auditlog would write it, not yet saved: for writing many
    in one query (`LogEntry.objects.bulk_create`), where bulk writes send no signals."""
    entry = LogEntry(
        content_type=ContentType.objects.get_for_model(instance),
        object_pk=str(instance.pk),
        object_id=instance.pk,
        object_repr=object_repr if object_repr is not None else str(instance),
        action=action,
        changes=changes,
        actor=by,
        actor_email=getattr(by, "email", None),
        cid=get_cid(),
    )
    # What saving it would do: the request's address, from auditlog's middleware.
    pre_save.send(sender=LogEntry, instance=entry, raw=False, using="default")
    return entry


def log_updates(changes_by_instance, *, by) -> None:
    """Record changes saved without signals (a queryset's `update()`), as auditlog records a
    save: `changes_by_instance` is [(instance, {field: [before, after]})]. One INSERT."""
    LogEntry.objects.bulk_create(
        unsaved_entry(instance, action=LogEntry.Action.UPDATE, changes=changes, by=by)
        for instance, changes in changes_by_instance
        if changes
    )


def log_access(instance, *, by, what: str, session=None) -> None:
    """Record that `by` looked at something sensitive about `instance` (e.g. access needs).
    `session`: the opportunity it was seen for, when `instance` is not that opportunity (a
    person's needs seen on their place's page), so "Download your data" can say which."""
    LogEntry.objects.log_create(
        instance,
        action=LogEntry.Action.ACCESS,
        changes={"viewed": [what, None]},
        actor=by,
        force_log=True,
        **({"additional_data": {"session": session.pk}} if session is not None else {}),
    )


def log_access_to_each(instances, *, by, what: str) -> None:
    """`log_access` for each of `instances`, in one query however many there are: for a
    page listing many people (the call list). An entry each, so the trail of any one person
    (LogEntry.objects.get_for_object) shows who saw what about them."""
    LogEntry.objects.bulk_create(
        unsaved_entry(
            instance, action=LogEntry.Action.ACCESS, changes={"viewed": [what, None]}, by=by
        )
        for instance in instances
    )


def allow_privileged_change() -> None:
    """Call inside `transaction.atomic()` before erasing a person's data or purging expired
    records: lets this transaction rewrite or remove audit entries (PostgreSQL trigger)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL hub.privileged_change = 'on'")
