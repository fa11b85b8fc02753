"""Demo projects for a fictional council: a dozen across levels, steps and service areas,
including one inflated claim and one that moved down the ladder, with some updates.

Idempotent: a project whose slug already exists is left alone, so running twice changes nothing.
"""

from datetime import datetime, time, timedelta

from django.utils import timezone
from django.utils.text import slugify

from coprod_hub.lib.working_days import WorkingDays
from coprod_hub.users.demo import demo_user
from coprod_hub.users.roles import Role

from .ladder import Communication as C
from .ladder import DecisionMaker as D
from .ladder import FirstInvolved as F
from .ladder import Step, evidenced_step
from .models import Project, ServiceArea, StepChange, Update
from .services import post_update, record_step

SERVICE_AREAS = [
    "Autism",
    "Carers",
    "Care homes",
    "Direct payments",
    "Home care",
    "Hospital discharge",
    "Housing and support",
    "Learning disability",
    "Mental health",
    "Older people",
    "Physical disability and sensory impairment",
    "Safeguarding adults",
]

# People who own and work on the demo projects (staff@ and commissioner@ come from users.demo).
DEMO_STAFF = [
    ("daniel.okafor@example.org", "Daniel Okafor"),
    ("helen.price@example.org", "Helen Price"),
]


def answers(**changes):
    """Evidence for full co-production, with changes that lower it."""
    base = {
        "voluntary": True,
        "communication": C.TWO_WAY,
        "decides": D.SHARED,
        "first_involved": F.FROM_START,
        "sets_agenda": True,
        "helps_deliver": True,
        "helps_evaluate": True,
    }
    base.update(changes)
    return {
        key: str(value) if not isinstance(value, bool) else value for key, value in base.items()
    }


CONSULTATION = answers(
    decides=D.COUNCIL_AFTER_HEARING,
    first_involved=F.OPTIONS_DRAFTED,
    sets_agenda=False,
    helps_deliver=False,
    helps_evaluate=False,
)

