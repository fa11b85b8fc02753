"""Sending one event's message to many people ("we said, we did" updates) in batches.

The event's own transaction writes a single Broadcast row. A task then works through the
recipients in batches of BATCH_SIZE, each batch in its own short transaction, remembering how
far it got (`cursor`, the last recipient id). If a worker stops half-way, the periodic sweep
resumes from the cursor; the outbox's unique key means nobody gets a message twice.
"""

import logging

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from .models import Broadcast
from .services import BATCH_SIZE, queue_messages

logger = logging.getLogger(__name__)


def took_part(project_id=None, *, sessions=None):
    """Everyone who took part in the project: attended any of its opportunities. For an
    update about sessions standing alone, `sessions` (ids or a queryset) instead: everyone
    who attended any of them."""
    if project_id is None and sessions is None:
        raise TypeError("took_part needs a project or its sessions")
    where = (
        {"signups__opportunity__in": sessions}
        if project_id is None
        else {"signups__opportunity__project_id": project_id}
    )
    return (
        get_user_model()
        .objects.filter(is_active=True, signups__attendance="attended", **where)
        .distinct()
        .select_related("profile")
    )


def _update_recipients(update):
    if update.project_id:
        return took_part(update.project_id)
    return took_part(sessions=update.opportunities.values("pk"))


def _update_context(update):
    # `project` is None for an update about sessions standing alone: the message names and
    # links to the (first) session instead.
    if update.project_id:
        return {"update": update, "project": update.project}
    return {"update": update, "project": None, "session": update.about}


def _load_update(pk):
    from projects.models import Update

    return Update.objects.select_related("project").get(pk=pk)


# kind -> (how to load the subject of the broadcast, its recipients, its message context)
KINDS = {
    "we_said_we_did": (_load_update, _update_recipients, _update_context),
}


def start_broadcast(kind: str, subject) -> Broadcast:
    """Call inside the event's transaction. The messages are written after commit."""
    broadcast = Broadcast.objects.create(kind=kind, object_id=subject.pk)
    transaction.on_commit(lambda: _enqueue(broadcast.pk))
    return broadcast


def not_yet_broadcast(kind: str, subjects):
    """The subjects (a queryset) that no broadcast of this kind has been started for."""
    started = Broadcast.objects.filter(kind=kind).values("object_id")
    return subjects.exclude(pk__in=started)


def _enqueue(broadcast_id):
    from .tasks import run_broadcast

    try:
        run_broadcast.apply_async(args=[broadcast_id], retry=False)
    except Exception:  # broker down: the sweep picks the broadcast up later
        logger.warning("Could not reach the task broker; broadcast %s waits", broadcast_id)


def run_broadcast(broadcast_id: int) -> int:
    """Write the broadcast's messages batch by batch. Safe to run again at any point."""
    broadcast = Broadcast.objects.get(pk=broadcast_id)
    if broadcast.finished_at:
        return 0
    load, recipients_of, context_of = KINDS[broadcast.kind]
    subject = load(broadcast.object_id)
    context = context_of(subject)
    written = 0
    while True:
        with transaction.atomic():
            locked = Broadcast.objects.select_for_update().get(pk=broadcast_id)
            if locked.finished_at:
                return written
            batch = list(
                recipients_of(subject).filter(pk__gt=locked.cursor).order_by("pk")[:BATCH_SIZE]
            )
            if not batch:
                locked.finished_at = timezone.now()
                locked.save(update_fields=["finished_at"])
                return written
            written += queue_messages(
                broadcast.kind,
                recipients=batch,
                event_key=f"{broadcast.kind}:{broadcast.object_id}",
                context=context,
            )
            locked.cursor = batch[-1].pk
            locked.save(update_fields=["cursor"])


def resume_unfinished() -> int:
    ids = list(Broadcast.objects.filter(finished_at=None).values_list("pk", flat=True)[:50])
    for broadcast_id in ids:
        run_broadcast(broadcast_id)
    return len(ids)
