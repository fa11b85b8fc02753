"""Outcome results cannot be narrowed to fewer than ten people by setting one view of the
dashboard beside another (different dates, areas, levels, a project's own page), nor by
watching them change as answers come in."""

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from insight.dashboard import outcomes
from insight.filters import Filters
from participation import services
from participation.models import Opportunity
from projects.ladder import Level

from .conftest import NOW, UK, YEAR, at, csv_rows
from .factories import (
    OpportunityFactory,
    ProjectFactory,
    ServiceAreaFactory,
    SignUpFactory,
    response_for,
)

pytestmark = pytest.mark.django_db

SUPPRESSED_STATEMENTS = [["suppressed"] * 5] * 6


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
    assert _statements(before_them)[0] == ["11", "10", "90.9", "4.6", "Not asked"]
    section = outcomes.build(before_them, now=NOW)
    assert "sessions from 1 April 2025 to 30 June 2025" in section.intro


def test_a_handful_in_one_area_are_left_out_of_every_view_including_all_areas():
    carers = ServiceAreaFactory(name="Carers")
    housing = ServiceAreaFactory(name="Housing")
    project = ProjectFactory(service_area=carers)
    _answers(OpportunityFactory(project=project, starts_at=at(2025, 5, 1)), 10, rating=5)
    # A session of the same project about housing: it counts as housing when filtering.
    housing_session = OpportunityFactory(project=project, topic=housing, starts_at=at(2025, 5, 2))
    _answers(housing_session, 3, rating=1)

    # All areas less carers would be the housing three: so all areas is the carers ten.
    assert _statements(YEAR)[0] == ["10", "10", "100.0", "5.0", "Not asked"]
    assert _statements(replace(YEAR, area=carers)) == _statements(YEAR)
    assert _statements(replace(YEAR, area=housing)) == SUPPRESSED_STATEMENTS
    quarters = csv_rows(outcomes.build(replace(YEAR, area=housing), now=NOW), "outcomes_quarters")
    assert quarters == [["Apr to Jun 2025", "3", *["suppressed"] * 7]]


def test_adding_up_several_areas_cannot_single_out_one_person_in_another():
    area_a, area_b, area_c = (ServiceAreaFactory(name=name) for name in ("A", "B", "C"))
    project = ProjectFactory(service_area=area_c)
    quarter = at(2025, 5, 1)
    _answers(OpportunityFactory(project=project, topic=area_a, starts_at=quarter), 10, rating=5)
    _answers(OpportunityFactory(project=project, topic=area_b, starts_at=quarter), 10, rating=4)
    # One person at a session in the project's own area.
    _answers(OpportunityFactory(project=project, starts_at=quarter), 1, rating=1)

    everything = _statements(YEAR)
    in_a, in_b = _statements(replace(YEAR, area=area_a)), _statements(replace(YEAR, area=area_b))

    # All areas less A less B is nobody: the one person is in no total.
    for all_row, a_row, b_row in zip(everything, in_a, in_b, strict=True):
        assert int(all_row[0]) - int(a_row[0]) - int(b_row[0]) == 0
    assert _statements(replace(YEAR, area=area_c)) == SUPPRESSED_STATEMENTS


def test_a_level_with_a_handful_is_left_out_of_all_levels_too():
    # Sessions outside projects have their own level.
    service = OpportunityFactory(project=None, level=Level.SERVICE, starts_at=at(2025, 5, 1))
    strategic = OpportunityFactory(project=None, level=Level.STRATEGIC, starts_at=at(2025, 5, 2))
    _answers(service, 12, rating=5)
    _answers(strategic, 2, rating=1)

    assert _statements(YEAR) == _statements(replace(YEAR, level=Level.SERVICE))
    assert _statements(YEAR)[0][0] == "12"
    assert _statements(replace(YEAR, level=Level.STRATEGIC)) == SUPPRESSED_STATEMENTS


def test_a_total_that_would_be_mostly_one_persons_answers_is_left_out():
    """Ten people answered, but one of them about eleven sessions: more than half of the
    answers are theirs, and anyone who knows they come to everything would learn them."""
    project = ProjectFactory()
    regular = SignUpFactory().resident
    sessions = [
        OpportunityFactory(project=project, starts_at=at(2025, 5, day)) for day in range(1, 12)
    ]
    for session in sessions:
        response_for(SignUpFactory(opportunity=session, resident=regular), rating=1)
    _answers(sessions[0], 9, rating=5)

    assert _statements(YEAR) == SUPPRESSED_STATEMENTS
    section = outcomes.build(YEAR, now=NOW)
    assert "one person gave more than half of the answers" in section.blocks[0].summary

    # Two more people answer, so the regular's eleven are exactly half: the results show.
    _answers(sessions[1], 2, rating=5)
    assert _statements(YEAR)[0] == ["22", "11", "50.0", "3.0", "Not asked"]


