from datetime import timedelta

import pytest
from django.utils import timezone

from coprod_hub.lib.demo_clock import demo_clock
from learning.models import ModerationEvent

pytestmark = pytest.mark.django_db


def test_rows_stamped_by_a_field_default_follow_the_demo_clock():
    moment = timezone.now() - timedelta(days=30)
    with demo_clock(moment):
        event = ModerationEvent.objects.create(action=ModerationEvent.Action.SUBMITTED)
    assert moment <= event.at < moment + timedelta(minutes=1)
    # Outside the block the field's default is the real clock again.
    later = ModerationEvent.objects.create(action=ModerationEvent.Action.SUBMITTED)
    assert later.at > timezone.now() - timedelta(minutes=1)


def test_the_demo_clock_never_goes_forward():
    with pytest.raises(ValueError), demo_clock(timezone.now() + timedelta(days=1)):
        pass
