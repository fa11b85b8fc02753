"""How long the hub keeps personal data, enforced every night by tasks in coprod_hub/tasks.py.

- Accounts never confirmed and never used: deleted 30 days after signing up.
- The text of messages sent (the outbox): blanked 90 days after sending. Who, what kind,
  when and whether it arrived are kept.
- Settled claims (paid or rejected) and abandoned drafts, with their lines, events, ledger
  rows, payment run items, receipts and receipt files: deleted once
  FINANCIAL_RETENTION_YEARS (default 7) whole tax years have passed since the tax year in
  which they last changed. Claims still waiting for a decision or a payment are kept.
- Receipts uploaded on a form that was never finished: deleted after a day
  (payments.tasks.delete_unused_receipts).
- Sessions (who is signed in on which browser): deleted once expired (SESSION_COOKIE_AGE).
- Access needs told for one session only (a sign-up's note): deleted two weeks after the
  session ends (participation.models.Opportunity.ACCESS_NEEDS_KEPT_DAYS), when staff stop
  seeing them. Needs on a person's profile stay until they change or delete them.

Other personal data goes when the person deletes their account (coprod_hub.users.privacy);
the financial records kept then are pseudonymised, and purged here once their time is up.

Each function takes `now` (tests freeze the clock), works in bounded batches so a first run
on a large database does not hold long locks, and is safe to run again at any time.
"""

import logging
from datetime import timedelta
from importlib import import_module

from allauth.account.models import EmailAddress
from auditlog.context import disable_auditlog
from auditlog.models import LogEntry
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from coprod_hub.audit import allow_privileged_change
from coprod_hub.users.models import User
from coprod_hub.users.roles import Role

logger = logging.getLogger(__name__)

UNCONFIRMED_ACCOUNT_DAYS = 30
MESSAGE_BODY_DAYS = 90
BATCH_SIZE = 500

# Rows that show a person has used their account: any of these and it is not deleted
# however long its email address has gone unconfirmed. (model label, field naming the person)
ACTIVITY = [
    ("participation.SignUp", "resident"),
    ("participation.SignUp", "signed_up_by"),
    ("payments.Claim", "claimant"),
    ("payments.Receipt", "owner"),
    ("payments.LedgerEntry", "person"),
    ("learning.Entry", "submitted_by"),
    ("insight.EqualityMonitoring", "person"),
]


# --- Accounts never confirmed ------------------------------------------------------------------


def _without_activity(accounts):
    for label, field in ACTIVITY:
        model = apps.get_model(label)
        accounts = accounts.exclude(Exists(model.objects.filter(**{field: OuterRef("pk")})))
    return accounts


def unconfirmed_accounts(now):
    """Signed up more than 30 days ago, email never confirmed, never signed in, no roles
    beyond resident, and nothing done with the account."""
    cutoff = now - timedelta(days=UNCONFIRMED_ACCOUNT_DAYS)
    accounts = (
        User.objects.filter(
            date_joined__lt=cutoff, last_login__isnull=True, is_staff=False, is_superuser=False
        )
        .filter(Exists(EmailAddress.objects.filter(user=OuterRef("pk"), verified=False)))
        .exclude(Exists(EmailAddress.objects.filter(user=OuterRef("pk"), verified=True)))
        .exclude(groups__name__in=[role for role in Role.values if role != Role.RESIDENT])
    )
    return _without_activity(accounts)


def delete_unconfirmed_accounts(*, now=None) -> int:
    now = now or timezone.now()
    deleted = 0
    while True:
        ids = list(unconfirmed_accounts(now).values_list("pk", flat=True)[:BATCH_SIZE])
        if not ids:
            break
        with transaction.atomic():
            allow_privileged_change()
            # The account never became anything: its trail (which names the address) goes
            # with it, and deleting it adds no new entry naming it again.
            with disable_auditlog():
                LogEntry.objects.filter(
                    content_type=ContentType.objects.get_for_model(User),
                    object_pk__in=[str(pk) for pk in ids],
                ).delete()
                User.objects.filter(pk__in=ids).delete()
        deleted += len(ids)
    if deleted:
        logger.info(
            "Deleted %d accounts never confirmed in %d days", deleted, UNCONFIRMED_ACCOUNT_DAYS
        )
    return deleted


# --- Message bodies ------------------------------------------------------------------------------


def blank_old_message_bodies(*, now=None) -> int:
    """Forget what old messages said, and any address with no account behind it. Kept: who,
    what kind, when, and whether it arrived."""
    from notifications.models import Message

    now = now or timezone.now()
    cutoff = now - timedelta(days=MESSAGE_BODY_DAYS)
    Status = Message.Status
    done = [Status.SENT, Status.CALLED, Status.SKIPPED, Status.WITHDRAWN, Status.FAILED]
    old = (
        Message.objects.filter(status__in=done)
        .filter(Q(sent_at__lt=cutoff) | Q(sent_at__isnull=True, created_at__lt=cutoff))
        .exclude(body_text="", attachments=[])
    )
    blanked = 0
    while True:
        ids = list(old.order_by().values_list("pk", flat=True)[: BATCH_SIZE * 10])
        if not ids:
            break
        blanked += Message.objects.filter(pk__in=ids).update(body_text="", attachments=[])
        # An address with no account behind it (one that failed, say) goes too.
        Message.objects.filter(pk__in=ids, recipient=None).update(to_address="")
    if blanked:
        logger.info(
            "Blanked the text of %d messages older than %d days", blanked, MESSAGE_BODY_DAYS
        )
    return blanked


# --- Access needs for one session --------------------------------------------------------------