# Dates are days from today (negative: in the past), so the demo reads the same whenever it
# is seeded: sessions fall inside their project's dates, and a closed project has ended.
# Each project: details, then its step history as (days ago, claimed, answers, reason), oldest
# first, then its "we said, we did" updates as (days ago, said, did, next).
PROJECTS = [
    {
        "title": "Carers' short breaks redesign",
        "area": "Carers",
        "level": "service",
        "status": "active",
        "types": ["co_design", "co_decision", "co_delivery", "co_evaluation"],
        "principles": ["equality", "reciprocity", "relationships", "honesty"],
        "owner": "staff@example.org",
        "team": ["helen.price@example.org"],
        "start": -460,
        "end": 270,
        # For paying carers for their time and expenses, not for the breaks themselves.
        "budget_pence": 450_000,
        "wtfc": "plan",
        "summary": (
            "Carers told us short breaks are hard to find and hard to book. A group of carers "
            "and council staff is redesigning how breaks are offered, booked and paid for. "
            "Carers share every decision and will help run and check the new service."
        ),
        "steps": [(400, 7, answers(), "")],
        "updates": [
            (
                120,
                "Booking a break took up to six phone calls, and the forms asked the same "
                "questions three times.",
                "We agreed one phone number and a single short form, written with carers.",
                "Carers on the group will test the new form with 20 other carers in the spring.",
            ),
            (
                30,
                "Carers wanted breaks at short notice, not only booked weeks ahead.",
                "We set aside a quarter of the budget for breaks booked at under a week's notice.",
                "We will check in six months whether short-notice breaks are being used.",
            ),
        ],
    },
    {
        "title": "Adult social care charging policy review",
        "area": "Older people",
        "level": "strategic",
        "status": "active",
        "types": ["co_design"],
        "principles": ["honesty", "communication", "accessibility"],
        "owner": "commissioner@example.org",
        "team": ["daniel.okafor@example.org"],
        "start": -335,
        "end": 235,
        "summary": (
            "We are reviewing how much people pay towards their care at home. We want to hear "
            "how the current charges affect people before councillors decide on any changes."
        ),
        # The inflated claim: staff called it co-production; the evidence says consultation.
        "steps": [
            (
                90,
                7,
                CONSULTATION,
                "The Care Act 2014 requires the council to set charges, and councillors make "
                "the final decision. People's views shape the options they see.",
            )
        ],
        "updates": [],
    },
    {
        "title": "Mental health day opportunities",
        "area": "Mental health",
        "level": "service",
        "status": "active",
        "types": ["co_design", "co_delivery"],
        "principles": ["inclusivity", "relationships", "realistic"],
        "owner": "daniel.okafor@example.org",
        "team": ["staff@example.org"],
        "start": -550,
        "summary": (
            "People who use mental health day services are designing what a good week of "
            "activities looks like, from peer support groups to walking and art sessions."
        ),
        # Moved down the ladder after a budget decision took back the final say.
        "steps": [
            (
                350,
                6,
                answers(first_involved=F.OPTIONS_DRAFTED),
                "People joined once the service outline had been agreed with the NHS, so they "
                "did not help define the problem.",
            ),
            (
                60,
                5,
                answers(
                    decides=D.COUNCIL_AFTER_HEARING,
                    first_involved=F.OPTIONS_DRAFTED,
                    helps_deliver=False,
                ),
                "A budget decision this year meant the council took back the final say on "
                "which groups continue. People still set the agenda and we report back.",
            ),
        ],
        "updates": [
            (
                45,
                "Losing the Thursday art group would leave some people with nowhere to go "
                "that day.",
                "We kept the art group and moved it to the library, which costs less.",
                "The group will review the new venue with us after three months.",
            ),
        ],
    },
    {
        "title": "Learning disability partnership board",
        "area": "Learning disability",
        "level": "strategic",
        "status": "active",
        "types": ["co_decision", "co_evaluation"],
        "principles": ["equality", "accessibility", "communication", "reciprocity"],
        "owner": "helen.price@example.org",
        "team": ["commissioner@example.org"],
        "start": -980,
        "summary": (
            "People with a learning disability and family carers co-chair the board that sets "
            "the council's priorities for learning disability services. Papers are in easy read."
        ),
        "steps": [(450, 7, answers(), "")],
        "updates": [
            (
                20,
                "Board members said bus passes that cannot be used before 9.30am stop people "
                "getting to work and college.",
                "The board asked the transport team to change this. From April, passes for "
                "disabled people will work at any time.",
                "We will share the letter about the change in easy read.",
            ),
        ],
    },
    {
        "title": "Home care quality checks by experts by experience",
        "area": "Home care",
        "level": "service",
        "status": "active",
        "types": ["co_evaluation", "co_delivery"],
        "principles": ["equality", "reciprocity", "honesty"],
        "owner": "staff@example.org",
        "team": [],
        "start": -400,
        "summary": (
            "People who use home care, and their carers, are paid to visit home care agencies "
            "with us and check the quality of care. They helped write the questions we ask."
        ),
        "steps": [(150, 7, answers(), "")],
        "updates": [],
    },
    {
        "title": "Direct payments support service",
        "area": "Direct payments",
        "level": "service",
        "status": "active",
        "types": ["co_design"],
        "principles": ["accessibility", "communication"],
        "owner": "commissioner@example.org",
        "team": ["staff@example.org"],
        "start": -430,
        "end": 300,
        "budget_pence": 150_000,
        "summary": (
            "We are designing a new support service for people who manage their own care with "
            "a direct payment: help with payroll, finding personal assistants and paperwork."
        ),
        "steps": [
            (
                250,
                6,
                answers(first_involved=F.OPTIONS_DRAFTED),
                "The contract had to start by October, so people joined when the outline was "
                "already drafted. They share decisions on the design from here on.",
            )
        ],
        "updates": [],
    },
    {
        "title": "Autism strategy for the next five years",
        "area": "Autism",
        "level": "strategic",
        "status": "active",
        "types": ["co_design"],
        "principles": ["diversity", "inclusivity", "communication"],
        "owner": "helen.price@example.org",
        "team": ["daniel.okafor@example.org"],
        "start": -310,
        "end": 120,
        "wtfc": "theme",
        "summary": (
            "Autistic adults and families are helping us decide what the next five-year "
            "autism strategy should focus on. They choose the topics for each workshop."
        ),
        "steps": [
            (
                70,
                5,
                answers(decides=D.COUNCIL_AFTER_HEARING, helps_deliver=False),
                "The strategy is a joint plan with the NHS, and both boards must approve it. "
                "People set the agenda and we will show how their views changed it.",
            )
        ],
        "updates": [],
    },
    {
        "title": "Care home visiting guidance for families",
        "area": "Care homes",
        "level": "service",
        "status": "active",
        "types": [],
        "principles": ["communication", "honesty"],
        "owner": "daniel.okafor@example.org",
        "team": [],
        "summary": (
            "We are telling families how visiting works in care homes during winter, and "
            "answering their questions at drop-in sessions."
        ),
        "steps": [
            (
                40,
                3,
                answers(communication=C.TELL),
                "Visiting rules follow national infection control guidance, which the council "
                "cannot change. We want families to understand them and know who to ask.",
            )
        ],
        "updates": [],
    },
    {
        "title": "Making safeguarding personal: your experience",
        "area": "Safeguarding adults",
        "level": "service",
        "status": "active",
        "types": ["co_evaluation"],
        "principles": ["honesty", "accessibility"],
        "owner": "staff@example.org",
        "team": ["helen.price@example.org"],
        "summary": (
            "A short survey and interviews for people who have been through a safeguarding "
            "enquiry. We want to know whether they felt listened to and in control."
        ),
        "steps": [
            (
                25,
                4,
                CONSULTATION,
                "Safeguarding enquiries are a legal duty with rules set nationally. We are "
                "asking people's views to improve how we carry them out.",
            )
        ],
        "updates": [],
    },
    {
        "title": "My support plan: reviews that start with you",
        "area": "Older people",
        "level": "individual",
        "status": "active",
        "types": ["co_design", "co_decision"],
        "principles": ["equality", "relationships", "realistic"],
        "owner": "helen.price@example.org",
        "team": ["staff@example.org"],
        "summary": (
            "People plan their own care review with their social worker: what to talk about, "
            "who comes, and what a good outcome looks like for them."
        ),
        "steps": [
            (
                80,
                6,
                answers(first_involved=F.OPTIONS_DRAFTED, helps_deliver=False),
                "The review follows a plan already in place, so people were not involved in "
                "defining it from the very start. Budgets still go to a funding panel.",
            )
        ],
        "updates": [],
    },
    {
        "title": "Leaving hospital: what happens next",
        "area": "Hospital discharge",
        "level": "service",
        "status": "closed",
        "types": [],
        "principles": ["communication", "accessibility"],
        "owner": "daniel.okafor@example.org",
        "team": [],
        "start": -240,
        "end": -2,
        "summary": (
            "A leaflet and short video explaining how leaving hospital works when you need "
            "care at home. People checked that the words were clear."
        ),
        "steps": [
            (
                230,
                2,
                answers(communication=C.EXPLAIN),
                "The discharge process is set by the NHS and the council together. This work "
                "explains it; it does not change it.",
            )
        ],
        "updates": [
            (
                150,
                "The first draft of the leaflet used too many abbreviations, and people did "
                "not know who to phone.",
                "We removed all abbreviations and put one phone number on the front page.",
                "",
            )
        ],
    },
    {
        "title": "Extra care housing at Millbrook",
        "area": "Housing and support",
        "level": "strategic",
        "status": "planning",
        "types": ["co_design"],
        "principles": ["inclusivity"],
        "owner": "commissioner@example.org",
        "team": ["helen.price@example.org"],
        "summary": (
            "Early planning for a new extra care housing scheme. Not yet published: we are "
            "still deciding how people will be involved."
        ),
        "steps": [],
        "updates": [],
        "published": False,
    },
]


