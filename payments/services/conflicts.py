"""Conflicts of interest a commissioner declares: while one is active they cannot review that
person's claims (review.review_block_reason). Declaring one is never refused for leaving a
claim with no commissioner who may decide it: the administrators are told (deciders)."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from ..models import ConflictOfInterest
from ._common import PaymentError, _require_commissioner
from .deciders import tell_after_conflict


def declare_conflict(*, commissioner, person, reason: str) -> ConflictOfInterest:
    _require_commissioner(commissioner)
    if person.pk == commissioner.pk:
        raise PaymentError("You cannot declare a conflict with yourself")
    try:
        with transaction.atomic():
            conflict = ConflictOfInterest.objects.create(
                commissioner=commissioner, person=person, reason=reason.strip()
            )
            # Declared even if it leaves some of the person's sent claims with no commissioner
            # who may decide them (integrity first): the administrators hear of those.
            tell_after_conflict(conflict)
            return conflict
    except IntegrityError:
        raise PaymentError(f"You have already declared a conflict with {person}") from None


def withdraw_conflict(conflict, *, by) -> None:
    if conflict.commissioner_id != by.pk:
        raise PaymentError("Only the commissioner who declared it can withdraw it")
    with transaction.atomic():
        # save(), not QuerySet.update(): the audit trail only hears about saved instances,
        # and who withdrew a conflict of interest, and when, must be on the record. The lock
        # makes a double click withdraw it once, with one audit entry.
        conflict = ConflictOfInterest.objects.select_for_update().get(pk=conflict.pk)
        if conflict.withdrawn_at is not None:
            return
        conflict.withdrawn_at = timezone.now()
        conflict.save(update_fields=["withdrawn_at"])
