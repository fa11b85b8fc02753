"""Every insight page runs the same number of queries with 100 sign-ups as with 10,000:
the counting happens in the database, never row by row in Python."""

import random
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from insight.models import EqualityMonitoring, SurveyInvitation, SurveyResponse, WeAssessment
from participation.models import Opportunity, SignUp
from payments.models import Claim, LedgerEntry
from payments.taxyear import tax_year_for
from projects.models import StepChange, Update

from .conftest import at
from .factories import ProjectFactory, ServiceAreaFactory, bulk_people

pytestmark = pytest.mark.django_db

YEAR = "start=2025-04-01&end=2026-03-31"
PAGES = [
    f"/insight/?{YEAR}",
    f"/insight/?{YEAR}&area=carers&level=service",
    f"/insight/?{YEAR}&format=csv&table=reach_areas",
    f"/insight/?{YEAR}&format=csv&table=equality_ethnic_group&area=carers",
    f"/insight/?{YEAR}&format=csv&table=outcomes_projects",
    f"/insight/?{YEAR}&format=csv&table=reciprocity_days",
    f"/insight/?{YEAR}&format=csv&table=reciprocity_budgets",
    f"/insight/?{YEAR}&format=csv&table=loop_projects",
    f"/insight/?{YEAR}&format=csv&table=ladder_moves",
    f"/insight/comments/?{YEAR}",
    f"/insight/comments/?{YEAR}&page=3",
    "/insight/we/",
]


