"""Reach on a known set of people: distinct people, first-timers, "same faces", areas."""

from dataclasses import replace

import pytest

from insight.dashboard import reach
from insight.stats import same_faces
from participation.models import Opportunity, SignUp
from tests.factories import UserFactory

from .conftest import NOW, YEAR, at, csv_rows
from .factories import OpportunityFactory, ProjectFactory, ServiceAreaFactory, SignUpFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    """p0 came 5 times and p1 3 times; p2-p9 came once each. p9 also came in 2024."""
    carers = ServiceAreaFactory(name="Carers", slug="carers")
    mental = ServiceAreaFactory(name="Mental health", slug="mental-health")
    pa = ProjectFactory(service_area=carers)
    pb = ProjectFactory(service_area=mental)
    a_sessions = [OpportunityFactory(project=pa, starts_at=at(2025, 5 + i, 3)) for i in range(5)]
    b_sessions = [OpportunityFactory(project=pb, starts_at=at(2025, 6, 10 + i)) for i in range(3)]
    before = OpportunityFactory(project=pa, starts_at=at(2024, 6, 1))
    p = [UserFactory() for _ in range(10)]
    for session in a_sessions:
        SignUpFactory(opportunity=session, resident=p[0])
    for session in b_sessions:
        SignUpFactory(opportunity=session, resident=p[1])
    for person in p[2:]:
        SignUpFactory(opportunity=a_sessions[0], resident=person)
    SignUpFactory(opportunity=before, resident=p[9])
    # Neither of these is taking part.
    SignUpFactory(opportunity=b_sessions[0], resident=p[3], attendance=SignUp.Attendance.NO_SHOW)
    SignUpFactory(
        opportunity=b_sessions[1], resident=p[4], status=SignUp.Status.CANCELLED, attendance=""
    )
    return p


def test_it_counts_distinct_people_and_first_timers(people):
    section = reach.build(YEAR, now=NOW)
    figures = {f.label: (f.value, f.detail) for f in section.figures}
    assert figures["People taking part"] == ("10", "16 sign-ups")
    assert figures["First time ever"] == ("9", "90%")
    assert csv_rows(section, "reach_new") == [
        ["First time ever", "9", "90.0"],
        ["Taken part before", "1", "10.0"],
    ]


def test_same_faces_is_the_share_of_sign_ups_from_the_most_frequent_tenth(people):
    section = reach.build(YEAR, now=NOW)
    # 10 people: the top 10% is one person, p0, with 5 of the 16 sign-ups.
    assert csv_rows(section, "reach_same_faces") == [
        ["People taking part", "10"],
        ["Sign-ups", "16"],
        ["Most frequent 10% of people", "1"],
        ["Their sign-ups", "5"],
        ["Their share of all sign-ups", "31.2"],
        ["Their share if everyone took part equally", "10.0"],
    ]
    assert {f.label: f.value for f in section.figures}["Same faces"] == "31%"


def test_in_a_small_group_the_even_spread_is_the_top_people_out_of_everyone():
    """Six people, one sign-up each: the top 10% rounds up to one person, who would make 1 in
    6 of the sign-ups (17%), not 10%, if everyone took part equally, as here."""
    session = OpportunityFactory(starts_at=at(2025, 6, 1))
    for _ in range(6):
        SignUpFactory(opportunity=session)

    section = reach.build(YEAR, now=NOW)

    summary = next(b.summary for b in section.blocks if b.heading == "Same faces")
    assert summary == (
        "The 1 person who takes part most (the top 10%) made 17% of all sign-ups. If everyone "
        "took part equally, that person would have made 17% of them (1 of 6 people)."
    )
    assert csv_rows(section, "reach_same_faces")[-1] == [
        "Their share if everyone took part equally",
        "16.7",
    ]
    chart = next(b.chart for b in section.blocks if b.heading == "Same faces")
    assert [(item.label, item.bars[0].display) for item in chart.items][-1] == (
        "If everyone took part equally",
        "17%",
    )
    figure = next(f for f in section.figures if f.label == "Same faces")
    assert figure.detail.endswith("(17% if everyone took part equally)")


