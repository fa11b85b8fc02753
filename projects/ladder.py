"""The vocabulary of co-production the hub encodes: levels, the seven steps, activity types,
principles and the Working Together for Change stages.

The rule that derives the evidenced step from the evidence answers also lives here
(`evidenced_step`), in one place, so the "How we decide the step" page and the code agree.
"""

from django.db import models


class Level(models.TextChoices):
    INDIVIDUAL = "individual", "Individual"
    SERVICE = "service", "Service"
    STRATEGIC = "strategic", "Strategic"


LEVEL_DESCRIPTIONS = {
    Level.INDIVIDUAL: "Decisions about a person's own care and support.",
    Level.SERVICE: "Shaping, designing, delivering or checking a service.",
    Level.STRATEGIC: (
        "Plans for the whole council: its rules, which services it pays for, and checking "
        "how good they are."
    ),
}


class Step(models.IntegerChoices):
    """The ladder of participation, lowest first. Each step shares more power."""

    COERCION = 1, "Coercion"
    EDUCATING = 2, "Educating"
    INFORMING = 3, "Informing"
    CONSULTATION = 4, "Consultation"
    ENGAGEMENT = 5, "Engagement"
    CO_DESIGN = 6, "Co-design"
    CO_PRODUCTION = 7, "Co-production"

    @property
    def numbered(self) -> str:
        """ "4. Consultation": how staff lists, filters and forms name a step."""
        return f"{self.value}. {self.label}"


class StepGroup(models.TextChoices):
    DOING_TO = "doing_to", "Doing to"
    DOING_FOR = "doing_for", "Doing for"
    DOING_WITH = "doing_with", "Doing with"


STEP_GROUPS = {
    Step.COERCION: StepGroup.DOING_TO,
    Step.EDUCATING: StepGroup.DOING_TO,
    Step.INFORMING: StepGroup.DOING_FOR,
    Step.CONSULTATION: StepGroup.DOING_FOR,
    Step.ENGAGEMENT: StepGroup.DOING_FOR,
    Step.CO_DESIGN: StepGroup.DOING_WITH,
    Step.CO_PRODUCTION: StepGroup.DOING_WITH,
}

STEP_GROUP_DESCRIPTIONS = {
    StepGroup.DOING_TO: "The council acts on people. They have no say.",
    StepGroup.DOING_FOR: "The council listens or explains, but keeps the power to decide.",
    StepGroup.DOING_WITH: "People who draw on care and support share the power to decide.",
}

# The same, said to residents deciding whether to take part: what their say would be.
STEP_IN_PLAIN_WORDS = {
    Step.COERCION: "you have no real say",
    Step.EDUCATING: "you are helped to understand a service",
    Step.INFORMING: "you are told about decisions",
    Step.CONSULTATION: "you give your views and the council decides",
    Step.ENGAGEMENT: "you help shape plans and the council decides",
    Step.CO_DESIGN: "you help design it, with real influence",
    Step.CO_PRODUCTION: "you are an equal partner from start to finish",
}


def labels_of(choices, values) -> list[str]:
    """The labels of a JSON list of `choices` values, leaving out anything that is not one."""
    if not isinstance(values, list):
        return []
    return [choices(value).label for value in values if value in choices.values]


def ladder_groups():
    """The ladder for display: [(group, [steps])], lowest step first."""
    groups = []
    for step in Step:
        group = STEP_GROUPS[step]
        if not groups or groups[-1][0] != group:
            groups.append((group, []))
        groups[-1][1].append(step)
    return groups


def ladder_for(current=None, claimed=None) -> list[dict]:
    """Everything the ladder graphic needs: each group with its steps, the current step marked,
    and (for staff only) a higher claimed step marked separately."""
    return [
        {
            "group": group,
            "description": STEP_GROUP_DESCRIPTIONS[group],
            "steps": [
                {
                    "step": step,
                    "description": STEP_DESCRIPTIONS[step],
                    "is_current": step == current,
                    "is_claimed": claimed is not None and step == claimed and step != current,
                }
                for step in steps
            ],
        }
        for group, steps in ladder_groups()
    ]