def _grow(size: int, *, staff, projects, rng):
    """Add people and sessions until there are about `size` sign-ups, with survey answers,
    equality answers, claims, ledger entries, updates and step changes in proportion."""
    people = bulk_people(max(size // 20, 12), prefix=f"grow{size}-")
    sessions = Opportunity.objects.bulk_create(
        [
            Opportunity(
                project=projects[i % len(projects)],
                title=f"Session {size}-{i}",
                description="Talking about day services.",
                kind=Opportunity.Kind.WORKSHOP,
                format=Opportunity.Format.IN_PERSON,
                starts_at=at(2025, 4 + i % 12, 1 + i % 27)
                if i % 12 < 9
                else at(2026, 1 + i % 3, 2),
                ends_at=at(2025, 4 + i % 12, 1 + i % 27, 12)
                if i % 12 < 9
                else at(2026, 1 + i % 3, 2, 12),
                capacity=500,
                status=Opportunity.Status.CLOSED,
                created_by=staff,
            )
            for i in range(20)
        ]
    )
    pairs = [(s, p) for s in sessions for p in people]
    rng.shuffle(pairs)
    signups = SignUp.objects.bulk_create(
        [
            SignUp(
                opportunity=session,
                resident=person,
                status=SignUp.Status.BOOKED,
                attendance=SignUp.Attendance.ATTENDED,
            )
            for session, person in pairs[:size]
        ],
        batch_size=2000,
    )
    SurveyInvitation.objects.bulk_create(
        [
            SurveyInvitation(signup=s, closes_at=s.opportunity.ends_at + timedelta(weeks=8))
            for s in signups[: size // 2]
        ],
        batch_size=2000,
    )
    SurveyResponse.objects.bulk_create(
        [
            SurveyResponse(
                signup=s,
                opportunity=s.opportunity,
                comment="The room was warm." if i % 3 else "",
                **{k: rng.choice([1, 2, 3, 4, 5, None]) for k in _I_KEYS},
            )
            for i, s in enumerate(signups[: size // 3])
        ],
        batch_size=2000,
    )
    EqualityMonitoring.objects.bulk_create(
        [
            EqualityMonitoring(
                person=p, ethnic_group=rng.choice(["white", "asian", "black", ""]), sex="female"
            )
            for p in people[: len(people) * 2 // 3]
        ]
    )
    claims = Claim.objects.bulk_create(
        [
            Claim(
                claimant=s.resident,
                signup=s,
                opportunity=s.opportunity,
                project=s.opportunity.project,
                activity_date=date(2025, 5, 1),
                status=Claim.Status.PAID,
                started_by=s.resident,
                paid_on=date(2025, 6, 1) + timedelta(days=i % 200),
                days_to_pay=i % 40,
            )
            for i, s in enumerate(signups[: size // 10])
        ],
        batch_size=2000,
    )
    LedgerEntry.objects.bulk_create(
        [
            LedgerEntry(
                kind=LedgerEntry.Kind.PAYMENT,
                account=LedgerEntry.Account.PAID,
                component=LedgerEntry.Component.FEE,
                amount_pence=2000,
                claim=c,
                person=c.claimant,
                project=c.project,
                effective_on=c.paid_on,
                tax_year=tax_year_for(c.paid_on),
                created_by=staff,
            )
            for c in claims
        ],
        batch_size=2000,
    )
    for project in projects:
        Update.objects.bulk_create(
            [
                Update(project=project, said="s", did="d", posted_at=at(2025, 5 + m, 20))
                for m in range(0, 8, 2)
            ]
        )
        StepChange.objects.bulk_create(
            [
                StepChange(
                    project=project,
                    to_claimed=s,
                    to_evidenced=s,
                    from_claimed=s - 1,
                    from_evidenced=s - 1,
                )
                for s in (5, 6)
            ]
        )


_I_KEYS = ["valued", "strengths", "respect", "shaped", "paid_fairly", "heard_back"]


def _session_ten_people_answered(project):
    session = Opportunity.objects.create(
        project=project,
        title="Session everyone answered about",
        description="Talking about day services.",
        kind=Opportunity.Kind.WORKSHOP,
        format=Opportunity.Format.IN_PERSON,
        starts_at=at(2025, 6, 3),
        ends_at=at(2025, 6, 3, 12),
        capacity=20,
        status=Opportunity.Status.CLOSED,
        created_by=project.owner,
    )
    for person in bulk_people(10, prefix="answered-"):
        signup = SignUp.objects.create(
            opportunity=session,
            resident=person,
            status=SignUp.Status.BOOKED,
            attendance=SignUp.Attendance.ATTENDED,
        )
        SurveyResponse.objects.create(
            signup=signup, opportunity=session, comment="Good.", **dict.fromkeys(_I_KEYS, 4)
        )


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def test_every_page_uses_the_same_number_of_queries_for_100_and_10000_sign_ups(
    client, staff, django_assert_num_queries, settings
):
    # Count the queries that work the figures out, not a kept copy of them. Nor a kept copy of
    # the signed-in person: signing in marks it "changing" for 10 seconds, so whether the
    # first pages use it would depend on how fast the data is written.
    settings.INSIGHT_CACHE_SECONDS = 0
    settings.SIGNED_IN_PERSON_CACHE_SECONDS = 0
    rng = random.Random(7)
    carers = ServiceAreaFactory(name="Carers", slug="carers")
    other = ServiceAreaFactory(name="Housing", slug="housing")
    projects = [
        ProjectFactory(
            service_area=carers if i % 2 else other,
            owner=staff,
            claimed_step=6,
            evidenced_step=5,
            budget_pence=500_000,
        )
        for i in range(6)
    ]
    for project in projects:
        WeAssessment.objects.create(
            project=project,
            quarter_start=date(2025, 10, 1),
            **dict.fromkeys(_WE_KEYS, 4),
            **{f"{k}_evidence": "Evidence." for k in _WE_KEYS},
        )
    client.force_login(staff)
    _grow(100, staff=staff, projects=projects, rng=rng)
    assert SignUp.objects.count() == 100
    # Comments show only from sessions 10 or more people answered; 100 sign-ups spread over
    # 20 sessions have none, and an empty page of comments needs one query fewer.
    _session_ten_people_answered(projects[0])
    small = {url: _count(client, url) for url in PAGES}

    _grow(9_900, staff=staff, projects=projects, rng=rng)
    assert SignUp.objects.count() == 10_010
    for url in PAGES:
        with django_assert_num_queries(small[url]):
            assert client.get(url).status_code == 200


_WE_KEYS = ["equal_partners", "partnership", "feel_valued", "what_matters"]


def test_a_projects_we_page_uses_a_fixed_number_of_queries(
    client, staff, django_assert_num_queries
):
    project = ProjectFactory(owner=staff)
    client.force_login(staff)
    url = f"/insight/projects/{project.slug}/we/"
    client.get(url)
    before = _count(client, url)
    WeAssessment.objects.bulk_create(
        [
            WeAssessment(
                project=project,
                quarter_start=date(2015 + y, m, 1),
                **dict.fromkeys(_WE_KEYS, 3),
                **{f"{k}_evidence": "E." for k in _WE_KEYS},
            )
            for y in range(10)
            for m in (1, 4, 7, 10)
        ]
    )
    with django_assert_num_queries(before):
        client.get(url)
