"""Taxis agreed in the hub: staff running a session record that a person may take a taxi to
it and claim the fare. The person's claim then relies on that record, not on a name they
type, and the commissioner sees who agreed it and when.

An agreement is withdrawn rather than deleted, so a claim line that relied on it keeps
pointing at it. Both changes go in the audit trail, with who made them, and the person is told
of both in the same transaction (messages `taxi_agreed` and `taxi_withdrawn`): a taxi they
were promised and then lost is money they may be about to spend.

A taxi is for a journey: someone joining a hybrid session online has none, so none is agreed
for them, and one agreed before they chose to join online is withdrawn then
(`withdraw_taxi_for_joining_online`).
"""

from auditlog.models import LogEntry
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from participation import permissions as participation_permissions
from participation.models import Opportunity, SignUp

from .. import policy
from ..models import Claim, ClaimLine, ExpenseCategory, TaxiAgreement
from ._common import PaymentError

# Claims nobody has decided yet: their taxi lines rely on a new agreement from now on. A
# decided claim keeps what the commissioner saw when deciding it.
_UNDECIDED = (Claim.Status.DRAFT, Claim.Status.RETURNED, Claim.Status.SUBMITTED)


def _require_runs(by, opportunity) -> None:
    # The same rule as the session's manage page: whoever may run it.
    if not participation_permissions.can_run(by, opportunity):
        raise PaymentError("Only staff running this session can agree or withdraw its taxis.")


def agree_taxi(signup, *, by, note: str = "") -> TaxiAgreement:
    """Agree a taxi for someone with a place. A second agreement while one stands (a double
    click, or two colleagues at once) is refused: there is one live agreement per sign-up."""
    with transaction.atomic():
        # The session first, then the place, in the order participation locks them (changing
        # how someone joins, cancelling a place): the message written below refers to the
        # session, which must not wait on a lock held by someone waiting on this place. Two
        # agreements for the same person wait for each other here, and the second then finds
        # the first.
        _lock_session(Opportunity.objects.filter(signups=signup.pk))
        signup = (
            SignUp.objects.select_for_update(of=("self",))
            .select_related("opportunity__project", "resident")
            .get(pk=signup.pk)
        )
        opportunity = signup.opportunity
        _require_runs(by, opportunity)
        if signup.resident_id == by.pk:
            raise PaymentError(
                "You cannot agree a taxi for yourself. Ask someone else running the session."
            )
        problem = policy.taxi_agreement_problem(opportunity)
        if problem:
            raise PaymentError(problem)
        if signup.status != SignUp.Status.BOOKED:
            raise PaymentError(
                f"{signup.resident} does not have a place, so we cannot agree a taxi for them."
            )
        # Read under the lock on the session, which changing how they join takes too
        # (participation.services.change_joining): it either waits for this agreement and
        # withdraws it, or has already said they join online.
        if opportunity.joins_online(signup.joining):
            raise PaymentError(
                f"{signup.resident} will join online, so there is no journey to agree a taxi "
                "for. If they want to come in person now, change how they will join first."
            )
        existing = TaxiAgreement.objects.live_for(signup.pk)
        if existing is not None:
            raise PaymentError(
                f"A taxi is already agreed for {signup.resident}, by {existing.agreed_by}."
            )
        try:
            # The partial unique index refuses a second live agreement even where rows cannot
            # be locked (SQLite).
            with transaction.atomic():
                agreement = TaxiAgreement.objects.create(
                    signup=signup, agreed_by=by, note=note.strip()
                )
        except IntegrityError:
            raise PaymentError(f"A taxi is already agreed for {signup.resident}.") from None
        _audit(
            agreement,
            by=by,
            action=LogEntry.Action.CREATE,
            changes={
                "signup": [None, str(signup.pk)],
                "agreed_by": [None, str(by.pk)],
                "note": [None, agreement.note],
            },
        )
        _rely_on(agreement)
        _tell("taxi_agreed", agreement, signup=signup)
    return agreement


def withdraw_taxi(agreement, *, by) -> TaxiAgreement:
    """Withdraw an agreement. Claim lines that relied on it keep it, shown as withdrawn, and
    the person must then say who agreed the taxi, as before agreements were recorded here."""
    with transaction.atomic():
        # The session first, as for agreeing one (see agree_taxi).
        _lock_session(Opportunity.objects.filter(signups__taxi_agreements=agreement.pk))
        agreement = (
            TaxiAgreement.objects.select_for_update(of=("self",))
            .select_related("signup__opportunity__project", "signup__resident", "withdrawn_by")
            .get(pk=agreement.pk)
        )
        _require_runs(by, agreement.signup.opportunity)
        if not agreement.is_live:
            raise PaymentError(
                f"The taxi for {agreement.signup.resident} was already withdrawn, by "
                f"{agreement.withdrawn_by}."
            )
        _withdraw(agreement, by=by, now=timezone.now())
        # Only here, where staff withdraw it on its own: a taxi that ends with its place
        # (withdraw_taxi_with_place) is told by the place's cancellation message.
        _tell("taxi_withdrawn", agreement, signup=agreement.signup)
    return agreement