STEP_DESCRIPTIONS = {
    Step.COERCION: (
        "People are passive. Decisions are made for them and imposed on them. Some ladders "
        "call this step persuasion."
    ),
    Step.EDUCATING: "Information goes one way, to help people understand a service.",
    Step.INFORMING: "People are told about services and about decisions already made.",
    Step.CONSULTATION: "People are asked for their views, but the council decides.",
    Step.ENGAGEMENT: "People debate and influence plans, but the council still decides.",
    Step.CO_DESIGN: (
        "People shape the design with real influence, but are not partners in both delivering "
        "it and checking how well it works."
    ),
    Step.CO_PRODUCTION: (
        "People are equal partners in deciding, designing, delivering and checking the work."
    ),
}


class ActivityType(models.TextChoices):
    CO_DESIGN = "co_design", "Co-design"
    CO_DECISION = "co_decision", "Co-decision making"
    CO_DELIVERY = "co_delivery", "Co-delivery"
    CO_EVALUATION = "co_evaluation", "Co-evaluation"


class Principle(models.TextChoices):
    EQUALITY = "equality", "Equality"
    DIVERSITY = "diversity", "Diversity"
    ACCESSIBILITY = "accessibility", "Accessibility"
    RECIPROCITY = "reciprocity", "Reciprocity"
    RELATIONSHIPS = "relationships", "Relationships"
    INCLUSIVITY = "inclusivity", "Inclusivity"
    COMMUNICATION = "communication", "Communication"
    HONESTY = "honesty", "Honesty and transparency"
    REALISTIC = "realistic", "Being realistic"


class WtfcStage(models.TextChoices):
    """Working Together for Change: an 8-stage method a project may follow."""

    PREPARE = "prepare", "1. Prepare"
    COLLECT = "collect", "2. Collect"
    THEME = "theme", "3. Theme"
    UNDERSTAND = "understand", "4. Understand"
    IDENTIFY_SUCCESS = "identify_success", "5. Identify success"
    PLAN = "plan", "6. Plan"
    IMPLEMENT = "implement", "7. Implement"
    REVIEW = "review", "8. Review"


ACTIVITY_TYPE_DESCRIPTIONS = {
    ActivityType.CO_DESIGN: "Designing a service, a plan or a piece of information together.",
    ActivityType.CO_DECISION: (
        "Making decisions together, for example about how money or other resources are shared out."
    ),
    ActivityType.CO_DELIVERY: "Running or delivering a service or activity together.",
    ActivityType.CO_EVALUATION: "Checking together how well something worked, and what to change.",
}

PRINCIPLE_DESCRIPTIONS = {
    Principle.EQUALITY: "Everyone has skills and knowledge to bring, and an equal voice.",
    Principle.DIVERSITY: "We involve people from all communities, not the same few faces.",
    Principle.ACCESSIBILITY: (
        "Everyone can take part: the place, the papers and the way we meet suit their needs."
    ),
    Principle.RECIPROCITY: "People get something back for their time, including fair pay.",
    Principle.RELATIONSHIPS: "We build trust over time and keep in touch between meetings.",
    Principle.INCLUSIVITY: "We go out to people who are seldom heard and make them welcome.",
    Principle.COMMUNICATION: "We use plain words and tell people what is happening and why.",
    Principle.HONESTY: "We are open about how much say people have, and what we cannot change.",
    Principle.REALISTIC: "We only promise what we can do, with the time and money we have.",
}

