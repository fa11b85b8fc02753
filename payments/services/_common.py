"""What the service modules share: the one error people see, the claim row lock (after the
claimant's, for changes they make), and the claim's history (each change recorded with the
message it sends)."""

from auditlog.context import auditlog_disabled
from auditlog.diff import model_instance_diff
from auditlog.models import LogEntry
from django.conf import settings

from coprod_hub.audit import unsaved_entry
from coprod_hub.users.handing_over import lock_account
from coprod_hub.users.privacy import is_erased
from coprod_hub.users.roles import Role
from participation.models import SignUp

from ..messages import notify_claim_status
from ..models import Claim, ClaimEvent, PaymentPolicy

Status = Claim.Status


class PaymentError(Exception):
    """Something the person asked for cannot be done; the message says why. `field` names
    the form field the problem is about, when there is one, so the view can show the
    message next to it (GOV.UK error pattern) rather than only at the top."""

    def __init__(self, message, *, field=None):
        super().__init__(message)
        self.field = field


def _lock(claim) -> Claim:
    # No select_related: PostgreSQL cannot lock the nullable side of an outer join.
    return Claim.objects.select_for_update().get(pk=claim.pk)


def _lock_claimant(claimant_id, *, by, refusal: str = "This claim cannot be changed") -> None:
    """Lock the account row of the person claiming until the transaction ends, and refuse
    (`refusal`, then why) if their account was erased: we could neither pay nor tell them,
    and what was added (an expense's words, a receipt, an address) would be personal data
    kept about someone erased.

    Taken before any claim, receipt or place it changes: erasing an account locks the row
    first, then deletes or blanks the person's claims, receipts and places
    (coprod_hub.users.privacy.erase), and the other order could leave each waiting for the
    other (a deadlock). In this order a change made first is committed before erasing reads
    what to remove, and one made later waits for the erasure and is refused here."""
    claimant = lock_account(claimant_id)
    if is_erased(claimant):
        gone = (
            "you have deleted your account"
            if by.pk == claimant.pk
            else "the person has deleted their account"
        )
        raise PaymentError(f"{refusal}: {gone}.")


def _lock_to_change(claim, *, by, refusal: str = "This claim cannot be changed") -> Claim:
    """The claim, read again with its row locked, after its claimant's (`_lock_claimant`):
    for whatever the person claiming, or staff acting for them, change or send."""
    _lock_claimant(claim.claimant_id, by=by, refusal=refusal)
    return _lock(claim)


def _record(
    claim, *, actor, from_status, note="", notify=True, message=None, extra=None
) -> ClaimEvent:
    """Keep the change in the claim's history and tell the person: by the new status, or by
    `message` (a message kind) for a change that keeps the status, such as a correction.
    `extra`: more for the message to say."""
    # "On behalf" marks staff doing what the person would do (start, send), not reviewers.
    on_behalf = (
        actor is not None
        and actor.pk != claim.claimant_id
        and actor.pk == claim.started_by_id
        and claim.status in (Status.DRAFT, Status.SUBMITTED)
    )
    event = ClaimEvent.objects.create(
        claim=claim,
        actor=actor,
        from_status=from_status,
        to_status=claim.status,
        note=note,
        on_behalf=on_behalf,
    )
    if notify and (message or from_status != claim.status):
        notify_claim_status(claim, event, policy=PaymentPolicy.current(), kind=message, extra=extra)
    return event


def _record_many(claims, *, actor, from_status, note: str) -> None:
    """`_record` for every claim a payment run moves, in one query whatever the run's size.
    No message: a run's claims hear when they are paid, or if their payment fails."""
    ClaimEvent.objects.bulk_create(
        [
            ClaimEvent(
                claim=claim,
                actor=actor,
                from_status=from_status,
                to_status=claim.status,
                note=note,
            )
            for claim in claims
        ]
    )


def _audit_bulk_changes(changes, *, by, fields) -> None:
    """Put changes saved with `QuerySet.update` or `bulk_update` in the audit trail.

    django-auditlog writes its entries from save() signals, which bulk writes do not send, so
    a payment run's claims changed without a trace. `changes` is [(before, after)] per
    claim: copies of the rows before and after the change. The entries are worked out by
    auditlog's own diff, so they read like the ones it writes, and saved in one query.
    """
    if auditlog_disabled.get():
        return
    entries = []
    for before, after in changes:
        diff = model_instance_diff(
            before,
            after,
            fields_to_check=fields,
            use_json_for_changes=settings.AUDITLOG_STORE_JSON_CHANGES,
        )
        if diff:
            # The reference, not str(claim): that names the person and would load each one
            # (a query per claim).
            entries.append(
                unsaved_entry(
                    after,
                    action=LogEntry.Action.UPDATE,
                    changes=diff,
                    by=by,
                    object_repr=after.reference,
                )
            )
    LogEntry.objects.bulk_create(entries)


def _require_still_attended(claim, *, by, action: str) -> None:
    """Staff may correct the register after a claim was started (to "did not attend", say).
    The claim was only allowed because the person attended, so it must not go further."""
    if claim.signup.attendance == SignUp.Attendance.ATTENDED:
        return
    who = "you" if by.pk == claim.claimant_id else "this person"
    raise PaymentError(
        f"The register no longer shows {who} attended, so this claim cannot be {action}. "
        "Check the attendance with the staff who ran the session."
    )


def _require_commissioner(user) -> None:
    if not user.has_role(Role.COMMISSIONER):
        raise PaymentError("Only commissioners can do this.")
