import pytest

from coprod_hub.users import privacy
from notifications.models import Message, Unsubscribe
from notifications.services import queue_message, unsubscribe
from tests.notifications.test_outbox import _project, _update

pytestmark = pytest.mark.django_db


def test_a_persons_messages_are_in_their_download_and_gone_after_erasure(resident):
    queue_message(
        "we_said_we_did",
        recipient=resident,
        event_key="update:7",
        context={"project": _project(), "update": _update()},
    )
    unsubscribe(resident.pk, "alerts")

    data = privacy.collect(resident)
    assert data["notifications"]["messages_sent"][0]["what"].startswith("What changed")
    assert data["notifications"]["stopped_messages_about"] == [
        "New opportunities that match your interests"
    ]

    privacy.erase(resident)

    assert not Message.objects.filter(recipient=resident).exists()
    assert not Unsubscribe.objects.filter(user=resident).exists()