def _day(offset):
    return None if offset is None else timezone.localdate() + timedelta(days=offset)


# Staff record steps and post updates at work: in the morning of a working day.
OFFICE_TIME = time(11, 0)


def _ago(days):
    """About `days` days ago: that day, or the working day before it, at OFFICE_TIME."""
    working = WorkingDays()
    day = timezone.localdate() - timedelta(days=days)
    while day not in working:
        day -= timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, OFFICE_TIME))


def _create(spec, people, areas, log):
    project = Project.objects.create(
        title=spec["title"],
        slug=slugify(spec["title"]),
        summary=spec["summary"],
        service_area=areas[spec["area"]],
        level=spec["level"],
        status=spec["status"],
        activity_types=spec["types"],
        principles=spec["principles"],
        owner=people[spec["owner"]],
        start_date=_day(spec.get("start")),
        end_date=_day(spec.get("end")),
        budget_pence=spec.get("budget_pence"),
        wtfc_stage=spec.get("wtfc", ""),
        contact_name=str(people[spec["owner"]]),
        contact_email="coproduction@anytown.example",
        contact_phone="01632 960 000",
    )
    project.team.set([people[email] for email in spec["team"]])
    for days, claimed, evidence, reason in spec["steps"]:
        change = record_step(
            project, by=people[spec["owner"]], claimed=claimed, evidence=evidence, reason=reason
        )
        # History in the past, so the timeline reads like a real project's.
        StepChange.objects.filter(pk=change.pk).update(changed_at=_ago(days))
        Project.objects.filter(pk=project.pk).update(step_recorded_at=_ago(days))
    for days, said, did, next_steps in spec["updates"]:
        update = post_update(
            project, by=people[spec["owner"]], said=said, did=did, next_steps=next_steps
        )
        Update.objects.filter(pk=update.pk).update(posted_at=_ago(days))
    oldest = max([days for days, *_ in spec["steps"]] + [30])
    # Last changed when its step was last recorded or it was made, not when it was seeded.
    latest = min([days for days, *_ in spec["steps"]] or [oldest + 14])
    Project.objects.filter(pk=project.pk).update(
        is_published=spec.get("published", True),
        created_at=_ago(oldest + 14),
        updated_at=_ago(latest),
    )
    log(f"  project: {project.title}")


