""" "We" statements: who may rate a project, the quarters, and the gap with what
participants said."""

from datetime import date

import pytest
import time_machine
from django.utils import timezone

from insight.models import WeAssessment
from insight.we import rateable_quarters
from tests.factories import UserFactory

from .factories import OpportunityFactory, ProjectFactory, SignUpFactory, response_for

pytestmark = pytest.mark.django_db

GOOD = {
    "equal_partners": "5",
    "equal_partners_evidence": "People co-chair the group.",
    "partnership": "4",
    "partnership_evidence": "We plan with the carers' centre.",
    "feel_valued": "4",
    "feel_valued_evidence": "Everyone is paid on the day.",
    "what_matters": "3",
    "what_matters_evidence": "We changed the plan after hearing about transport.",
}


@pytest.fixture
def project(staff):
    return ProjectFactory(owner=staff, title="Day services review")


def _rate_url(project, quarter=None):
    quarter = quarter or rateable_quarters(timezone.localdate())[0]
    return f"/insight/projects/{project.slug}/we/{quarter.year}/q{quarter.number}/"


def test_the_quarters_are_this_one_and_the_one_before():
    assert [q.start for q in rateable_quarters(date(2026, 1, 15))] == [
        date(2026, 1, 1),
        date(2025, 10, 1),
    ]
    assert rateable_quarters(date(2026, 5, 31))[1].label == "Jan to Mar 2026"


def test_the_owner_rates_their_project_with_evidence(client, staff, project):
    client.force_login(staff)
    url = _rate_url(project)
    page = client.get(url).content.decode()
    assert page.count('<fieldset class="govuk-fieldset"') == 4
    response = client.post(url, GOOD)
    assert response.status_code == 302
    assessment = WeAssessment.objects.get(project=project)
    assert assessment.quarter_start == rateable_quarters(timezone.localdate())[0].start
    assert (assessment.equal_partners, assessment.what_matters) == (5, 3)
    assert assessment.assessed_by == staff
    assert assessment.feel_valued_evidence == "Everyone is paid on the day."


def test_rating_the_same_quarter_again_changes_it(client, staff, project):
    client.force_login(staff)
    client.post(_rate_url(project), GOOD)
    client.post(_rate_url(project), {**GOOD, "what_matters": "1"})
    assert WeAssessment.objects.get(project=project).what_matters == 1


def test_team_members_and_commissioners_can_rate(client, project, commissioner):
    member = UserFactory(roles=["staff"])
    project.team.add(member)
    for person in (member, commissioner):
        client.force_login(person)
        assert client.get(_rate_url(project)).status_code == 200


def test_other_staff_cannot_rate(client, other_staff, project):
    client.force_login(other_staff)
    assert client.get(_rate_url(project)).status_code == 403
    assert client.post(_rate_url(project), GOOD).status_code == 403
    assert not WeAssessment.objects.exists()


def test_residents_and_visitors_cannot_rate(client, resident, project):
    assert client.get(_rate_url(project)).status_code == 403
    client.force_login(resident)
    assert client.get(_rate_url(project)).status_code == 403


def test_an_unknown_project_is_404(client, staff):
    client.force_login(staff)
    assert client.get("/insight/projects/no-such-thing/we/").status_code == 404


def test_old_and_future_quarters_cannot_be_rated(client, staff, project):
    client.force_login(staff)
    assert client.get(f"/insight/projects/{project.slug}/we/2019/q1/").status_code == 404
    assert client.get(f"/insight/projects/{project.slug}/we/2026/q5/").status_code == 404
    assert client.get(f"/insight/projects/{project.slug}/we/2099/q1/").status_code == 404


def test_every_statement_needs_a_rating_and_evidence(client, staff, project):
    client.force_login(staff)
    answers = {**GOOD, "partnership_evidence": "", "feel_valued": ""}
    page = client.post(_rate_url(project), answers).content.decode()
    assert "There is a problem" in page
    assert "Give your evidence for “We work in partnership”" in page
    assert "Rate “We involve people so they feel valued”" in page
    assert "People co-chair the group." in page  # what was typed is kept
    assert not WeAssessment.objects.exists()


def _rated_in_february_with_answers(client, staff, project, people):
    with time_machine.travel(date(2026, 2, 10), tick=False):
        session = OpportunityFactory(project=project)
        for _ in range(people):
            response_for(SignUpFactory(opportunity=session), rating=2)
        client.force_login(staff)
        client.post(_rate_url(project), GOOD)


def _page(client, project, day):
    with time_machine.travel(day, tick=False):
        # Signed in again on the day: a session from months before has expired.
        client.force_login(project.owner)
        return client.get(f"/insight/projects/{project.slug}/we/").content.decode()


# Every survey about sessions from January to March 2026 has closed by then.
SURVEYS_CLOSED = date(2026, 6, 1)


def test_the_project_page_shows_the_gap_with_what_participants_said(client, staff, project):
    _rated_in_february_with_answers(client, staff, project, 10)
    page = _page(client, project, SURVEYS_CLOSED)
    assert "Jan to Mar 2026" in page
    assert "We work with people as equal partners" in page
    # The team said 5; participants averaged 2 on the related "I" statements: a gap of 3.
    assert ">3.0<" in page
    assert "People co-chair the group." in page
    assert "What participants said, Jan to Mar 2026 (10 responses)" in page


def test_results_wait_until_the_quarters_surveys_have_closed(client, staff, project):
    """Otherwise each new answer could be read off by looking at the page before and after."""
    _rated_in_february_with_answers(client, staff, project, 10)

    page = _page(client, project, date(2026, 5, 20))

    assert "What participants said, Jan to Mar 2026: Results appear on 28 May 2026" in page
    assert ">3.0<" not in page
    assert "People co-chair the group." in page
    assert "What participants said, Jan to Mar 2026 (10 responses)" in _page(
        client, project, date(2026, 5, 28)
    )


def test_a_quarter_fewer_than_ten_people_answered_shows_no_results(client, staff, project):
    _rated_in_february_with_answers(client, staff, project, 9)
    page = _page(client, project, SURVEYS_CLOSED)
    assert (
        "What participants said, Jan to Mar 2026: Fewer than 10 people answered, or one person "
        "gave more than half of the answers, so we do not show the results, to protect their "
        "privacy."
    ) in page
    assert "What participants said, Jan to Mar 2026 (" not in page
    # The team's own ratings and evidence still show; participants' side of the gap does not.
    assert "People co-chair the group." in page
    assert ">3.0<" not in page and ">2.0<" not in page
    assert page.count(">Not shown<") == 8  # participants and gap, for each "We" statement


def test_any_staff_can_read_a_projects_we_page_but_only_editors_get_rate_links(
    client, other_staff, project
):
    client.force_login(other_staff)
    page = client.get(f"/insight/projects/{project.slug}/we/").content.decode()
    assert "Rate this project" not in page


def test_the_list_shows_only_projects_you_can_rate(client, staff, project):
    ProjectFactory(title="Someone else's")
    client.force_login(staff)
    page = client.get("/insight/we/").content.decode()
    assert "Day services review" in page
    assert "Someone else" not in page
    assert "Not rated yet" in page
