"""Closing the loop and outcomes on known data."""

from dataclasses import replace
from datetime import date

import pytest

from insight.dashboard import loop, outcomes
from insight.filters import Filters
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


def test_it_shares_running_projects_with_an_update_in_the_last_12_weeks(sessions):
    """As the staff project list flags them, and counting projects with no sessions in the
    hub: 12 weeks back from the end of the dates chosen (31 March 2026)."""
    no_sessions = ProjectFactory(title="Strategy")
    _update(no_sessions, at(2026, 2, 1, 12))
    _update(ProjectFactory(title="Too long ago"), at(2025, 12, 1, 12))

    section = loop.build(YEAR, now=NOW)

    figures = {f.label: (f.value, f.detail) for f in section.figures}
    assert figures["Projects with an update in the last 12 weeks"] == (
        "17%",
        "1 of 6 projects running",
    )


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


def test_sessions_still_within_six_weeks_are_counted_in_words_that_agree(sessions):
    section = loop.build(YEAR, now=NOW)
    assert section.blocks[0].summary == (
        "Of 3 sessions, 1 (33%) was followed up within 6 weeks. 1 more session ended less "
        "than 6 weeks ago and has no update yet, so it is not counted until its 6 weeks are up."
    )
    _session(ProjectFactory(title="L5"), at(2026, 3, 25, 12))

    section = loop.build(YEAR, now=NOW)

    assert section.blocks[0].summary.endswith(
        " 2 more sessions ended less than 6 weeks ago and have no update yet, so they are not "
        "counted until their 6 weeks are up."
    )


def test_with_no_sessions_the_loop_says_so():
    section = loop.build(YEAR, now=NOW)
    assert {f.label: f.value for f in section.figures}["Median days from session to update"] == (
        "None yet"
    )
    assert "No project in this view" in section.blocks[1].summary


# --- outcomes ---------------------------------------------------------------------------


@pytest.fixture
def answers():
    """Spring: 12 invited, 10 answered (five gave 5s; five gave 4s but 2 for "valued" and
    "prefer not to say" for "heard back"). Autumn: 3 invited, 3 answered with 3s: too few
    to show on their own."""
    area = ServiceAreaFactory(name="Carers", slug="carers")
    project = ProjectFactory(title="Day services review", service_area=area)
    spring = OpportunityFactory(project=project, starts_at=at(2025, 5, 1))
    autumn = OpportunityFactory(project=project, starts_at=at(2025, 11, 1))
    spring_signups = [SignUpFactory(opportunity=spring) for _ in range(12)]
    autumn_signups = [SignUpFactory(opportunity=autumn) for _ in range(3)]
    for signup in spring_signups + autumn_signups:
        invitation_for(signup)
    for signup in spring_signups[:5]:
        response_for(signup, rating=5)
    for signup in spring_signups[5:10]:
        response_for(signup, rating=4, valued=2, heard_back=None)
    for signup in autumn_signups:
        response_for(signup, rating=3)
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
    # The spring's ten people only: the autumn's three are too few to add in (else the year
    # less the spring would give their answers). "Valued": 5 fives and 5 twos.
    assert rows["I felt valued for my contribution"] == ["10", "5", "50.0", "3.5", "Not asked"]
    strengths = rows["I was seen as a person with strengths"]
    assert strengths == ["10", "10", "100.0", "4.5", "Not asked"]
    assert rows["I heard back about what changed"] == ["5", "5", "100.0", "5.0", "0"]
    figures = {f.label: (f.value, f.detail) for f in section.figures}
    # How many answered is not what they said: every response is counted here.
    assert figures["Survey responses"] == ("13", "from 15 invitations")
    assert figures["Response rate"] == ("87%", "13 of those invited answered")
    # 55 answers (five "prefer not to say"), 50 of them agreeing.
    assert figures["Answers that agree"] == ("91%", "across all six statements")
    assert "These results leave out 3 responses" in (section.blocks[0].summary)


def test_not_yet_answers_are_counted_apart_and_left_out_of_shares_and_averages():
    project = ProjectFactory(title="Day services review")
    session = OpportunityFactory(project=project, starts_at=at(2025, 5, 1))
    signups = [SignUpFactory(opportunity=session) for _ in range(10)]
    for signup in signups:
        invitation_for(signup)
    for signup in signups[:3]:
        response_for(signup, rating=5, not_yet=["paid_fairly", "heard_back"])
    for signup in signups[3:]:
        response_for(signup, rating=2, paid_fairly=4, not_yet=["heard_back"])

    section = outcomes.build(YEAR, now=NOW)

    rows = {row[0]: row[1:] for row in csv_rows(section, "outcomes_statements")}
    paid = rows["I was paid, and got my expenses back, fairly and on time"]
    assert paid == ["7", "7", "100.0", "4.0", "3"]
    heard = rows["I heard back about what changed"]
    assert heard == ["0", "0", "", "", "10"]
    assert (
        "3 answers said \u201cI have not been paid yet\u201d and 10 answers said \u201cI have not "
        "heard back yet\u201d: these are left out of the shares and averages."
    ) in section.blocks[0].summary