def _seed_many(count, people, areas):
    """For load testing: many plain projects, each with one history entry."""
    owner = people["staff@example.org"]
    existing = set(
        Project.objects.filter(slug__startswith="demo-project-").values_list("slug", flat=True)
    )
    area_list = list(areas.values())
    levels = ["individual", "service", "strategic"]
    variants = [
        answers(),
        answers(first_involved=F.OPTIONS_DRAFTED),
        answers(decides=D.COUNCIL_AFTER_HEARING),
        CONSULTATION,
        answers(communication=C.TELL),
    ]
    new = []
    for number in range(count):
        slug = f"demo-project-{number:04d}"
        if slug in existing:
            continue
        evidence = variants[number % len(variants)]
        step = evidenced_step(evidence)
        new.append(
            Project(
                title=f"Demo project {number:04d}",
                slug=slug,
                summary="A generated project for load testing.",
                service_area=area_list[number % len(area_list)],
                level=levels[number % len(levels)],
                status="active",
                owner=owner,
                is_published=True,
                claimed_step=step,
                evidenced_step=step,
                step_evidence=evidence,
                not_coproduction_reason="" if step == Step.CO_PRODUCTION else "Generated.",
                step_recorded_at=timezone.now(),
            )
        )
    created = Project.objects.bulk_create(new, batch_size=500)
    StepChange.objects.bulk_create(
        [
            StepChange(
                project=project,
                to_claimed=project.claimed_step,
                to_evidenced=project.evidenced_step,
                evidence=project.step_evidence,
                reason=project.not_coproduction_reason,
                changed_by=owner,
            )
            for project in created
        ],
        batch_size=500,
    )
    return len(created)


def seed(*, scale, log):
    people = {
        "staff@example.org": demo_user("staff@example.org", "Grace Adeyemi", [Role.STAFF]),
        "commissioner@example.org": demo_user(
            "commissioner@example.org", "Martin Hughes", [Role.COMMISSIONER]
        ),
    }
    for email, name in DEMO_STAFF:
        people[email] = demo_user(email, name, [Role.STAFF])
    areas = {}
    for name in SERVICE_AREAS:
        areas[name], _ = ServiceArea.objects.get_or_create(
            slug=slugify(name), defaults={"name": name}
        )
    existing = set(Project.objects.values_list("slug", flat=True))
    log("Projects:")
    for spec in PROJECTS:
        if slugify(spec["title"]) not in existing:
            _create(spec, people, areas, log)
    if scale == "large":
        made = _seed_many(300, people, areas)
        log(f"  {made} generated projects for load testing")
