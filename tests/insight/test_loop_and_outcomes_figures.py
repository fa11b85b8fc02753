"""Closing the loop and outcomes on known data."""

from dataclasses import replace
from datetime import date

import pytest

from insight.dashboard import loop, outcomes
from insight.models import WeAssessment
from participation.models import Opportunity
from projects.models import Update

from .conftest import NOW, YEAR, at, csv_rows
from .factories import (
    OpportunityFactory,
    ProjectFactory,
    ServiceAreaFactory,
    SignUpFactory,
    invitation_for,
    response_for,
)

pytestmark = pytest.mark.django_db


def _session(project, ends, **fields):
    return OpportunityFactory(
        project=project, starts_at=ends.replace(hour=10), ends_at=ends, **fields
    )


def _update(project, when):
    return Update.objects.create(
        project=project, said="More evening sessions.", did="Added two.", posted_at=when
    )


@pytest.fixture
def sessions():
    """L1: one session followed up in 14 days, one only after 80 days. L2: never followed
    up. L3: a session 16 days ago, still within its 6 weeks. L4: a cancelled session."""
    l1, l2, l3, l4 = (ProjectFactory(title=f"L{i}") for i in range(1, 5))
    _session(l1, at(2025, 5, 1, 12))
    _update(l1, at(2025, 5, 15, 12))
    _session(l1, at(2025, 9, 1, 12))
    _update(l1, at(2025, 11, 20, 12))
    _session(l2, at(2025, 6, 1, 12))
    _session(l3, at(2026, 3, 30, 12))
    _session(l4, at(2025, 7, 1, 12), status=Opportunity.Status.CANCELLED)
    _update(l4, at(2025, 7, 2, 12))


def test_it_shares_projects_that_posted_an_update_within_six_weeks(sessions):
    section = loop.build(YEAR, now=NOW)
    figures = {f.label: (f.value, f.detail) for f in section.figures}
    assert figures["Projects that closed the loop"] == ("50%", "1 of 2 projects")
    assert figures["Sessions followed up within 6 weeks"] == ("33%", "1 of 3 sessions")


def test_it_gives_the_median_days_from_session_to_update(sessions):
    section = loop.build(YEAR, now=NOW)
    # 14 days, and 80 days plus the hour the clocks went back: the median is about 47.
    assert section.extra["median_days"] == pytest.approx(47.02, abs=0.01)
    assert {f.label: f.value for f in section.figures}["Median days from session to update"] == (
        "47 days"
    )


def test_it_lists_each_project_and_leaves_out_sessions_still_within_six_weeks(sessions):
    section = loop.build(YEAR, now=NOW)
    assert csv_rows(section, "loop_projects") == [
        ["L1", "2", "1", "50.0", "0"],
        ["L2", "1", "0", "0.0", "0"],
        ["L3", "0", "0", "", "1"],
    ]
    assert csv_rows(section, "loop_quarters") == [
        ["Apr to Jun 2025", "2", "1", "50.0", "0"],
        ["Jul to Sep 2025", "1", "0", "0.0", "0"],
        ["Jan to Mar 2026", "0", "0", "", "1"],
    ]


def test_with_no_sessions_the_loop_says_so():
    section = loop.build(YEAR, now=NOW)
    assert {f.label: f.value for f in section.figures}["Median days from session to update"] == (
        "None yet"
    )
    assert "No project in this view" in section.blocks[1].summary


# --- outcomes ---------------------------------------------------------------------------


@pytest.fixture
def answers():
    area = ServiceAreaFactory(name="Carers", slug="carers")
    project = ProjectFactory(title="Day services review", service_area=area)
    spring = OpportunityFactory(project=project, starts_at=at(2025, 5, 1))
    autumn = OpportunityFactory(project=project, starts_at=at(2025, 11, 1))
    signups = [SignUpFactory(opportunity=spring) for _ in range(3)] + [
        SignUpFactory(opportunity=autumn)
    ]
    for signup in signups:
        invitation_for(signup)
    response_for(signups[0], rating=5)
    response_for(signups[1], rating=4, valued=2, heard_back=None)
    response_for(signups[3], rating=3)
    WeAssessment.objects.create(
        project=project,
        quarter_start=date(2025, 10, 1),
        **dict.fromkeys(["equal_partners", "partnership", "feel_valued", "what_matters"], 5),
        **{
            f"{key}_evidence": "We did it."
            for key in ["equal_partners", "partnership", "feel_valued", "what_matters"]
        },
    )
    return project


def test_it_gives_each_i_statement_the_share_who_agree_and_the_average(answers):
    section = outcomes.build(YEAR, now=NOW)
    rows = {row[0]: row[1:] for row in csv_rows(section, "outcomes_statements")}
    assert rows["I felt valued for my contribution"] == ["3", "1", "33.3", "3.3"]
    assert rows["I was seen as a person with strengths"] == ["3", "2", "66.7", "4.0"]
    assert rows["I heard back about what changed"] == ["2", "1", "50.0", "4.0"]
    figures = {f.label: (f.value, f.detail) for f in section.figures}
    assert figures["Survey responses"] == ("3", "from 4 invitations")
    assert figures["Response rate"] == ("75%", "3 of those invited answered")
    # 17 answers (one "prefer not to say"), 10 of them agreeing.
    assert figures["Answers that agree"] == ("59%", "across all six statements")


def test_it_shows_results_over_time_by_quarter(answers):
    section = outcomes.build(YEAR, now=NOW)
    rows = csv_rows(section, "outcomes_quarters")
    assert [row[:2] for row in rows] == [["Apr to Jun 2025", "2"], ["Oct to Dec 2025", "1"]]
    assert rows[0][-1] == "90.9"  # 10 of the 11 answers in spring agreed
    assert rows[1][-1] == "0.0"
    chart = section.blocks[1].chart
    assert [(item.label, item.bars[0].display) for item in chart.items] == [
        ("Apr to Jun 2025", "91%"),
        ("Oct to Dec 2025", "0%"),
    ]


def test_it_sets_the_teams_we_rating_beside_what_participants_said(answers):
    section = outcomes.build(YEAR, now=NOW)
    project_row = csv_rows(section, "outcomes_projects")[0]
    assert project_row[:2] == ["Day services review", "3"]
    participants, team, gap = (float(v) for v in project_row[-3:])
    assert team == 5.0
    assert gap == pytest.approx(team - participants, abs=0.1)
    we_rows = {row[0]: row[1:] for row in csv_rows(section, "outcomes_we_gap")}
    # "Feel valued" is tested by "valued" (3.33) and "paid fairly" (4.0): average 3.67.
    assert we_rows["We involve people so they feel valued"] == ["5.0", "3.7", "1.3"]


def test_filters_leave_out_other_areas(answers):
    other = ServiceAreaFactory(name="Housing", slug="housing")
    section = outcomes.build(replace(YEAR, area=other), now=NOW)
    assert {f.label: f.value for f in section.figures}["Survey responses"] == "0"
    assert "Nobody has answered" in section.blocks[0].summary