WTFC_DESCRIPTIONS = {
    WtfcStage.PREPARE: "Agree the purpose, who takes part and how.",
    WtfcStage.COLLECT: "Gather what is working and not working, from people's own stories.",
    WtfcStage.THEME: "Sort what people said into shared themes.",
    WtfcStage.UNDERSTAND: "Work out together why things happen the way they do.",
    WtfcStage.IDENTIFY_SUCCESS: "Agree what success would look like for the people involved.",
    WtfcStage.PLAN: "Plan the changes together.",
    WtfcStage.IMPLEMENT: "Make the changes.",
    WtfcStage.REVIEW: "Look back together at what changed, and start again.",
}


# ---------------------------------------------------------------------------------------------
# The evidence questions and the one rule that turns the answers into a step.
#
# Staff answer these questions when they record a project's step. `evidenced_step` walks
# `STEP_RULES` from the top; the first rule whose test matches gives the step the evidence
# supports. The "How we decide the step" page renders this same table, so the page and the
# code cannot drift apart. Change the rule here and nowhere else.
# ---------------------------------------------------------------------------------------------


class Communication(models.TextChoices):
    """How information flows between the council and the people taking part."""

    EXPLAIN = "explain", "One-way: we explain a service to help people understand it"
    TELL = "tell", "One-way: we tell people about decisions that have been made"
    TWO_WAY = "two_way", "Two-way: we ask people, listen and respond"


class DecisionMaker(models.TextChoices):
    """Who makes the final decisions."""

    COUNCIL = "council", "The council alone"
    COUNCIL_AFTER_HEARING = "council_after_hearing", "The council, after hearing people's views"
    SHARED = "shared", "The council and people who draw on care, equally"
    PEOPLE_LEAD = "people_lead", "People who draw on care and support lead"


class FirstInvolved(models.TextChoices):
    """When people who draw on care and support were first involved."""

    AFTER_DECISIONS = "after_decisions", "After the main decisions were made"
    OPTIONS_DRAFTED = "options_drafted", "When options or plans had been drafted"
    FROM_START = "from_start", "From the start, when the problem was defined"


class EvidenceQuestion:
    """One question staff answer. `choices` is None for a plain yes or no."""

    def __init__(self, name, text, hint="", choices=None):
        self.name = name
        self.text = text
        self.hint = hint
        self.choices = choices

    @property
    def is_yes_no(self) -> bool:
        return self.choices is None

    def answer_label(self, value) -> str:
        if self.is_yes_no:
            return "Yes" if value else "No"
        return self.choices(value).label


EVIDENCE_QUESTIONS = [
    EvidenceQuestion(
        "voluntary",
        "Is taking part voluntary and informed?",
        "People choose freely to take part, and know what it involves and how much say they have.",
    ),
    EvidenceQuestion("communication", "How does communication work?", choices=Communication),
    EvidenceQuestion("decides", "Who makes the final decisions?", choices=DecisionMaker),
    EvidenceQuestion("first_involved", "When were people first involved?", choices=FirstInvolved),
    EvidenceQuestion(
        "sets_agenda",
        "Do people help set the agenda?",
        "They decide what is talked about and which questions matter, not only answer ours.",
    ),
    EvidenceQuestion(
        "helps_deliver", "Do people help deliver the work?", "For example, running sessions."
    ),
    EvidenceQuestion(
        "helps_evaluate",
        "Do people help evaluate the work?",
        "They help decide what success looks like and check whether it happened.",
    ),
]


class EvidenceError(ValueError):
    """The answers are missing a question or hold a value the questions do not allow."""


def clean_evidence(answers) -> dict:
    """Check a mapping of answers and return a plain dict fit to store as JSON.

    Yes-or-no answers become booleans; the others must be one of their question's values.
    """
    cleaned = {}
    for question in EVIDENCE_QUESTIONS:
        if question.name not in answers:
            raise EvidenceError(f"Answer the question: {question.text}")
        value = answers[question.name]
        if question.is_yes_no:
            if not isinstance(value, bool):
                raise EvidenceError(f"Answer yes or no: {question.text}")
        elif value not in question.choices.values:
            raise EvidenceError(f"Choose one of the answers given: {question.text}")
        cleaned[question.name] = value
    return cleaned


