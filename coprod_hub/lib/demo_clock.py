"""Run the hub's own services "at" a moment in the past, for demo data.

The demo tells a story that happened over months: a claim sent in October, approved a week
later and paid in November. Services stamp what they write with `timezone.now()` (claims,
their history, ledger lines, audit entries, messages), so moving those stamps afterwards would
mean finding every row each service wrote, and missing one leaves a ledger line dated before
the session it pays for. Instead the services run with the clock set back: every row they
write then agrees with every other. Only demo seeding uses this; nothing else should.
"""

from contextlib import ExitStack, contextmanager
from datetime import datetime
from unittest import mock

from django.apps import apps
from django.utils import timezone

_real_now = timezone.now


def _fields_stamped_by_default():
    """Fields declared `default=timezone.now` (a moderation event's time, when an entry was
    sent). Django keeps the function itself, taken when the model was defined, so setting
    the module's clock back does not reach them: each field's default is set back too."""
    return [
        field
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if field.default is _real_now
    ]


@contextmanager
def demo_clock(moment: datetime):
    """Inside the block, `timezone.now()` starts at `moment` and runs on at the real pace,
    so rows written one after another still sort in the order they were written."""
    if moment > _real_now():
        raise ValueError("The demo clock only goes back: nothing can happen in the future.")
    started = _real_now()

    def clock():
        return moment + (_real_now() - started)

    with ExitStack() as stack:
        stack.enter_context(mock.patch.object(timezone, "now", clock))
        for field in _fields_stamped_by_default():
            stack.enter_context(mock.patch.object(field, "_get_default", clock))
        yield
