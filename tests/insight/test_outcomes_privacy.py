"""Outcome results cannot be narrowed to fewer than ten people by setting one view of the
dashboard beside another: different dates, an area, or the projects against the total."""

from dataclasses import replace
from datetime import date

import pytest

from insight.dashboard import outcomes
from insight.filters import Filters
from projects.ladder import Level

from .conftest import NOW, YEAR, at, csv_rows
from .factories import (
    OpportunityFactory,
    ProjectFactory,
    ServiceAreaFactory,
    SignUpFactory,
    response_for,
)

pytestmark = pytest.mark.django_db

SUPPRESSED_STATEMENTS = [["suppressed"] * 4] * 6


def _answers(session, count, **ratings):
    for _ in range(count):
        response_for(SignUpFactory(opportunity=session), **ratings)


def _statements(filters):
    return [row[1:] for row in csv_rows(outcomes.build(filters, now=NOW), "outcomes_statements")]


def test_dates_a_day_apart_give_the_same_results_so_one_person_cannot_be_singled_out():
    project = ProjectFactory()
    _answers(OpportunityFactory(project=project, starts_at=at(2025, 5, 1)), 10, rating=5)
    # One more person, at a session of their own late in June, who disagreed with everything.
    _answers(OpportunityFactory(project=project, starts_at=at(2025, 6, 20)), 1, rating=1)

    before_them = Filters(start=date(2025, 4, 1), end=date(2025, 6, 19))
    with_them = Filters(start=date(2025, 4, 1), end=date(2025, 6, 30))

    assert _statements(before_them) == _statements(with_them)
    # Both are the whole quarter, eleven people, and say so.
    assert _statements(before_them)[0] == ["11", "10", "90.9", "4.6"]
    section = outcomes.build(before_them, now=NOW)
    assert "sessions from 1 April 2025 to 30 June 2025" in section.intro


def test_an_area_is_not_shown_when_the_rest_of_its_quarter_is_a_handful_of_people():
    carers = ServiceAreaFactory(name="Carers")
    housing = ServiceAreaFactory(name="Housing")
    carers_session = OpportunityFactory(
        project=ProjectFactory(service_area=carers), starts_at=at(2025, 5, 1)
    )
    housing_session = OpportunityFactory(
        project=ProjectFactory(service_area=housing), starts_at=at(2025, 5, 2)
    )
    _answers(carers_session, 10, rating=5)
    _answers(housing_session, 3, rating=1)

    # All areas: thirteen people, shown.
    assert _statements(YEAR)[0] == ["13", "10", "76.9", "4.1"]
    # Carers alone is ten people, but all areas less carers would be housing's three.
    assert _statements(replace(YEAR, area=carers)) == SUPPRESSED_STATEMENTS
    assert _statements(replace(YEAR, area=housing)) == SUPPRESSED_STATEMENTS
    quarters = csv_rows(outcomes.build(replace(YEAR, area=carers), now=NOW), "outcomes_quarters")
    assert quarters == [["Apr to Jun 2025", "10", *["suppressed"] * 7]]


def test_a_level_is_checked_against_all_levels_too():
    session = OpportunityFactory(
        project=ProjectFactory(level=Level.SERVICE), starts_at=at(2025, 5, 1)
    )
    other = OpportunityFactory(
        project=ProjectFactory(level=Level.STRATEGIC), starts_at=at(2025, 5, 2)
    )
    _answers(session, 12, rating=5)
    _answers(other, 2, rating=1)

    assert _statements(replace(YEAR, level=Level.SERVICE)) == SUPPRESSED_STATEMENTS
    assert _statements(YEAR)[0][0] == "14"


def test_a_small_project_hides_the_next_smallest_so_the_total_cannot_give_it_away():
    quarter = at(2025, 5, 1)
    big = ProjectFactory(title="Big review")
    middle = ProjectFactory(title="Middle review")
    small = ProjectFactory(title="Small review")
    _answers(OpportunityFactory(project=big, starts_at=quarter), 15, rating=5)
    _answers(OpportunityFactory(project=middle, starts_at=quarter), 10, rating=4)
    _answers(OpportunityFactory(project=small, starts_at=quarter), 4, rating=1)

    section = outcomes.build(YEAR, now=NOW)

    rows = {row[0]: row[1:] for row in csv_rows(section, "outcomes_projects")}
    assert rows["Small review"][1:7] == ["suppressed"] * 6
    # Shown, the middle project and the total would give the small one's answers.
    assert rows["Middle review"][1:7] == ["suppressed"] * 6
    assert rows["Big review"][1:7] == ["100.0"] * 6
    assert _statements(YEAR)[0][0] == "29"
    assert "For 2 projects we do not show results" in section.blocks[3].summary


def test_a_project_is_hidden_when_the_sessions_outside_projects_are_a_handful():
    quarter = at(2025, 5, 1)
    project = ProjectFactory(title="Only project")
    _answers(OpportunityFactory(project=project, starts_at=quarter), 12, rating=5)
    _answers(OpportunityFactory(project=None, starts_at=quarter, level=Level.SERVICE), 3, rating=1)

    section = outcomes.build(YEAR, now=NOW)

    row = csv_rows(section, "outcomes_projects")[0]
    assert row[:2] == ["Only project", "12"]
    assert row[2:8] == ["suppressed"] * 6
    # Fifteen people in all: the total is safe to show.
    assert _statements(YEAR)[0][:2] == ["15", "12"]
