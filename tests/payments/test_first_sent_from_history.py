"""Claims sent again before `first_submitted_at` existed get their first sending from history.

Migration 0005 copied the latest sending into `first_submitted_at`; 0007 puts back the first
one from the claim's history, and the days to pay that count from it.
"""

import csv
import importlib
import io
from datetime import date

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from payments import services
from payments.models import Claim

pytestmark = pytest.mark.django_db

migration = importlib.import_module(
    "payments.migrations.0007_claim_first_submitted_at_from_history"
)


def _sent_again_and_paid(make_claim, resident, commissioner, time_machine, *, first, again, paid):
    """A claim first sent at `first`, returned, sent again at `again` and paid at `paid`."""
    time_machine.move_to(first, tick=False)
    claim = make_claim(resident, status=Claim.Status.RETURNED, reviewer=commissioner)
    time_machine.move_to(again, tick=False)
    claim = services.submit_claim(claim, by=resident, benefits_acknowledged=True)
    if paid is None:
        return claim
    services.approve_claim(claim, by=commissioner)
    time_machine.move_to(paid, tick=False)
    run = services.create_payment_run(by=commissioner)
    services.confirm_payment_run(run, by=commissioner, paid_on=timezone.localdate())
    return Claim.objects.get(pk=claim.pk)


def _as_0005_left_it(claim):
    """What a claim sent again before 0005 held: the latest sending as its first, and (if
    paid) days to pay counted from that."""
    days = None
    if claim.paid_on:
        days = (claim.paid_on - timezone.localdate(claim.submitted_at)).days
    Claim.objects.filter(pk=claim.pk).update(
        first_submitted_at=claim.submitted_at, days_to_pay=days
    )


def _days_report_rows(client):
    response = client.get(reverse("payments:report_days_csv"))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    return {row[0]: row[3:6] for row in rows[1:]}


def test_a_paid_claim_sent_again_counts_its_days_to_pay_from_the_first_sending(
    client, make_claim, resident, commissioner, time_machine
):
    claim = _sent_again_and_paid(
        make_claim,
        resident,
        commissioner,
        time_machine,
        first="2026-03-02 10:00 +00:00",
        again="2026-03-12 10:00 +00:00",
        paid="2026-03-22 10:00 +00:00",
    )
    _as_0005_left_it(claim)
    client.force_login(commissioner)
    assert _days_report_rows(client)[claim.reference] == ["2026-03-12", "2026-03-22", "10"]

    migration.first_sending_from_history(apps, None)

    assert _days_report_rows(client)[claim.reference] == ["2026-03-02", "2026-03-22", "20"]
    page = client.get(reverse("payments:report_days")).content.decode()
    assert "2 Mar 2026" in page and "12 Mar 2026" not in page


def test_days_to_pay_start_on_the_local_day_the_claim_was_first_sent(
    client, make_claim, resident, commissioner, time_machine
):
    # 23:30 in UTC is 00:30 on 2 June in London (summer time): the person sent it on the 2nd.
    claim = _sent_again_and_paid(
        make_claim,
        resident,
        commissioner,
        time_machine,
        first="2026-06-01 23:30 +00:00",
        again="2026-06-10 10:00 +00:00",
        paid="2026-06-22 10:00 +00:00",
    )
    _as_0005_left_it(claim)

    migration.first_sending_from_history(apps, None)

    claim.refresh_from_db()
    assert timezone.localdate(claim.first_submitted_at) == date(2026, 6, 2)
    assert claim.days_to_pay == 20


def test_a_claim_still_waiting_gets_its_first_sending_and_no_days_to_pay(
    make_claim, resident, commissioner, time_machine
):
    claim = _sent_again_and_paid(
        make_claim,
        resident,
        commissioner,
        time_machine,
        first="2026-03-02 10:00 +00:00",
        again="2026-03-12 10:00 +00:00",
        paid=None,
    )
    first_event = claim.events.filter(to_status=Claim.Status.SUBMITTED).earliest("created_at")
    _as_0005_left_it(claim)

    migration.first_sending_from_history(apps, None)

    claim.refresh_from_db()
    assert claim.first_submitted_at == first_event.created_at
    assert claim.submitted_at > claim.first_submitted_at  # the latest sending stays as it was
    assert claim.days_to_pay is None


def test_claims_whose_history_starts_no_earlier_are_left_alone(
    make_claim, resident, other_resident, commissioner, time_machine
):
    time_machine.move_to("2026-03-02 10:00 +00:00", tick=False)
    sent_once = make_claim(resident, status=Claim.Status.PAID, reviewer=commissioner)
    draft = make_claim(other_resident, status=Claim.Status.DRAFT)
    # Demo claims have their sending moved back after the fact: earlier than their history.
    backdated = make_claim(other_resident)
    moved_back = timezone.now() - timezone.timedelta(days=30)
    Claim.objects.filter(pk=backdated.pk).update(
        submitted_at=moved_back, first_submitted_at=moved_back
    )
    before = {
        c.pk: (c.first_submitted_at, c.days_to_pay)
        for c in Claim.objects.filter(pk__in=[sent_once.pk, draft.pk, backdated.pk])
    }

    migration.first_sending_from_history(apps, None)

    after = {
        c.pk: (c.first_submitted_at, c.days_to_pay)
        for c in Claim.objects.filter(pk__in=[sent_once.pk, draft.pk, backdated.pk])
    }
    assert after == before
    assert after[draft.pk] == (None, None)
    assert after[backdated.pk][0] == moved_back