def test_a_project_few_people_answered_about_is_left_out_of_every_total():
    quarter = at(2025, 5, 1)
    big = ProjectFactory(title="Big review")
    small = ProjectFactory(title="Small review")
    _answers(OpportunityFactory(project=big, starts_at=quarter), 15, rating=5)
    _answers(OpportunityFactory(project=small, starts_at=quarter), 4, rating=1)
    _answers(OpportunityFactory(project=None, starts_at=quarter, level=Level.SERVICE), 3, rating=1)

    section = outcomes.build(YEAR, now=NOW)

    rows = {row[0]: row[1:] for row in csv_rows(section, "outcomes_projects")}
    assert rows["Small review"][:7] == ["4", *["suppressed"] * 6]
    assert rows["Big review"][1:7] == ["100.0"] * 6
    # The total and the quarter are the big project's fifteen alone: less the big project,
    # they would otherwise give the small project's four, or the three outside projects.
    assert _statements(YEAR)[0] == ["15", "15", "100.0", "5.0", "Not asked"]
    assert csv_rows(section, "outcomes_quarters")[0][:3] == ["Apr to Jun 2025", "22", "100.0"]
    assert "For 1 project we do not show results" in section.blocks[3].summary


def test_the_dashboard_and_a_projects_own_page_add_up_the_same_cells(client, staff):
    """A project's page shows its results quarter by quarter; the dashboard's row for it
    adds up those same quarters, so the two cannot be subtracted to find a small quarter."""
    project = ProjectFactory(title="Day centre review", owner=staff)
    _answers(OpportunityFactory(project=project, starts_at=at(2025, 5, 1)), 12, rating=5)
    _answers(OpportunityFactory(project=project, starts_at=at(2025, 8, 1)), 4, rating=1)
    # Plenty of others answered in the summer, so the quarter as a whole is not small.
    _answers(OpportunityFactory(starts_at=at(2025, 8, 2)), 20, rating=3)

    row = next(
        r
        for r in csv_rows(outcomes.build(YEAR, now=NOW), "outcomes_projects")
        if r[0] == project.title
    )

    assert row[:3] == ["Day centre review", "16", "100.0"]  # the spring's twelve only
    client.force_login(staff)
    page = client.get(f"/insight/projects/{project.slug}/we/").content.decode()
    assert (
        "Fewer than 10 people answered, or one person gave more than half of the answers, so "
        "we do not show the results" in page
    )


def test_a_quarters_results_wait_until_its_surveys_have_closed():
    """Until then answers arrive one by one, and each could be read off the change."""
    _answers(OpportunityFactory(project=ProjectFactory(), starts_at=at(2025, 5, 1)), 12, rating=5)
    still_open = datetime(2025, 8, 1, 12, 0, tzinfo=UK)

    section = outcomes.build(YEAR, now=still_open)

    rows = csv_rows(section, "outcomes_statements")
    assert all(row[1:] == ["not yet"] * 5 for row in rows)
    assert csv_rows(section, "outcomes_quarters") == [["Apr to Jun 2025", "12", *["not yet"] * 7]]
    assert section.blocks[0].summary.startswith("Results appear on 27 August 2025")
    assert {f.label: f.value for f in section.figures}["Answers that agree"] == "Not yet"
    assert _statements(YEAR)[0] == ["12", "12", "100.0", "5.0", "Not asked"]


def test_a_session_people_have_answered_about_cannot_move_to_another_total(staff):
    """Moving it to another project, area, level or quarter and comparing the totals before
    and after would show what its few people said."""
    project = ProjectFactory()
    session = OpportunityFactory(
        project=project, starts_at=at(2025, 5, 1), created_by=staff, format="online"
    )
    response_for(SignUpFactory(opportunity=session), rating=1)

    for change in (
        {"project": ProjectFactory()},
        {"project": None, "level": Level.SERVICE},
        {"topic": ServiceAreaFactory()},
        {"starts_at": at(2025, 7, 1), "ends_at": at(2025, 7, 1, 12)},
    ):
        with pytest.raises(services.ParticipationError, match="already answered the survey"):
            services.update_opportunity(session, by=staff, **change)

    # Correcting the title, or the day within the same quarter, moves nothing.
    services.update_opportunity(
        session,
        by=staff,
        title="Day centre review: second meeting",
        starts_at=at(2025, 5, 8),
        ends_at=at(2025, 5, 8, 12),
    )
    session.refresh_from_db()
    assert (session.title, session.project) == ("Day centre review: second meeting", project)
    assert session.starts_at == at(2025, 5, 8)


def test_the_edit_page_explains_why_an_answered_session_cannot_move(client, staff):
    from tests.participation.test_staff_pages import form_data

    client.force_login(staff)
    client.post("/opportunities/new/", form_data())
    session = Opportunity.objects.get(created_by=staff)
    response_for(SignUpFactory(opportunity=session), rating=4)
    three_months_on = timezone.localtime(session.starts_at).date() + timedelta(days=92)

    page = client.post(
        f"/opportunities/{session.pk}/edit/",
        form_data(title="Carers' focus group, moved", day=three_months_on),
    ).content.decode()

    assert 'class="govuk-error-summary"' in page
    assert "already answered the survey about this session" in page
    assert "Carers&#x27; focus group, moved" in page  # what was typed is kept
    session.refresh_from_db()
    assert session.title == "Carers' focus group"
