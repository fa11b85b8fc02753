"""Tables with a row per project show the top few on the page, say how many more there are
and link to a CSV download that has every row."""

from datetime import timedelta

import pytest

from insight.dashboard import TABLE_ROWS, loop, outcomes

from .conftest import NOW, YEAR, at
from .factories import (
    OpportunityFactory,
    ProjectFactory,
    ServiceAreaFactory,
    SignUpFactory,
    response_for,
)

pytestmark = pytest.mark.django_db

URL = "/insight/?start=2025-04-01&end=2026-03-31"


def _block(html: str, name: str) -> str:
    return html.split(f'id="{name}"')[1].split('class="hub-insight-block"')[0]


def test_tables_cut_short_say_how_many_rows_are_hidden_and_link_to_the_csv(client, staff):
    for n in range(13):
        ProjectFactory(title=f"Budget {n:02d}", budget_pence=100_000 * (n + 1))
    ProjectFactory(title="No budget")
    client.force_login(staff)
    block = _block(client.get(URL).content.decode(), "reciprocity_budgets")
    assert block.count('<th scope="row"') == 10
    assert "Budget 12" in block and "Budget 02" not in block  # the largest budgets
    assert "Showing the 10 largest budgets of 13 projects. The other 3 are in the CSV" in block
    assert (
        'href="?start=2025-04-01&amp;end=2026-03-31&amp;format=csv&amp;table=reciprocity_budgets">'
        "Download all 13 rows as CSV" in block
    )
    csv = client.get(f"{URL}&format=csv&table=reciprocity_budgets").content.decode()
    assert len(csv.strip().splitlines()) == 1 + 13


def test_a_table_shown_in_full_just_offers_the_csv(client, staff):
    SignUpFactory(opportunity__starts_at=at(2025, 6, 1))
    client.force_login(staff)
    block = _block(client.get(URL).content.decode(), "reach_areas")
    assert "Download as CSV" in block
    assert "Showing the" not in block


def test_the_loop_table_shows_the_busiest_projects_and_the_csv_lists_all_by_title():
    projects = [ProjectFactory(title=f"P{n:02d}") for n in range(TABLE_ROWS + 2)]
    for n, project in enumerate(projects):
        for day in range(1 + n % 4):  # P03, P07 and P11 have the most sessions
            end = at(2025, 6, 1 + day, 12)
            OpportunityFactory(project=project, starts_at=end - timedelta(hours=2), ends_at=end)
    table = loop.build(YEAR, now=NOW).table("loop_projects")
    shown = [row[0].text for row in table.rows]
    assert len(shown) == TABLE_ROWS
    assert shown[:3] == ["P03", "P07", "P11"]
    # Of the three with one session, the first by title is shown.
    assert "P00" in shown and "P04" not in shown and "P08" not in shown
    assert [row[0] for row in csv_rows_of(table)] == [p.title for p in projects]
    assert table.note == (
        f"Showing the {TABLE_ROWS} projects with the most sessions of {TABLE_ROWS + 2} "
        "projects. The other 2 are in the CSV download."
    )


def test_the_outcomes_table_shows_the_projects_with_the_most_responses():
    area = ServiceAreaFactory(name="Carers", slug="carers")
    projects = [ProjectFactory(title=f"P{n:02d}", service_area=area) for n in range(TABLE_ROWS + 1)]
    for n, project in enumerate(projects):
        session = OpportunityFactory(project=project, starts_at=at(2025, 6, 1))
        for _ in range(1 if n else 3):  # P00 has the most answers
            response_for(SignUpFactory(opportunity=session))
    table = outcomes.build(YEAR, now=NOW).table("outcomes_projects")
    assert table.rows[0][0].text == "P00"
    assert len(table.rows) == TABLE_ROWS
    assert table.hidden_rows == 1
    assert len(csv_rows_of(table)) == TABLE_ROWS + 1


def csv_rows_of(table):
    return [[cell.csv for cell in row] for row in table.all_rows]