def test_it_shows_results_over_time_by_quarter_hiding_quarters_too_few_answered(answers):
    section = outcomes.build(YEAR, now=NOW)
    rows = csv_rows(section, "outcomes_quarters")
    assert [row[:2] for row in rows] == [["Apr to Jun 2025", "10"], ["Oct to Dec 2025", "3"]]
    assert rows[0][-1] == "90.9"  # 50 of the 55 answers in spring agreed
    # Three people answered about the autumn: what they said is not shown, on the page or in
    # the CSV, and the chart leaves the quarter out.
    assert rows[1][2:] == ["suppressed"] * 7
    assert [cell.text for cell in section.table("outcomes_quarters").rows[1][2:]] == [
        "Not shown"
    ] * 7
    chart = section.blocks[1].chart
    assert [(item.label, item.bars[0].display) for item in chart.items] == [
        ("Apr to Jun 2025", "91%"),
    ]
    assert "We do not show 1 quarter: in each, for every project, area and level, fewer " in (
        section.blocks[1].summary
    )


def test_it_sets_the_teams_we_rating_beside_what_participants_said(answers):
    section = outcomes.build(YEAR, now=NOW)
    project_row = csv_rows(section, "outcomes_projects")[0]
    assert project_row[:2] == ["Day services review", "13"]
    participants, team, gap = (float(v) for v in project_row[-3:])
    assert team == 5.0
    assert gap == pytest.approx(team - participants, abs=0.1)
    we_rows = {row[0]: row[1:] for row in csv_rows(section, "outcomes_we_gap")}
    # "Feel valued" is tested by "valued" (3.5) and "paid fairly" (4.5): average 4.0.
    assert we_rows["We involve people so they feel valued"] == ["5.0", "4.0", "1.0"]


def test_filters_leave_out_other_areas(answers):
    other = ServiceAreaFactory(name="Housing", slug="housing")
    section = outcomes.build(replace(YEAR, area=other), now=NOW)
    assert {f.label: f.value for f in section.figures}["Survey responses"] == "0"
    assert "Nobody has answered" in section.blocks[0].summary


TOO_FEW = (
    "Fewer than 10 people answered, or one person gave more than half of the answers, so we "
    "do not show the results, to protect their privacy."
)


def test_results_for_dates_fewer_than_ten_people_answered_about_are_not_shown(
    client, staff, answers
):
    autumn = Filters(start=date(2025, 10, 1), end=date(2025, 12, 31))
    section = outcomes.build(autumn, now=NOW)

    rows = csv_rows(section, "outcomes_statements")
    assert all(row[1:] == ["suppressed"] * 5 for row in rows)
    assert section.blocks[0].summary == TOO_FEW
    assert section.blocks[0].chart is None
    figures = {f.label: (f.value, f.detail) for f in section.figures}
    assert figures["Survey responses"] == ("3", "from 3 invitations")
    assert figures["Answers that agree"] == (
        "Not shown",
        "fewer than 10 people answered, or one person gave more than half of the answers",
    )
    # The team's own rating is theirs to see; participants' side of the gap is not.
    we_rows = {row[0]: row[1:] for row in csv_rows(section, "outcomes_we_gap")}
    assert we_rows["We involve people so they feel valued"] == ["5.0", "suppressed", "suppressed"]
    project_row = csv_rows(section, "outcomes_projects")[0]
    assert project_row[:2] == ["Day services review", "3"]
    assert project_row[2:8] == ["suppressed"] * 6
    assert project_row[-3:] == ["suppressed", "5.0", "suppressed"]
    assert "For 1 project we do not show results" in section.blocks[3].summary

    client.force_login(staff)
    page = client.get("/insight/?start=2025-10-01&end=2025-12-31").content.decode()
    outcomes_html = page.split('id="outcomes"')[1].split("</section>")[0]
    assert TOO_FEW in outcomes_html
    # Nobody in the autumn agreed with anything: that must not be readable either.
    assert ">0%<" not in outcomes_html and "0% agree" not in outcomes_html
    assert "Not shown" in outcomes_html


