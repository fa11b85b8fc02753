"""Run the hub's own services "at" a moment in the past, for demo data.

The demo tells a story that happened over months: a claim sent in October, approved a week
later and paid in November. Services stamp what they write with `timezone.now()` (claims,
their history, ledger lines, audit entries, messages), so moving those stamps afterwards would
mean finding every row each service wrote, and missing one leaves a ledger line dated before
the session it pays for. Instead the services run with the clock set back: every row they
write then agrees with every other. Only demo seeding uses this; nothing else should.
"""

from contextlib import contextmanager
from datetime import datetime
from unittest import mock

from django.utils import timezone

_real_now = timezone.now


@contextmanager
def demo_clock(moment: datetime):
    """Inside the block, `timezone.now()` starts at `moment` and runs on at the real pace,
    so rows written one after another still sort in the order they were written."""
    if moment > _real_now():
        raise ValueError("The demo clock only goes back: nothing can happen in the future.")
    started = _real_now()
    with mock.patch.object(timezone, "now", lambda: moment + (_real_now() - started)):
        yield
