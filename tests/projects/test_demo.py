import pytest

from projects import demo
from projects.ladder import Level, Step
from projects.models import Project, ServiceArea, StepChange, Update

pytestmark = pytest.mark.django_db


def _counts():
    return (
        Project.objects.count(),
        ServiceArea.objects.count(),
        StepChange.objects.count(),
        Update.objects.count(),
    )


def test_the_demo_projects_are_believable_and_seeding_twice_changes_nothing():
    lines = []
    demo.seed(scale="small", log=lines.append)
    first = _counts()
    demo.seed(scale="small", log=lines.append)
    assert _counts() == first

    projects = list(Project.objects.all())
    assert len(projects) == 12
    assert {p.level for p in projects} == set(Level.values)
    assert len({p.service_area_id for p in projects}) >= 8
    public_steps = {p.public_step for p in projects if p.public_step}
    assert public_steps >= {
        Step.EDUCATING,
        Step.INFORMING,
        Step.CONSULTATION,
        Step.ENGAGEMENT,
        Step.CO_DESIGN,
        Step.CO_PRODUCTION,
    }
    inflated = [p for p in projects if p.is_inflated]
    assert [p.title for p in inflated] == ["Adult social care charging policy review"]
    moved_down = [p for p in projects if any(c.direction == "down" for c in p.step_changes.all())]
    assert [p.title for p in moved_down] == ["Mental health day opportunities"]
    assert Update.objects.count() >= 4
    # Every project below co-production says why, and the draft is hidden.
    for project in projects:
        if project.public_step and project.public_step < Step.CO_PRODUCTION:
            assert project.not_coproduction_reason
    assert Project.objects.filter(is_published=False).count() == 1


def test_the_large_demo_adds_many_projects_once():
    demo.seed(scale="large", log=lambda line: None)
    count = Project.objects.count()
    assert count == 312
    demo.seed(scale="large", log=lambda line: None)
    assert Project.objects.count() == count
    assert StepChange.objects.filter(project__slug__startswith="demo-project-").count() == 300
