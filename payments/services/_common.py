"""What the service modules share: the one error people see, the claim row lock, and the
claim's history (each change recorded with the message it sends)."""

from coprod_hub.users.roles import Role
from participation.models import SignUp

from ..messages import notify_claim_status
from ..models import Claim, ClaimEvent, PaymentPolicy

Status = Claim.Status


class PaymentError(Exception):
    """Something the person asked for cannot be done; the message says why."""


def _lock(claim) -> Claim:
    # No select_related: PostgreSQL cannot lock the nullable side of an outer join.
    return Claim.objects.select_for_update().get(pk=claim.pk)


def _record(claim, *, actor, from_status, note="", notify=True, message=None) -> ClaimEvent:
    """Keep the change in the claim's history and tell the person: by the new status, or by
    `message` (a message kind) for a change that keeps the status, such as a correction."""
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
        notify_claim_status(claim, event, policy=PaymentPolicy.current(), kind=message)
    return event


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
