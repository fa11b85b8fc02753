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
    Level.STRATEGIC: "Planning, policy, commissioning and checking quality across the council.",
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

STEP_DESCRIPTIONS = {
    Step.COERCION: "People are passive. Decisions are made for them and imposed on them.",
    Step.EDUCATING: "Information goes one way, to help people understand a service.",
    Step.INFORMING: "People are told about services and about decisions already made.",
    Step.CONSULTATION: "People are asked for their views, but the council decides.",
    Step.ENGAGEMENT: "People debate and influence plans, but the council still decides.",
    Step.CO_DESIGN: "People shape the design with real influence, but do not see it through.",
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
