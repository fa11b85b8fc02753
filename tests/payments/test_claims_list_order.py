"""A resident's claims are listed by the date of the session each is for, latest first, which
is the date each row shows: a claim started late for an early session sits with its session."""

import re
from datetime import datetime

import pytest
from django.db import connection
from django.urls import reverse

from payments.models import Claim
from tests.payments.factories import SignUpFactory, claim_in_state

pytestmark = pytest.mark.django_db


def _claim_for_session_on(person, day: str, *, status=Claim.Status.SUBMITTED) -> Claim:
    session_starts = datetime.fromisoformat(f"{day} 10:00 +00:00")
    return claim_in_state(
        person,
        status=status,
        signup=SignUpFactory(resident=person, opportunity__starts_at=session_starts),
    )


def _session_dates_shown(page: str) -> list[str]:
    table = page[page.index("Claims you have made") :]
    return re.findall(r'<span class="hub-meta">(\d+ \w+ \d{4})</span></td>', table)


def test_claims_are_listed_by_their_session_date_latest_first(client, policy, resident):
    _claim_for_session_on(resident, "2026-10-06")
    _claim_for_session_on(resident, "2026-10-20")
    # Started last, as a draft, for the earliest session: it goes last, not first.
    _claim_for_session_on(resident, "2026-09-15", status=Claim.Status.DRAFT)
    client.force_login(resident)

    page = client.get(reverse("payments:claims")).content.decode()

    assert _session_dates_shown(page) == ["20 October 2026", "6 October 2026", "15 September 2026"]


def test_claims_for_sessions_on_the_same_day_list_the_one_started_later_first(
    client, policy, resident
):
    morning = _claim_for_session_on(resident, "2026-10-06")
    afternoon = _claim_for_session_on(resident, "2026-10-06")
    client.force_login(resident)

    for _ in range(2):  # the same order every time the page is opened
        page = client.get(reverse("payments:claims")).content.decode()
        assert page.index(f">{afternoon.reference}<") < page.index(f">{morning.reference}<")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's query plans")
def test_a_persons_claims_are_read_in_order_from_an_index(resident):
    claims = Claim.objects.for_claimant(resident).latest_sessions_first()
    with connection.cursor() as cursor:
        # Tiny test tables would be read whole; make the planner show what it would use.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        plan = claims[:20].explain()

    assert "claim_claimant_session_idx" in plan
    assert "Sort" not in plan