def _shared(answers) -> bool:
    return answers["decides"] in (DecisionMaker.SHARED, DecisionMaker.PEOPLE_LEAD)


class StepRule:
    """One row of the table: if `test(answers)` holds, the evidence supports `step`."""

    def __init__(self, step, when, why, test):
        self.step = step
        self.when = when
        self.why = why
        self.test = test

    @property
    def step_label(self) -> str:
        return self.step.label


# Ordered: the first rule that matches wins. Rules run from the least power shared to the
# most, so a single answer that shows less power always pulls the step down.
STEP_RULES = [
    StepRule(
        Step.COERCION,
        "Taking part is not voluntary, or people are not told enough to choose freely.",
        "Without a free, informed choice, people are passive and decisions are imposed.",
        lambda a: not a["voluntary"],
    ),
    StepRule(
        Step.EDUCATING,
        "Communication is one-way, to explain a service.",
        "People are helped to understand a service, but nobody asks what they think.",
        lambda a: a["communication"] == Communication.EXPLAIN,
    ),
    StepRule(
        Step.INFORMING,
        "Communication is one-way, to tell people about decisions.",
        "People hear about decisions, but have no way to answer back.",
        lambda a: a["communication"] == Communication.TELL,
    ),
    StepRule(
        Step.INFORMING,
        "People were first involved after the main decisions were made.",
        "Even when people are asked, there is nothing left for their views to change.",
        lambda a: a["first_involved"] == FirstInvolved.AFTER_DECISIONS,
    ),
    StepRule(
        Step.CONSULTATION,
        "The council makes the final decisions alone.",
        "People are asked for their views, but the council decides without them.",
        lambda a: a["decides"] == DecisionMaker.COUNCIL,
    ),
    StepRule(
        Step.CONSULTATION,
        "The council decides after hearing people, but people do not help set the agenda.",
        "People answer the council's questions; they do not choose what is discussed.",
        lambda a: a["decides"] == DecisionMaker.COUNCIL_AFTER_HEARING and not a["sets_agenda"],
    ),
    StepRule(
        Step.ENGAGEMENT,
        "The council decides after hearing people, and people help set the agenda.",
        "People debate and influence the plans, but the council still makes the decision.",
        lambda a: a["decides"] == DecisionMaker.COUNCIL_AFTER_HEARING,
    ),
    StepRule(
        Step.CO_DESIGN,
        "Decisions are shared or led by people, but people joined when options were drafted.",
        "People shape the design with real power, but did not help define the problem.",
        lambda a: _shared(a) and a["first_involved"] != FirstInvolved.FROM_START,
    ),
    StepRule(
        Step.CO_DESIGN,
        "Decisions are shared from the start, but people do not help set the agenda.",
        "People share decisions, but the council still chooses what is on the table.",
        lambda a: _shared(a) and not a["sets_agenda"],
    ),
    StepRule(
        Step.CO_DESIGN,
        "Decisions are shared from the start, but people do not help both deliver and "
        "evaluate the work.",
        "People shape the design, but are not partners in seeing it through and checking it.",
        lambda a: _shared(a) and not (a["helps_deliver"] and a["helps_evaluate"]),
    ),
    StepRule(
        Step.CO_PRODUCTION,
        "Decisions are shared from the start, people help set the agenda, and they help "
        "deliver and evaluate the work.",
        "People are equal partners in deciding, designing, delivering and checking the work.",
        lambda a: True,
    ),
]


def matching_rule(answers) -> StepRule:
    """The first rule in `STEP_RULES` that the answers match."""
    cleaned = clean_evidence(answers)
    for rule in STEP_RULES:
        if rule.test(cleaned):
            return rule
    raise AssertionError("The last rule matches everything")  # pragma: no cover


def evidenced_step(answers) -> Step:
    """The step the evidence supports. See `STEP_RULES` and "How we decide the step"."""
    return matching_rule(answers).step
