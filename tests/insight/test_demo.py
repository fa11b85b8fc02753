"""The insight demo seeder: believable data, the same however often it runs."""

import pytest

from insight import demo
from insight.models import EqualityMonitoring, SurveyInvitation, SurveyResponse, WeAssessment

from .factories import OpportunityFactory, ProjectFactory, SignUpFactory

pytestmark = pytest.mark.django_db


def _counts():
    return (
        SurveyInvitation.objects.count(),
        SurveyResponse.objects.count(),
        WeAssessment.objects.count(),
        EqualityMonitoring.objects.count(),
    )


def test_it_runs_on_an_empty_hub():
    lines = []
    demo.seed(scale="small", log=lines.append)
    assert _counts() == (0, 0, 0, 0)
    assert lines and lines[0].startswith("Insight:")


def test_it_adds_answers_ratings_and_equality_answers_once():
    project = ProjectFactory(claimed_step=6, evidenced_step=5)
    session = OpportunityFactory(project=project)
    for _ in range(30):
        SignUpFactory(opportunity=session)
    demo.seed(scale="small", log=lambda line: None)
    first = _counts()
    invitations, responses, assessments, equality = first
    assert invitations == 30
    assert 0 < responses < 30  # not everyone answers
    assert assessments == 2  # the last two quarters; this one is left for the team
    assert 0 < equality < 30
    demo.seed(scale="small", log=lambda line: None)
    assert _counts() == first
    assert all(r.comment == "" or "[" not in r.comment for r in SurveyResponse.objects.all())