def forget_session_access_needs(*, now=None) -> int:
    """Delete what people told us about their needs for one session, once it is two weeks
    over: staff no longer see it, and nothing else needs it. Returns how many were deleted."""
    from participation.models import Opportunity, SignUp

    now = now or timezone.now()
    cutoff = now - timedelta(days=Opportunity.ACCESS_NEEDS_KEPT_DAYS)
    old = SignUp.objects.filter(opportunity__ends_at__lte=cutoff).exclude(access_needs_note="")
    forgotten = 0
    while True:
        ids = list(old.order_by().values_list("pk", flat=True)[:BATCH_SIZE])
        if not ids:
            break
        forgotten += SignUp.objects.filter(pk__in=ids).update(access_needs_note="")
    if forgotten:
        logger.info("Deleted the access needs told for %d past sessions' places", forgotten)
    return forgotten


# --- Sessions ------------------------------------------------------------------------------------


def clear_expired_sessions() -> None:
    """Delete sessions past their expiry. Django leaves them in the table (its clearsessions
    command does this): each holds the account it signed in, so without this the table grows
    for ever, and erasing an account (which reads every session) slows with it."""
    engine = import_module(settings.SESSION_ENGINE)
    engine.SessionStore.clear_expired()


# --- Financial records ---------------------------------------------------------------------------


def financial_cutoff(today):
    """Claims last changed before this day have been kept long enough.

    Records are kept for FINANCIAL_RETENTION_YEARS whole tax years after the tax year in
    which they last changed (as HMRC counts), so the cutoff is the first day of the tax year
    that many years before the current one.
    """
    from payments.taxyear import TaxYear, tax_year_for

    return TaxYear(tax_year_for(today) - settings.FINANCIAL_RETENTION_YEARS).starts_on


def expired_claims(now):
    """Settled claims (paid or rejected), and drafts or returned claims nobody finished,
    untouched since before the cutoff. Claims still waiting for a decision or a payment are
    never purged: money may still be owed."""
    from payments.models import Claim, LedgerEntry

    cutoff = financial_cutoff(timezone.localdate(now))
    Status = Claim.Status
    return (
        Claim.objects.filter(
            status__in=[Status.PAID, Status.REJECTED, Status.DRAFT, Status.RETURNED],
            updated_at__date__lt=cutoff,
        )
        .exclude(
            Exists(
                LedgerEntry.objects.filter(claim=OuterRef("pk")).filter(
                    Q(created_at__date__gte=cutoff) | Q(effective_on__gte=cutoff)
                )
            )
        )
        .order_by("pk")
    )


def _delete_ledger_rows(claim_ids) -> int:
    """Ledger rows refuse deletion through the ORM (LedgerEntryQuerySet) and, on PostgreSQL,
    in a trigger that lets a privileged transaction delete (payments migration 0003). Every
    row of a claim goes in one statement, so reversals and what they reverse go together."""
    from payments.models import LedgerEntry

    table = connection.ops.quote_name(LedgerEntry._meta.db_table)
    placeholders = ", ".join(["%s"] * len(claim_ids))
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE claim_id IN ({placeholders})", claim_ids)  # noqa: S608 - a model's table name and placeholders only
        return cursor.rowcount


def _forget_trail(model, pks) -> None:
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(model),
        object_pk__in=[str(pk) for pk in pks],
    ).delete()


def purge_expired_financial_records(*, now=None) -> dict:
    """Delete claims past the retention period with everything that hangs off them: lines,
    events, ledger rows, payment run items, receipts (rows and files) and their audit trail;
    then payment runs left empty. Sign-ups stay: attendance still counts in insight, and an
    erased person's are already anonymous."""
    from payments.models import Claim, ClaimLine, PaymentRun, PaymentRunItem, Receipt

    now = now or timezone.now()
    totals = {"claims": 0, "ledger_rows": 0, "receipts": 0, "payment_runs": 0}
    storage = Receipt._meta.get_field("file").storage
    while True:
        claim_ids = list(expired_claims(now).values_list("pk", flat=True)[:BATCH_SIZE])
        if not claim_ids:
            break
        with transaction.atomic(), disable_auditlog():
            allow_privileged_change()
            lines = ClaimLine.objects.filter(claim_id__in=claim_ids)
            receipts = list(Receipt.objects.filter(line__in=lines))
            line_ids = list(lines.values_list("pk", flat=True))
            totals["ledger_rows"] += _delete_ledger_rows(claim_ids)
            PaymentRunItem.objects.filter(claim_id__in=claim_ids).delete()
            _forget_trail(ClaimLine, line_ids)
            _forget_trail(Claim, claim_ids)
            totals["claims"] += (
                Claim.objects.filter(pk__in=claim_ids).delete()[1].get(Claim._meta.label, 0)
            )
            Receipt.objects.filter(pk__in=[r.pk for r in receipts]).delete()
            totals["receipts"] += len(receipts)
            names = [r.file.name for r in receipts if r.file]
            transaction.on_commit(lambda names=names: [storage.delete(n) for n in names])
    with transaction.atomic(), disable_auditlog():
        allow_privileged_change()
        empty_runs = PaymentRun.objects.exclude(
            Exists(PaymentRunItem.objects.filter(run=OuterRef("pk")))
        ).filter(created_at__lt=now - timedelta(days=1), ledger_entries__isnull=True)
        empty_run_ids = list(empty_runs.values_list("pk", flat=True))
        _forget_trail(PaymentRun, empty_run_ids)
        totals["payment_runs"] = PaymentRun.objects.filter(pk__in=empty_run_ids).delete()[0]
    if any(totals.values()):
        logger.info("Purged financial records past the retention period: %s", totals)
    return totals
