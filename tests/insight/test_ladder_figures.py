"""The honest ladder on a known set of projects."""

from dataclasses import replace
from datetime import date

import pytest
import time_machine

from insight.dashboard import ladder
from projects.models import StepChange
from projects.services import record_step
from tests.projects.factories import evidence

from .conftest import NOW, YEAR, at, csv_rows
from .factories import ProjectFactory, ServiceAreaFactory

pytestmark = pytest.mark.django_db


def _change(project, before, after, when):
    change = StepChange.objects.create(
        project=project,
        from_claimed=before,
        from_evidenced=before,
        to_claimed=after,
        to_evidenced=after,
    )
    StepChange.objects.filter(pk=change.pk).update(changed_at=when)


@pytest.fixture
def projects():
    area = ServiceAreaFactory(name="Carers", slug="carers")
    running = {"service_area": area, "start_date": date(2025, 1, 1)}
    inflated = ProjectFactory(claimed_step=7, evidenced_step=5, **running)
    strategic = ProjectFactory(claimed_step=6, evidenced_step=6, level="strategic", **running)
    ProjectFactory(claimed_step=4, evidenced_step=4, **running)
    ProjectFactory(**running)  # no step recorded yet
    ProjectFactory(  # finished before the year began
        claimed_step=7,
        evidenced_step=7,
        service_area=area,
        start_date=date(2024, 1, 1),
        end_date=date(2024, 12, 31),
    )
    _change(inflated, None, 6, at(2025, 5, 1))
    _change(inflated, 6, 5, at(2025, 8, 10))
    _change(strategic, None, 4, at(2025, 5, 2))
    _change(strategic, 4, 6, at(2025, 11, 1))
    _change(strategic, 6, 7, at(2024, 6, 1))  # outside the dates
    return inflated, strategic


def test_it_counts_projects_by_the_step_the_public_sees_and_level(projects):
    section = ladder.build(YEAR, now=NOW)
    rows = {row[0]: row[1:] for row in csv_rows(section, "ladder_steps")}
    # Columns: Individual, Service, Strategic, All levels.
    assert rows["7. Co-production"] == ["0", "0", "0", "0"]
    assert rows["6. Co-design"] == ["0", "0", "1", "1"]
    assert rows["5. Engagement"] == ["0", "1", "0", "1"]
    assert rows["4. Consultation"] == ["0", "1", "0", "1"]
    assert rows["Step not recorded yet"][-1] == "1"
    figures = {f.label: f.value for f in section.figures}
    assert figures["Projects"] == "4"
    assert figures["Doing with people"] == "1"
    assert figures["Claim more than the evidence supports"] == "1"


def test_a_project_claiming_less_than_its_evidence_counts_at_its_claim(projects):
    """As on its own page: the public sees the lower of the two."""
    ProjectFactory(claimed_step=5, evidenced_step=7, start_date=date(2025, 1, 1))

    section = ladder.build(YEAR, now=NOW)

    rows = {row[0]: row[1:] for row in csv_rows(section, "ladder_steps")}
    assert rows["7. Co-production"][-1] == "0"
    assert rows["5. Engagement"][-1] == "2"
    assert {f.label: f.value for f in section.figures}["Doing with people"] == "1"


def test_it_sets_claimed_against_evidenced(projects):
    section = ladder.build(YEAR, now=NOW)
    rows = {row[0]: row[1:] for row in csv_rows(section, "ladder_claimed")}
    assert rows["7. Co-production"] == ["1", "0", "1"]
    assert rows["5. Engagement"] == ["0", "1", "-1"]
    assert "1 project claims a higher step" in section.blocks[1].summary


def test_it_counts_moves_up_and_down_by_quarter(projects):
    section = ladder.build(YEAR, now=NOW)
    assert csv_rows(section, "ladder_moves") == [
        ["Apr to Jun 2025", "0", "0", "2"],
        ["Jul to Sep 2025", "0", "1", "0"],
        ["Oct to Dec 2025", "1", "0", "0"],
        ["Jan to Mar 2026", "0", "0", "0"],
    ]
    assert {f.label: f.value for f in section.figures}["Moves up / down"] == "1 / 1"


def test_filters_narrow_to_a_level(projects):
    section = ladder.build(replace(YEAR, level="strategic"), now=NOW)
    assert {f.label: f.value for f in section.figures}["Projects"] == "1"
    assert csv_rows(section, "ladder_moves") == [
        ["Apr to Jun 2025", "0", "0", "1"],
        ["Jul to Sep 2025", "0", "0", "0"],
        ["Oct to Dec 2025", "1", "0", "0"],
        ["Jan to Mar 2026", "0", "0", "0"],
    ]


def test_the_chart_shows_every_quarter_even_when_nothing_moved_in_it(projects):
    """A quarter left out would make the chart jump from one quarter to a later one, as if
    no time had passed between them."""
    chart = ladder.build(replace(YEAR, level="strategic"), now=NOW).blocks[2].chart
    assert [item.label for item in chart.items] == [
        "Apr to Jun 2025",
        "Jul to Sep 2025",
        "Oct to Dec 2025",
        "Jan to Mar 2026",
    ]
    assert [bar.display for bar in chart.items[1].bars] == ["Up: 0", "Down: 0"]


def test_the_chart_has_a_bar_for_every_step(projects):
    chart = ladder.build(YEAR, now=NOW).blocks[0].chart
    assert [item.label for item in chart.items][0] == "7. Co-production"
    assert len(chart.items) == 7
    assert chart.items[1].bars[0].display == "1"


def test_moves_follow_the_step_the_public_sees_as_the_project_timeline_does(client):
    """The claim drops from 7 to 5 while the evidence stays at 7: the public step, and so
    the project's own timeline, moves down; the dashboard must say so too."""
    project = ProjectFactory(start_date=date(2025, 1, 1), is_published=True)
    with time_machine.travel(at(2025, 5, 1), tick=False):
        record_step(project, by=project.owner, claimed=7, evidence=evidence())
    with time_machine.travel(at(2025, 8, 1), tick=False):
        record_step(
            project, by=project.owner, claimed=5, evidence=evidence(), reason="Budget was cut."
        )
    assert (project.claimed_step, project.evidenced_step) == (5, 7)
    timeline = client.get(project.get_absolute_url()).text
    assert "Moved down the ladder, from Co-production to Engagement" in timeline

    section = ladder.build(YEAR, now=NOW)

    assert csv_rows(section, "ladder_moves") == [
        ["Apr to Jun 2025", "0", "0", "1"],
        ["Jul to Sep 2025", "0", "1", "0"],
        ["Oct to Dec 2025", "0", "0", "0"],
        ["Jan to Mar 2026", "0", "0", "0"],
    ]
    assert {f.label: f.value for f in section.figures}["Moves up / down"] == "0 / 1"


def test_the_summary_names_every_step_that_ties_for_the_most_projects(projects):
    section = ladder.build(YEAR, now=NOW)

    summaries = " ".join(block.summary for block in section.blocks)
    assert (
        "The most common steps are co-design, engagement and consultation, with 1 project each."
    ) in summaries
