"""Demo data for insight: survey answers from people who attended demo sessions, the demo
project teams' "We" ratings, and equality answers from some demo residents.

Runs after the projects, participation and payments seeders. Idempotent: answers are keyed
by sign-up, ratings by project and quarter, equality answers by person; a fixed random seed
gives the same data every run.
"""

import random
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from participation.models import SignUp
from projects.ladder import Step
from projects.models import Project

from .equality import QUESTIONS
from .models import EqualityMonitoring, SurveyInvitation, SurveyResponse, WeAssessment
from .querysets import quarter_floor
from .services import SURVEY_OPEN_FOR
from .statements import ASKED_NOT_YET, I_KEYS, WE_KEYS
from .we import rateable_quarters

LIMITS = {"small": 400, "large": 20000}

COMMENTS = [
    "It was good to be listened to. The room was easy to get to.",
    "I would have liked the papers a week before so I could read them properly.",
    "People were kind. I did not feel rushed.",
    "I still do not know what happened after the last meeting.",
    "My expenses took a long time to come through.",
    "",
    "",
    "",
]
# Comments that fit only some sessions, so that none contradicts what the session was.
EASY_READ = "Really good session, the easy read version helped a lot."
EASY_READ_PROJECTS = {"learning-disability-partnership-board"}
# Only where the council keeps the final say (engagement or below), never on co-production.
DECIDED_ALREADY = "Felt like the decision was already made before we arrived."

EVIDENCE = {
    "equal_partners": "People with lived experience co-chair the group and set the agenda.",
    "partnership": "We plan the sessions with the carers' centre and two user-led groups.",
    "feel_valued": "Everyone is paid on the day for their time, and we say thank you in writing.",
    "what_matters": "We changed the plan after people told us transport was the main problem.",
}


# How often each answer comes up, against 1 for any answer not named: roughly the people of
# a county council's area who draw on care and support. Without this every group would be
# about equally small, and all of them hidden on the dashboard as fewer than 10 people.
ANSWER_WEIGHTS = {
    "age_band": {"under_18": 0, "18_24": 1, "25_34": 2, "35_44": 3, "45_54": 4, "55_64": 6,
                 "65_74": 6, "75_84": 4, "85_over": 1, "prefer_not": 1},
    "disability": {"yes": 12, "no": 6},
    "ethnic_group": {"white": 20, "asian": 2, "black": 1, "mixed": 1},
    "sex": {"female": 12, "male": 8},
    "gender_same_as_birth": {"yes": 30},
    "sexual_orientation": {"straight": 20, "gay_lesbian": 1, "bisexual": 1},
    "religion": {"christian": 10, "none": 10, "muslim": 1},
    "carer": {"yes": 9, "no": 9},
}  # fmt: skip


def _comments_for(opportunity) -> list[str]:
    comments = list(COMMENTS)
    project = opportunity.project
    if project and project.slug in EASY_READ_PROJECTS:
        comments.append(EASY_READ)
    step = project.public_step if project else opportunity.step
    if step is not None and step <= Step.ENGAGEMENT:
        comments.append(DECIDED_ALREADY)
    return comments


def _rating(rng, lean: float) -> int | None:
    """A believable answer: mostly agree, leaning up or down by project."""
    if rng.random() < 0.05:
        return None  # prefer not to say
    return max(1, min(5, round(rng.gauss(3.6 + lean, 0.9))))


def _answers(rng, lean: float) -> dict:
    """Ratings for every statement, and now and then "not yet" where a statement offers it."""
    answers = {key: _rating(rng, lean) for key in I_KEYS}
    for statement in ASKED_NOT_YET:
        if rng.random() < 0.08:
            answers[statement.key] = None
            answers[statement.not_yet_field] = True
    return answers


def _seed_responses(limit, now) -> int:
    attended = (
        SignUp.objects.filter(
            status=SignUp.Status.BOOKED,
            attendance=SignUp.Attendance.ATTENDED,
            opportunity__ends_at__lte=now,
        )
        .select_related("opportunity__project", "resident")
        .order_by("pk")[:limit]
    )
    invitations, responses = [], []
    for signup in attended:
        ends_at = signup.opportunity.ends_at
        invitations.append(
            SurveyInvitation(signup=signup, closes_at=ends_at + SURVEY_OPEN_FOR, created_at=ends_at)
        )
        # Seeded by what the sign-up is, not its id, so every fresh demo says the same.
        pick = random.Random(f"{signup.opportunity.title}/{signup.resident.email}")
        if pick.random() < 0.35:
            continue  # not everyone answers
        lean = (signup.opportunity.project_id or 0) % 3 * 0.4 - 0.4
        answered_at = min(ends_at + timedelta(days=pick.randint(1, 20)), now)
        responses.append(
            SurveyResponse(
                signup=signup,
                opportunity_id=signup.opportunity_id,
                comment=pick.choice(_comments_for(signup.opportunity)),
                submitted_at=answered_at,
                updated_at=answered_at,
                **_answers(pick, lean),
            )
        )
    # ignore_conflicts: a second run finds the rows already there and changes nothing.
    SurveyInvitation.objects.bulk_create(invitations, ignore_conflicts=True, batch_size=1000)
    SurveyResponse.objects.bulk_create(responses, ignore_conflicts=True, batch_size=1000)
    return len(responses)


def _seed_we(now) -> int:
    count = 0
    quarters = [q.start for q in rateable_quarters(timezone.localdate(now))]
    quarters.append(quarter_floor(quarters[-1] - timedelta(days=1)))
    for project in Project.objects.exclude(evidenced_step=None).select_related("owner"):
        pick = random.Random(project.slug)
        for quarter in quarters[1:]:  # the current quarter is left for teams to rate
            ratings = {key: min(5, 4 + (pick.random() < 0.5)) for key in WE_KEYS}
            evidence = {f"{key}_evidence": EVIDENCE[key] for key in WE_KEYS}
            _, created = WeAssessment.objects.get_or_create(
                project=project,
                quarter_start=quarter,
                defaults={**ratings, **evidence, "assessed_by": project.owner},
            )
            count += created
    return count


def _seed_equality(limit, now) -> int:
    User = get_user_model()
    people = User.objects.filter(signups__isnull=False).distinct().order_by("pk")[:limit]
    records = []
    for person in people:
        pick = random.Random(person.email)
        if pick.random() < 0.2:
            continue  # most, not all, answer
        answers = {}
        for question in QUESTIONS:
            values = [value for value, _ in question.choices.choices]
            weights = [ANSWER_WEIGHTS.get(question.field, {}).get(v, 1) for v in values]
            answers[question.field] = (
                "" if pick.random() < 0.05 else pick.choices(values, weights)[0]
            )
        # Answered a year ago: the dashboard counts answers given before this quarter.
        records.append(
            EqualityMonitoring(person=person, updated_at=now - timedelta(days=365), **answers)
        )
    EqualityMonitoring.objects.bulk_create(records, ignore_conflicts=True, batch_size=1000)
    return len(records)


def seed(*, scale, log):
    now = timezone.now()
    limit = LIMITS.get(scale, LIMITS["small"])
    # Counted before and after: a second run finds its rows there and adds none.
    before = SurveyResponse.objects.count(), EqualityMonitoring.objects.count()
    _seed_responses(limit, now)
    assessments = _seed_we(now)
    _seed_equality(limit, now)
    responses = SurveyResponse.objects.count() - before[0]
    equality = EqualityMonitoring.objects.count() - before[1]
    log(
        f"Insight: {responses} survey answers, {assessments} new \u201cWe\u201d ratings, "
        f"{equality} people with equality answers."
    )