def test_it_counts_people_not_responses_before_showing_results(client, staff):
    """Four people at three sessions give twelve responses, but they are still four people:
    their results would be the answers of a handful, so they are hidden."""
    project = ProjectFactory(title="Small reading group", owner=staff)
    people = [SignUpFactory().resident for _ in range(4)]
    for month in (5, 6, 7):
        session = OpportunityFactory(project=project, starts_at=at(2025, month, 1))
        for person in people:
            response_for(SignUpFactory(opportunity=session, resident=person), rating=5)

    section = outcomes.build(YEAR, now=NOW)

    row = next(r for r in csv_rows(section, "outcomes_projects") if r[0] == project.title)
    assert row[1] == "12"
    assert row[2:8] == ["suppressed"] * 6
    client.force_login(staff)
    page = client.get(f"/insight/projects/{project.slug}/we/").content.decode()
    assert (
        "Fewer than 10 people answered, or one person gave more than half of the answers, so "
        "we do not show the results" in page
    )


def _by_project_summary(section) -> str:
    return next(block.summary for block in section.blocks if block.heading == "By project")


def test_when_the_team_rated_but_participants_results_are_hidden_the_summary_says_so(answers):
    autumn = Filters(start=date(2025, 10, 1), end=date(2025, 12, 31))
    summary = _by_project_summary(outcomes.build(autumn, now=NOW))

    assert "No team has rated" not in summary
    assert summary.startswith(
        "1 project had answers. Its team rated the \u201cWe\u201d statements, but there is no "
        "gap to show: for 1 project, participants\u2019 results are not shown, to protect "
        "people\u2019s privacy."
    )


def test_when_the_team_rated_but_the_surveys_are_still_open_the_summary_says_so(answers):
    autumn = Filters(start=date(2025, 10, 1), end=date(2025, 12, 31))
    summary = _by_project_summary(outcomes.build(autumn, now=at(2025, 12, 10)))

    assert summary == (
        "1 project had answers. Its team rated the \u201cWe\u201d statements, but there is no "
        "gap to show: for 1 project, participants\u2019 results are not shown yet, as the "
        "surveys about their sessions are still open."
    )


def test_when_several_teams_rated_and_each_is_held_back_for_its_own_reason():
    """On 10 February, Reading group: rated, three answered in August (hidden). Hoarding:
    rated, ten answered in December (those surveys are still open). Libraries: answers,
    never rated."""
    reading = ProjectFactory(title="Reading group")
    _rate(reading, date(2025, 7, 1))
    august = OpportunityFactory(project=reading, starts_at=at(2025, 8, 5))
    for _ in range(3):
        response_for(SignUpFactory(opportunity=august), rating=4)
    hoarding = ProjectFactory(title="Hoarding support")
    _rate(hoarding, date(2025, 10, 1))
    december = OpportunityFactory(project=hoarding, starts_at=at(2025, 12, 5))
    for _ in range(10):
        response_for(SignUpFactory(opportunity=december), rating=4)
    libraries = OpportunityFactory(
        project=ProjectFactory(title="Libraries"), starts_at=at(2025, 11, 2)
    )
    response_for(SignUpFactory(opportunity=libraries), rating=4)
    second_half = Filters(start=date(2025, 7, 1), end=date(2025, 12, 31))

    summary = _by_project_summary(outcomes.build(second_half, now=at(2026, 2, 10)))

    assert summary.startswith(
        "3 projects had answers. The teams of 2 of them rated the \u201cWe\u201d statements, "
        "but there is no gap to show: for 1 project, participants\u2019 results are not shown "
        "yet, as the surveys about their sessions are still open; for 1 project, "
        "participants\u2019 results are not shown, to protect people\u2019s privacy."
    )


def test_when_no_team_of_a_project_with_answers_rated_itself_the_summary_says_so():
    project = ProjectFactory(title="Day services review")
    session = OpportunityFactory(project=project, starts_at=at(2025, 5, 1))
    for _ in range(10):
        response_for(SignUpFactory(opportunity=session), rating=4)
    # Another project's team rated itself, but nobody answered about that project.
    _rate(ProjectFactory(title="Quiet project"), date(2025, 4, 1))

    summary = _by_project_summary(outcomes.build(YEAR, now=NOW))

    assert summary == (
        "1 project had answers. Its team has rated the \u201cWe\u201d statements for these "
        "dates yet, so there is no gap to show."
    )


def _rate(project, quarter_start):
    keys = ["equal_partners", "partnership", "feel_valued", "what_matters"]
    WeAssessment.objects.create(
        project=project,
        quarter_start=quarter_start,
        **dict.fromkeys(keys, 4),
        **{f"{key}_evidence": "We did it." for key in keys},
    )
