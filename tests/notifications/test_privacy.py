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


def _to_address(address, n):
    from notifications.services import queue_email_to_address

    queue_email_to_address(
        "guide_entry_published",
        to_address=address,
        event_key=f"guide-event:{n}",
        context={"title": "Paying on the day", "entry_url": "/guide/x-1/", "reference": "PG-1"},
    )


def test_messages_to_any_address_they_confirmed_are_theirs_to_download_and_erase(resident):
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=resident, email="rita.old@example.org", verified=True)
    EmailAddress.objects.create(user=resident, email="not.yet@example.org", verified=False)
    for n, address in enumerate([resident.email, "RITA.OLD@example.org", "not.yet@example.org"]):
        _to_address(address, n)

    data = privacy.collect(resident)
    privacy.erase(resident)

    assert len(data["notifications"]["messages_sent_to_your_address_only"]) == 2
    # Anyone can add an address they do not own: until confirmed it is not theirs.
    assert list(Message.objects.values_list("to_address", flat=True)) == ["not.yet@example.org"]
