"""The audit trail: which records are tracked, in one place.

django-auditlog records who changed what and when, with the values before and after. Reads
of special category data (staff viewing a person's access needs) are recorded as "access"
entries with `log_access`. Entries are read-only in the admin, and on PostgreSQL a trigger
refuses to change them (see migration coprod_hub 0001).
"""

from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.apps import apps
from django.db import connection

# app_label.Model -> options for auditlog.register. Models of apps not installed are skipped.
AUDITED_MODELS = {
    "users.User": {
        "m2m_fields": {"groups"},  # role changes
        "exclude_fields": ["password", "last_login"],
    },
    # Money: claims and their lines, the policy and its dated rates, payment runs, conflicts.
    # (Ledger entries cannot change at all, so they need no trail of changes.)
    "payments.Claim": {"exclude_fields": ["updated_at"]},
    "payments.ClaimLine": {},
    "payments.PaymentPolicy": {},
    "payments.FeeRate": {},
    "payments.ExpenseRule": {},
    "payments.PaymentRun": {},
    "payments.ConflictOfInterest": {},
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
        ],
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


def log_access(instance, *, by, what: str) -> None:
    """Record that `by` looked at something sensitive about `instance` (e.g. access needs)."""
    LogEntry.objects.log_create(
        instance,
        action=LogEntry.Action.ACCESS,
        changes={"viewed": [what, None]},
        actor=by,
        force_log=True,
    )


def allow_privileged_change() -> None:
    """Call inside `transaction.atomic()` before erasing a person's data or purging expired
    records: lets this transaction rewrite or remove audit entries (PostgreSQL trigger)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL hub.privileged_change = 'on'")
