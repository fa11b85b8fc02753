import factory

from projects.ladder import Communication, DecisionMaker, FirstInvolved
from projects.models import Project, Update
from tests import factories as shared

ServiceAreaFactory = shared.ServiceAreaFactory


class ProjectFactory(shared.ProjectFactory):
    """A published project. Pass `is_published=False` for a draft. Use `record_step` from
    `projects.services` (or `with_step`) to give it a step with history."""

    summary = "We are working with carers to improve short breaks."
    status = Project.Status.ACTIVE

    @factory.post_generation
    def team(self, create, extracted, **kwargs):
        if create and extracted:
            self.team.set(extracted)


class UpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Update

    project = factory.SubFactory(ProjectFactory)
    said = "The forms are too long and the letters are hard to read."
    did = "We cut the form to one page and rewrote the letters with carers."
    next_steps = "We will check in March whether it helped."


def evidence(**changes):
    """Answers for a full co-production project; pass changes to lower it."""
    answers = {
        "voluntary": True,
        "communication": Communication.TWO_WAY.value,
        "decides": DecisionMaker.SHARED.value,
        "first_involved": FirstInvolved.FROM_START.value,
        "sets_agenda": True,
        "helps_deliver": True,
        "helps_evaluate": True,
    }
    answers.update(changes)
    return answers


CONSULTATION_EVIDENCE = evidence(
    decides=DecisionMaker.COUNCIL_AFTER_HEARING.value,
    first_involved=FirstInvolved.OPTIONS_DRAFTED.value,
    sets_agenda=False,
    helps_deliver=False,
    helps_evaluate=False,
)


def project_post_data(area, owner, **changes):
    """What the project form posts: every field filled in, with `changes` on top."""
    data = {
        "title": "Carers' breaks review",
        "slug": "",
        "summary": "Carers tell us short breaks are hard to book. We want to fix that with them.",
        "service_area": str(area.pk),
        "level": "service",
        "activity_types": ["co_design", "co_evaluation"],
        "principles": ["equality", "reciprocity"],
        "owner": str(owner.pk),
        "team": [],
        "start_date_0": "1",
        "start_date_1": "4",
        "start_date_2": "2026",
        "end_date_0": "31",
        "end_date_1": "3",
        "end_date_2": "2027",
        "status": "active",
        "wtfc_stage": "collect",
        "contact_name": "Jo Bloggs",
        "contact_email": "jo.bloggs@anytown.example",
        "contact_phone": "01632 960 001",
    }
    data.update(changes)
    return data


def step_post_data(claimed, answers, reason="", confirmed_gap=None):
    """What the step form posts for these answers."""
    data = {"claimed_step": str(claimed), "reason": reason}
    for name, value in answers.items():
        data[name] = ("yes" if value else "no") if isinstance(value, bool) else value
    if confirmed_gap:
        data["confirmed_gap"] = confirmed_gap
    return data


def make_opportunity(project, *, status="published", days_ahead=14, title=None, created_by=None):
    """A session on a project, made directly so these tests do not depend on the
    participation app's own factories."""
    from datetime import timedelta

    from django.utils import timezone

    from participation.models import Opportunity

    starts = timezone.now() + timedelta(days=days_ahead)
    return Opportunity.objects.create(
        project=project,
        title=title or f"Workshop for {project.title}",
        description="A friendly workshop. Tea and biscuits provided.",
        kind=Opportunity.Kind.WORKSHOP,
        format=Opportunity.Format.IN_PERSON,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        capacity=12,
        status=status,
        created_by=created_by or project.owner,
    )
