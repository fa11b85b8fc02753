"""Sent claims that no commissioner may decide (`Claim.objects.no_commissioner_may_decide`):
the hub's administrators hear of them, once, so they can give the commissioner role to someone
who may. Until then the person is not paid.

Neither sending a claim nor declaring a conflict of interest is refused for this: the person is
owed their money, and a commissioner must always be able to say they should not decide. Both go
through, and then the claims they left with nobody to decide are told.

Checked after commit, not inside the transaction: a claim sent while the only other commissioner
declares a conflict of interest with the person would be missed by both (each reads the other's
change as not made yet). Once each has committed, whichever checks last sees both. Both may see
it, so each check locks the claims it may tell about (in order of id, so two never wait for each
other) and reads them again, and a claim keeps what left it with nobody to decide when the
administrators were told (`Claim.nobody_to_decide_told`): the second check finds that and says
nothing more. What left it so is the sending (a claim returned and sent again is news again)
and the latest conflict of interest declared with the person (someone given the role, who
then declares one too, leaves it stuck again: that is news).

The check after commit is lost if the process stops between the commit and the check (a crash,
a deploy). So a periodic task (`tell_of_every_claim_nobody_may_decide`, hourly on the beat
schedule) checks every sent claim nobody may decide as well: it says nothing about claims
already told, so it only ever tells what a lost check did not.

Someone must hear. The message is always sent (notifications.kinds.ALWAYS_SENT): an
administrator who stopped staff prompts still gets it, as someone is not paid until an
administrator acts; it is rare, and only administrators get it. With no administrator at all
(none with an open account) nobody can be told: the claims are left untold, so whoever is made
an administrator hears at the next check, the check logs an error each time for whoever runs
the hub, and the pages that say administrators were told say instead that there are none
(`who_was_told`). Commissioners, who see those pages, are not sent the message: they cannot
give the role, and the queue already shows them the claims. Nor does /health/ report it: load
balancers read it, and would take the hub out of service for want of an administrator.
"""

import hashlib
import logging

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max, OuterRef, Subquery

from ..models import Claim, ConflictOfInterest

logger = logging.getLogger(__name__)

KIND = "claims_nobody_may_decide"


def administrators():
    """Who is told: the hub's administrators with an open account."""
    return get_user_model().objects.filter(is_active=True, is_superuser=True)


def who_was_told(count: int, *, anyone_to_tell: bool | None = None) -> str:
    """What the pages say about who heard of `count` claims nobody may decide: the
    administrators, or, with none to tell, who should make someone one. One query, unless
    the caller says whether there is an administrator (`anyone_to_tell`)."""
    them = "it" if count == 1 else "them"
    if anyone_to_tell is None:
        anyone_to_tell = administrators().exists()
    if anyone_to_tell:
        return (
            "We have told the hub’s administrators, so they can give the commissioner role "
            f"to someone who may decide {them}."
        )
    return (
        "The hub has no administrators, so nobody has been told. Ask whoever runs the hub "
        "for the council to make someone an administrator: they can then give the "
        f"commissioner role to someone who may decide {them}."
    )


def what_left_it(claim) -> str:
    """What left a claim with nobody to decide it: its sending and the latest conflict of
    interest declared with the person (`latest_conflict`, annotated by `tell_administrators`).
    """
    return f"{claim.submitted_at:%Y%m%d%H%M%S%f}:{claim.latest_conflict or 0}"


def tell_after_sending(claim) -> None:
    """Call inside the transaction that sends `claim`."""
    pk = claim.pk
    # robust: the claim is sent whatever happens here; a failure is logged, not shown to the
    # person as if sending had failed.
    transaction.on_commit(lambda: tell_administrators(Claim.objects.filter(pk=pk)), robust=True)


def tell_after_conflict(conflict) -> None:
    """Call inside the transaction that declares `conflict`. Only the person's claims its
    commissioner could decide but for it: a claim they made or sent for the person was not
    theirs to decide before, so the conflict changes nothing for it."""
    commissioner_id, person_id = conflict.commissioner_id, conflict.person_id
    transaction.on_commit(
        lambda: tell_administrators(
            Claim.objects.filter(claimant_id=person_id)
            .exclude(started_by_id=commissioner_id)
            .exclude(submitted_by_id=commissioner_id)
        ),
        robust=True,
    )


def tell_administrators(claims) -> int:
    """Tell the administrators, in one message, which of `claims` no commissioner may decide
    that they have not been told of already (see the module's docstring). Returns how many
    claims they were told of."""
    with transaction.atomic():
        ids = list(
            claims.filter(status=Claim.Status.SUBMITTED)
            .select_for_update()
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if not ids:
            return 0
        # A second query, once the rows are locked: one that waited for the lock would read
        # the roles and conflicts (other tables) as they were before the other check committed.
        latest_conflict = (
            ConflictOfInterest.objects.filter(person_id=OuterRef("claimant_id"))
            .order_by()
            .values("person_id")
            .annotate(latest=Max("pk"))
            .values("latest")
        )
        stuck = (
            Claim.objects.filter(pk__in=ids)
            .no_commissioner_may_decide()
            .annotate(latest_conflict=Subquery(latest_conflict))
            .select_related("opportunity")
            .order_by("first_submitted_at", "pk")
        )
        news = [claim for claim in stuck if claim.nobody_to_decide_told != what_left_it(claim)]
        if not news:
            return 0
        administrators_now = list(administrators().order_by("pk"))
        if not administrators_now:
            # Nobody to tell: left untold, so the next check tells whoever is an admin then.
            # Logged as an error so whoever runs the hub hears (the module's docstring).
            logger.error(
                "No commissioner may decide %d sent claim(s) (%s), and there is no active "
                "administrator to tell: make someone an administrator.",
                len(news),
                ", ".join(claim.reference for claim in news),
            )
            return 0
        from notifications.services import queue_messages

        told = {claim.pk: what_left_it(claim) for claim in news}
        digest = hashlib.sha256(repr(sorted(told.items())).encode()).hexdigest()[:16]
        queue_messages(
            KIND,
            recipients=administrators_now,
            event_key=f"claims-nobody-may-decide:{news[0].pk}:{digest}",
            context={"claims": news},
        )
        for claim in news:
            claim.nobody_to_decide_told = told[claim.pk]
        # No signals: this is a note of what was told, not a change anyone sees.
        Claim.objects.bulk_update(news, ["nobody_to_decide_told"])
    return len(news)


def tell_of_every_claim_nobody_may_decide() -> int:
    """The periodic check (see the module's docstring): tell the administrators of every sent
    claim nobody may decide that they have not been told of. Returns how many they were told
    of. Only claims stuck now are locked (`tell_administrators` checks each again under the
    lock), not every sent claim, so commissioners deciding others never wait for it."""
    return tell_administrators(Claim.objects.no_commissioner_may_decide())