def _lock_session(sessions) -> None:
    """Lock the row of the session `sessions` finds (the one a place or agreement is for),
    until the transaction ends: the first lock every change to a place takes."""
    list(sessions.select_for_update(of=("self",)).values_list("pk", flat=True))


def withdraw_taxi_with_place(signup, *, by, now) -> int:
    """A place that ends takes its taxi with it: the agreement was for that booking. Without
    this, someone who cancels and books again (the same sign-up, booked anew) would find the
    old agreement standing, though nobody running the session agreed it for the new booking.
    Called by participation under its lock on the session, with who ended the place (the
    person, or staff for them). Returns how many were withdrawn (0 or 1)."""
    agreement = (
        TaxiAgreement.objects.live().select_for_update(of=("self",)).filter(signup=signup).first()
    )
    if agreement is None:
        return 0
    _withdraw(agreement, by=by, now=now)
    return 1


# Why an agreement was withdrawn, when it was not staff withdrawing it on its own: kept in the
# audit entry (and said in the person's message), so the trail explains itself.
JOINING_ONLINE = "joining_online"


def withdraw_taxi_for_joining_online(signup, *, by, now) -> TaxiAgreement | None:
    """Someone with a taxi agreed for a hybrid session will now join it online: nobody travels,
    so the agreement is withdrawn, by whoever changed how they join (the person, or staff for
    them), and the person is told why in one message (`taxi_withdrawn`, with the reason). The
    staff running the session are told by participation, with the rest of the change.

    Called by participation under its lock on the session, which agreeing a taxi takes too:
    two changes at once (a double click) find one agreement to withdraw, and the second finds
    none. Returns the agreement withdrawn, or None."""
    agreement = (
        TaxiAgreement.objects.live()
        .select_for_update(of=("self",))
        .select_related("agreed_by")
        .filter(signup=signup)
        .first()
    )
    if agreement is None:
        return None
    _withdraw(agreement, by=by, now=now, reason=JOINING_ONLINE)
    # Their own message about the change: nothing else tells them a taxi they were promised
    # is gone. Claim lines that relied on it are left as any withdrawal leaves them.
    _tell(
        "taxi_withdrawn",
        agreement,
        signup=signup,
        reason=JOINING_ONLINE,
        changed_by=by if by.pk != signup.resident_id else None,
    )
    return agreement


def _withdraw(agreement, *, by, now, reason="") -> None:
    # Imported here, as in payments/messages.py: the notifications app owns the outbox.
    from notifications.models import Message
    from notifications.services import withdraw_calls

    agreement.withdrawn_at = now
    agreement.withdrawn_by = by
    agreement.save(update_fields=["withdrawn_at", "withdrawn_by"])
    _audit(
        agreement,
        by=by,
        action=LogEntry.Action.UPDATE,
        changes={"withdrawn_at": [None, now.isoformat()], "withdrawn_by": [None, str(by.pk)]},
        reason=reason,
    )
    # Staff must not phone through "your taxi is agreed" once it is not.
    withdraw_calls(Message.objects.filter(event_key=_event_key("taxi_agreed", agreement)))


def _event_key(kind, agreement) -> str:
    # Starts as participation's keys about a place do ("signup:<id>:"), so a call still to
    # make about this taxi comes off the call list when the place ends.
    return f"signup:{agreement.signup_id}:{kind}:{agreement.pk}"


def _tell(kind, agreement, *, signup, **context) -> None:
    """Queue the message to the person, in the caller's transaction: it commits (or rolls
    back) with the change, and one agreement gives one message of each kind."""
    from notifications.services import queue_message

    opportunity = signup.opportunity
    queue_message(
        kind,
        recipient=signup.resident,
        event_key=_event_key(kind, agreement),
        context={
            "signup": signup,
            "opportunity": opportunity,
            "note": agreement.note,
            "place_url": signup.get_absolute_url(),
            "claims_url": reverse("payments:claims"),
            **context,
        },
    )


def _rely_on(agreement) -> None:
    """Taxi lines already on the person's claim, if nobody has decided it yet, rely on the new
    agreement. Locks the claim, so a taxi line being saved at the same moment is either seen
    here or sees the agreement itself (`save_expense`)."""
    claim = (
        Claim.objects.select_for_update()
        .filter(signup_id=agreement.signup_id, status__in=_UNDECIDED)
        .first()
    )
    if claim is None:
        return
    lines = claim.lines.filter(kind=ClaimLine.Kind.EXPENSE, category=ExpenseCategory.TAXI)
    for line in lines:
        # save(), not update(): the claim line's audit trail records the change.
        line.taxi_agreement = agreement
        line.save(update_fields=["taxi_agreement"])


def _audit(agreement, *, by, action, changes, reason="") -> None:
    """Written here rather than by auditlog's signals, so the entry names who acted whether or
    not a request is behind the change. Ids, not names: erasing someone removes names."""
    LogEntry.objects.log_create(
        agreement,
        action=action,
        changes=changes,
        actor=by,
        actor_email=getattr(by, "email", None),
        force_log=True,
        **({"additional_data": {"reason": reason}} if reason else {}),
    )
