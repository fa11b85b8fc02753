"""Receipt files: stored privately under a random name, and removed only once the rows that
used them are gone for good (after commit)."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from ..models import Receipt
from ._common import _lock_claimant


def _delete_files_after_commit(receipts) -> None:
    names = [r.file.name for r in receipts if r.file]
    storage = Receipt._meta.get_field("file").storage

    def remove():
        for name in names:
            storage.delete(name)

    transaction.on_commit(remove)


# Receipts a person has uploaded but not yet used on an expense (each form with a mistake
# keeps one, so they need not find the file again). Beyond this many, the oldest go: one
# person cannot fill the disk by sending the form with a mistake again and again.
MAX_UNUSED_RECEIPTS = 10


def store_receipt(upload, *, owner, by, content_type: str) -> Receipt:
    """Save a checked upload privately, under a random name.

    Not for someone whose account was erased (a colleague, or the person in another tab, may
    be erasing it at this moment): the file would be kept about them. Their account row is
    locked first, as for every change to their claims (`_lock_claimant`), and checked before
    the file is written."""
    with transaction.atomic():
        _lock_claimant(owner.pk, by=by)
        receipt = Receipt(
            owner=owner,
            uploaded_by=by,
            original_name=(upload.name or "receipt").rsplit("/", 1)[-1][:200],
            content_type=content_type,
            size=upload.size,
        )
        receipt.file.save("receipt", upload, save=False)
        receipt.save()
        newest_first = Receipt.objects.filter(owner=owner).order_by("-uploaded_at", "-pk")
        _delete_unused(newest_first, skip=MAX_UNUSED_RECEIPTS)
    return receipt


def delete_unused_receipts(*, older_than=None) -> int:
    """Receipts stored while a form had other mistakes, then never used. Kept for a day so
    a person can come back to the form; then the file and row go."""
    cutoff = timezone.now() - (older_than or timedelta(days=1))
    return _delete_unused(Receipt.objects.filter(uploaded_at__lt=cutoff).order_by("pk"), take=1000)


def _delete_unused(receipts, *, skip=0, take=None) -> int:
    """Delete the receipts no expense uses among `receipts` (ordered), after the first `skip`
    of them and at most `take`, files and all."""
    with transaction.atomic():
        # Lock the receipts we mean to remove. skip_locked: one being attached to an expense
        # right now (save_expense locks it) is left for later rather than waited for.
        # of=("self",): PostgreSQL cannot lock the nullable side of the outer join that
        # line__isnull needs.
        locked = list(
            receipts.filter(line__isnull=True)
            .select_for_update(skip_locked=True, of=("self",))
            .values_list("pk", flat=True)[skip : None if take is None else skip + take]
        )
        # Check again under the lock: a line saved between that query starting and the lock
        # being taken was not visible to it, and its receipt must stay.
        unused = list(Receipt.objects.filter(pk__in=locked, line__isnull=True))
        Receipt.objects.filter(pk__in=[r.pk for r in unused]).delete()
        # Files go only for rows removed, and only once that is committed.
        _delete_files_after_commit(unused)
    return len(unused)
