"""Pages cost the same number of queries with 10 claims as with 300."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from coprod_hub.users.models import User
from participation.models import Opportunity, SignUp
from payments.models import Claim, LedgerEntry, PaymentRun, PaymentRunItem
from payments.taxyear import tax_year_for

from .factories import ProjectFactory

pytestmark = pytest.mark.django_db

STATUSES = ["submitted", "approved", "paid", "returned", "submitted", "paid"]


def add_claims(count, *, start, creator, run):
    """`count` claims in mixed states, each by a different person, with ledger rows."""
    now = timezone.now()
    today = timezone.localdate()
    projects = [ProjectFactory(owner=creator) for _ in range(max(1, count // 5))]
    opportunities = Opportunity.objects.bulk_create(
        [
            Opportunity(
                project=projects[i % len(projects)],
                title=f"Session {start + i}",
                description="x",
                kind="workshop",
                format="in_person",
                starts_at=now - timedelta(days=40),
                ends_at=now - timedelta(days=40, hours=-2),
                capacity=10,
                fee_basis="per_hour",
                created_by=creator,
            )
            for i in range(count)
        ]
    )
    people = User.objects.bulk_create(
        [
            User(email=f"bulk{start + i}@example.org", display_name=f"Person {start + i}")
            for i in range(count)
        ]
    )
    signups = SignUp.objects.bulk_create(
        [
            SignUp(opportunity=o, resident=p, status="booked", attendance="attended")
            for o, p in zip(opportunities, people, strict=True)
        ]
    )
    claims = []
    for i, (signup, opportunity, person) in enumerate(
        zip(signups, opportunities, people, strict=True)
    ):
        status = STATUSES[i % len(STATUSES)]
        claims.append(
            Claim(
                claimant=person,
                signup=signup,
                opportunity=opportunity,
                project=opportunity.project,
                activity_date=today - timedelta(days=40),
                status=status,
                payment_method="bank_transfer",
                started_by=person,
                fee_pence=4000,
                expenses_pence=460,
                approved_fee_pence=4000 if status in ("approved", "paid") else None,
                approved_expenses_pence=460 if status in ("approved", "paid") else None,
                # Spread over two months so some are past the target in both sets.
                submitted_at=now - timedelta(days=(i * 7) % 60),
                first_submitted_at=now - timedelta(days=(i * 7) % 60),
                paid_on=today if status == "paid" else None,
                days_to_pay=i % 40 if status == "paid" else None,
                payment_run=run if status == "paid" else None,
            )
        )
    claims = Claim.objects.bulk_create(claims)
    entries, items = [], []
    for claim in claims:
        if claim.status not in ("approved", "paid"):
            continue
        for component, amount in (("fee", 4000), ("expenses", 460)):
            common = {
                "claim": claim,
                "person_id": claim.claimant_id,
                "project_id": claim.project_id,
                "component": component,
                "effective_on": today,
                "tax_year": tax_year_for(today),
                "created_by": creator,
            }
            entries.append(
                LedgerEntry(kind="approval", account="owed", amount_pence=amount, **common)
            )
            if claim.status == "paid":
                entries.append(
                    LedgerEntry(kind="payment", account="owed", amount_pence=-amount, **common)
                )
                entries.append(
                    LedgerEntry(kind="payment", account="paid", amount_pence=amount, **common)
                )
        if claim.status == "paid":
            items.append(PaymentRunItem(run=run, claim=claim, fee_pence=4000, expenses_pence=460))
    LedgerEntry.objects.bulk_create(entries)
    PaymentRunItem.objects.bulk_create(items)


PAGES = [
    ("payments:review", {}),
    ("payments:review", {"status": "all"}),
    ("payments:review", {"status": "open", "flag": "overdue"}),
    ("payments:review", {"status": "all", "project": "project"}),
    ("payments:review", {"search": "person 1"}),
    ("payments:review", {"search": "bulk2@example"}),
    ("payments:review", {"search": "CL-00009"}),
    ("payments:reports", {}),
    ("payments:report_people", {}),
    ("payments:report_budgets", {}),
    ("payments:report_owed", {}),
    ("payments:report_days", {}),
    ("payments:runs", {}),
    ("payments:ledger", {}),
    ("payments:ledger", {"search": "person", "kind": "payment", "page": "2"}),
    ("payments:ledger", {"project": "project", "account": "owed", "tax_year": ""}),
]
CSVS = [
    "payments:report_people_csv",
    "payments:report_budgets_csv",
    "payments:report_owed_csv",
    "payments:report_days_csv",
    "payments:ledger_csv",
]


def _count(client, url, params=None):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200, url
    return len(queries)


def test_review_queue_and_reports_use_the_same_queries_for_10_and_300_claims(
    client, commissioner, staff
):
    run = PaymentRun.objects.create(created_by=commissioner, status="paid")
    add_claims(10, start=0, creator=staff, run=run)
    client.force_login(commissioner)
    urls = [(reverse(name), params) for name, params in PAGES]
    urls += [(reverse(name), {}) for name in CSVS]
    urls.append((reverse("payments:run", args=[run.pk]), {}))
    urls.append((reverse("payments:run_csv", args=[run.pk]), {}))
    _count(client, *urls[0])  # warm up: sessions, content types
    few = {url + str(params): _count(client, url, params) for url, params in urls}

    add_claims(290, start=10, creator=staff, run=run)
    many = {url + str(params): _count(client, url, params) for url, params in urls}

    assert many == few
    print("queries per page:", few)


def test_a_residents_claims_page_is_constant_too(client, staff, commissioner):
    run = PaymentRun.objects.create(created_by=commissioner, status="paid")
    add_claims(1, start=0, creator=staff, run=run)
    person = User.objects.get(email="bulk0@example.org")
    client.force_login(person)
    url = reverse("payments:claims")
    _count(client, url)
    few = _count(client, url)

    # Many more claims for the same person.
    add_claims(30, start=1, creator=staff, run=run)
    Claim.objects.update(claimant=person)
    many = _count(client, url)

    assert many == few
