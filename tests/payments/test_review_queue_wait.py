"""The review queue says how long each claim has waited the way people say it: "Today" for a
claim sent today, then "1 day", "3 days", and the kept copy of the queue moves on at midnight."""

import re

import pytest
from django.urls import reverse

from payments.models import Claim

pytestmark = pytest.mark.django_db


def _wait_shown(page: str, claim: Claim) -> str:
    """The words under the claim's status tag, before the date it was sent."""
    row = page[page.index(claim.reference) :]
    return re.search(r"</strong>\s*<br>\s*([^<]+)<br><span class=\"hub-meta\">sent", row)[1].strip()


def test_a_claim_sent_today_has_waited_since_today(
    client, make_claim, resident, commissioner, time_machine
):
    time_machine.move_to("2026-03-13 10:00 +00:00", tick=False)
    claim = make_claim(resident, status=Claim.Status.SUBMITTED)
    client.force_login(commissioner)

    page = client.get(reverse("payments:review")).content.decode()

    assert _wait_shown(page, claim) == "Today"
    assert "0 days" not in page


@pytest.mark.parametrize(("sent", "shown"), [("2026-03-12", "1 day"), ("2026-03-10", "3 days")])
def test_a_claim_sent_earlier_shows_whole_days(
    client, make_claim, resident, commissioner, time_machine, sent, shown
):
    time_machine.move_to(f"{sent} 10:00 +00:00", tick=False)
    claim = make_claim(resident, status=Claim.Status.SUBMITTED)
    time_machine.move_to("2026-03-13 10:00 +00:00", tick=False)
    client.force_login(commissioner)

    page = client.get(reverse("payments:review")).content.decode()

    assert _wait_shown(page, claim) == shown


def test_the_kept_queue_stops_saying_today_at_midnight(
    client, make_claim, resident, commissioner, time_machine, settings
):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 600  # a copy kept across midnight, were it not dated
    time_machine.move_to("2026-03-13 23:58 +00:00", tick=False)
    claim = make_claim(resident, status=Claim.Status.SUBMITTED)
    client.force_login(commissioner)
    assert _wait_shown(client.get(reverse("payments:review")).content.decode(), claim) == "Today"

    time_machine.move_to("2026-03-14 00:01 +00:00", tick=False)
    page = client.get(reverse("payments:review")).content.decode()

    assert _wait_shown(page, claim) == "1 day"