def test_same_faces_rounds_the_top_tenth_up():
    session = OpportunityFactory(starts_at=at(2025, 6, 1))
    for _ in range(11):
        SignUpFactory(opportunity=session)
    faces = same_faces(reach.signups_in_view(YEAR))
    assert (faces.people, faces.top_people, faces.top_signups, faces.signups) == (11, 2, 2, 11)


def test_same_faces_of_nobody_is_empty():
    faces = same_faces(reach.signups_in_view(YEAR))
    assert (faces.people, faces.signups, faces.share) == (0, 0, None)


def test_it_spreads_people_by_service_area(people):
    section = reach.build(YEAR, now=NOW)
    assert csv_rows(section, "reach_areas") == [["Carers", "9", "13"], ["Mental health", "1", "3"]]


def test_an_area_filter_counts_first_timers_across_the_whole_hub(people):
    section = reach.build(replace(YEAR, area=_area("mental-health")), now=NOW)
    figures = {f.label: (f.value, f.detail) for f in section.figures}
    assert figures["People taking part"] == ("1", "3 sign-ups")
    assert figures["First time ever"] == ("1", "100%")


def test_only_taking_part_before_the_dates_makes_someone_a_returner():
    """Five people take part in June 2025. Before the dates, one took part (in another area),
    one sent apologies, one had a place at a cancelled session, and one only comes back
    after the dates. The fifth is new. Only the first is a returner."""
    carers = ServiceAreaFactory(name="Carers", slug="carers")
    housing = ServiceAreaFactory(name="Housing", slug="housing")
    june = OpportunityFactory(project=ProjectFactory(service_area=carers), starts_at=at(2025, 6, 1))
    earlier = ProjectFactory(service_area=housing)
    returner, apologised, cancelled, later, new = (UserFactory() for _ in range(5))
    for person in (returner, apologised, cancelled, later, new):
        SignUpFactory(opportunity=june, resident=person)
    SignUpFactory(
        opportunity=OpportunityFactory(project=earlier, starts_at=at(2024, 5, 1)), resident=returner
    )
    SignUpFactory(
        opportunity=OpportunityFactory(project=earlier, starts_at=at(2024, 5, 2)),
        resident=apologised,
        attendance=SignUp.Attendance.APOLOGIES,
    )
    SignUpFactory(
        opportunity=OpportunityFactory(
            project=earlier, starts_at=at(2024, 5, 3), status=Opportunity.Status.CANCELLED
        ),
        resident=cancelled,
    )
    SignUpFactory(
        opportunity=OpportunityFactory(project=earlier, starts_at=at(2026, 5, 1)), resident=later
    )
    for view in (YEAR, replace(YEAR, area=carers)):
        figures = {f.label: f.value for f in reach.build(view, now=NOW).figures}
        assert (figures["People taking part"], figures["First time ever"]) == ("5", "4")


def test_a_date_range_before_anyone_took_part_is_empty(people):
    long_ago = replace(YEAR, start=YEAR.start.replace(year=2020), end=YEAR.end.replace(year=2020))
    section = reach.build(long_ago, now=NOW)
    assert {f.label: f.value for f in section.figures}["People taking part"] == "0"
    assert section.blocks[0].summary == "Nobody took part in these dates."


def _area(slug):
    from projects.models import ServiceArea

    return ServiceArea.objects.get(slug=slug)


def test_the_summaries_read_as_sentences(people):
    section = reach.build(YEAR, now=NOW)

    summaries = " ".join(block.summary for block in section.blocks)
    assert "The 1 person who takes part most (the top 10%) made 31% of all sign-ups." in summaries
    assert "Of 2 areas, Carers reached the most people (9)." in summaries


def test_areas_that_tie_are_all_named():
    for name in ("Carers", "Housing"):
        session = OpportunityFactory(
            project=ProjectFactory(service_area=ServiceAreaFactory(name=name)),
            starts_at=at(2025, 6, 1),
        )
        SignUpFactory(opportunity=session)

    section = reach.build(YEAR, now=NOW)

    summaries = " ".join(block.summary for block in section.blocks)
    assert "Of 2 areas, Carers and Housing reached the most people (1 each)." in summaries
