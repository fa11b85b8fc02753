"""The review queue puts whoever has waited longest for their money first, counting from when
they first sent their claim, even if we returned it and they sent it again."""

import pytest
from django.db import connection
from django.urls import reverse

from payments import services
from payments.forms import ReviewFilterForm
from payments.models import Claim, PaymentPolicy
from payments.views.review import _filtered_queue

pytestmark = pytest.mark.django_db


def _sent_again(make_claim, person, commissioner, time_machine, *, first, again):
    time_machine.move_to(first, tick=False)
    claim = make_claim(person, status=Claim.Status.RETURNED, reviewer=commissioner)
    time_machine.move_to(again, tick=False)
    return services.submit_claim(claim, by=person, benefits_acknowledged=True)


def _queue(client, **params) -> str:
    return client.get(reverse("payments:review"), params).content.decode()


def test_a_claim_sent_again_waits_from_when_it_was_first_sent(
    client, make_claim, resident, other_resident, commissioner, time_machine
):
    time_machine.move_to("2026-03-05 10:00 +00:00", tick=False)
    sent_once = make_claim(other_resident)
    sent_again = _sent_again(
        make_claim,
        resident,
        commissioner,
        time_machine,
        first="2026-03-02 10:00 +00:00",
        again="2026-03-12 10:00 +00:00",
    )
    time_machine.move_to("2026-03-13 10:00 +00:00", tick=False)
    client.force_login(commissioner)

    page = _queue(client)

    assert page.index(sent_again.reference) < page.index(sent_once.reference)
    assert "11 days" in page  # 2 to 13 March, not 1 day since it was sent again
    assert "sent 2 Mar 2026, sent again 12 Mar 2026" in page
    assert "sent 5 Mar 2026<" in page  # sent once: one date
    open_claims = _queue(client, status="open")
    assert open_claims.index(sent_again.reference) < open_claims.index(sent_once.reference)


def test_a_claim_sent_again_the_same_day_shows_one_date(
    client, make_claim, resident, commissioner, time_machine
):
    _sent_again(
        make_claim,
        resident,
        commissioner,
        time_machine,
        first="2026-03-02 09:00 +00:00",
        again="2026-03-02 15:00 +00:00",
    )
    client.force_login(commissioner)

    page = _queue(client)

    assert "sent 2 Mar 2026<" in page
    assert "sent again" not in page


def test_a_claim_sent_again_lately_is_still_past_the_target_from_its_first_sending(
    client, make_claim, resident, other_resident, commissioner, time_machine
):
    claim = _sent_again(
        make_claim,
        resident,
        commissioner,
        time_machine,
        first="2026-01-02 10:00 +00:00",
        again="2026-01-30 10:00 +00:00",
    )
    time_machine.move_to("2026-02-02 10:00 +00:00", tick=False)
    recent = make_claim(other_resident)
    client.force_login(commissioner)
    target = PaymentPolicy.current().target_days_to_pay

    page = _queue(client)
    overdue = _queue(client, status="open", flag="overdue")

    assert "31 days" in page and "Past target" in page
    assert f"1 sent or approved claim past the {target}-day target to pay." in page
    # As links: the search box's hint names an example claim number, which may be either.
    assert f">{claim.reference}</a>" in overdue and f">{recent.reference}</a>" not in overdue


@pytest.mark.usefixtures("caching_as_in_production")
def test_the_kept_queue_follows_a_claim_being_sent_again(
    client, make_claim, resident, commissioner, time_machine, settings
):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 60
    time_machine.move_to("2026-01-02 10:00 +00:00", tick=False)
    claim = make_claim(resident, status=Claim.Status.RETURNED, reviewer=commissioner)
    time_machine.move_to("2026-02-02 10:00 +00:00", tick=False)
    client.force_login(commissioner)
    assert "0 claims waiting for a decision" in _queue(client)

    services.submit_claim(claim, by=resident, benefits_acknowledged=True)

    page = _queue(client)
    assert "1 claim waiting for a decision" in page
    assert "31 days" in page and "sent 2 Jan 2026, sent again 2 Feb 2026" in page
    assert "1 sent or approved claim past the" in page


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's query plans")
@pytest.mark.parametrize("status", ["", Claim.Status.SUBMITTED, Claim.Status.APPROVED])
def test_each_page_of_the_waiting_queue_is_read_in_order_from_an_index(status, commissioner):
    form = ReviewFilterForm({"status": status})
    queue = _filtered_queue(form, target_days=28, today=None)
    with connection.cursor() as cursor:
        # Tiny test tables would be read whole; make the planner show what it would use.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        plan = queue[:50].explain()

    assert "claim_queue_first_sent_idx" in plan
    assert "Sort" not in plan
