"""Conflicts of interest a commissioner declares: while one is active they cannot review that
person's claims (review.review_block_reason)."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from ..models import ConflictOfInterest
from ._common import PaymentError, _require_commissioner


def declare_conflict(*, commissioner, person, reason: str) -> ConflictOfInterest:
    _require_commissioner(commissioner)
    if person.pk == commissioner.pk:
        raise PaymentError("You cannot declare a conflict with yourself")
    try:
        with transaction.atomic():
            return ConflictOfInterest.objects.create(
                commissioner=commissioner, person=person, reason=reason.strip()
            )
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
