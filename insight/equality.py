"""The optional equality monitoring questions, and their answers.

The wording follows the categories used in the 2021 Census for England and Wales so the
hub's figures can be compared with the local population. Every question is optional and
every question can be answered "Prefer not to say". An empty value means "not answered".
"""

from dataclasses import dataclass

from django.db import models

from .statements import PREFER_NOT_TO_SAY

PREFER_NOT = (PREFER_NOT_TO_SAY, "Prefer not to say")
NOT_ANSWERED_LABEL = "Not answered"


class AgeBand(models.TextChoices):
    UNDER_18 = "under_18", "Under 18"
    FROM_18 = "18_24", "18 to 24"
    FROM_25 = "25_34", "25 to 34"
    FROM_35 = "35_44", "35 to 44"
    FROM_45 = "45_54", "45 to 54"
    FROM_55 = "55_64", "55 to 64"
    FROM_65 = "65_74", "65 to 74"
    FROM_75 = "75_84", "75 to 84"
    FROM_85 = "85_over", "85 or over"
    PREFER_NOT = PREFER_NOT


class YesNo(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    PREFER_NOT = PREFER_NOT


class EthnicGroup(models.TextChoices):
    ASIAN = "asian", "Asian or Asian British"
    BLACK = "black", "Black, Black British, Caribbean or African"
    MIXED = "mixed", "Mixed or multiple ethnic groups"
    WHITE = "white", "White"
    OTHER = "other", "Another ethnic group"
    PREFER_NOT = PREFER_NOT


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    PREFER_NOT = PREFER_NOT


class SexualOrientation(models.TextChoices):
    STRAIGHT = "straight", "Straight or heterosexual"
    GAY_LESBIAN = "gay_lesbian", "Gay or lesbian"
    BISEXUAL = "bisexual", "Bisexual"
    OTHER = "other", "Another sexual orientation"
    PREFER_NOT = PREFER_NOT


class Religion(models.TextChoices):
    NONE = "none", "No religion"
    BUDDHIST = "buddhist", "Buddhist"
    CHRISTIAN = "christian", "Christian"
    HINDU = "hindu", "Hindu"
    JEWISH = "jewish", "Jewish"
    MUSLIM = "muslim", "Muslim"
    SIKH = "sikh", "Sikh"
    OTHER = "other", "Another religion or belief"
    PREFER_NOT = PREFER_NOT


@dataclass(frozen=True)
class Question:
    field: str
    text: str
    short: str
    choices: type[models.TextChoices]
    hint: str = ""


QUESTIONS = [
    Question("age_band", "What is your age?", "Age", AgeBand),
    Question(
        "disability",
        "Do you have a disability or a long-term health condition?",
        "Disability or long-term condition",
        YesNo,
        "A physical or mental condition that has a substantial, long-term effect on your "
        "day-to-day life.",
    ),
    Question("ethnic_group", "What is your ethnic group?", "Ethnic group", EthnicGroup),
    Question("sex", "What is your sex?", "Sex", Sex),
    Question(
        "gender_same_as_birth",
        "Is the gender you identify with the same as your sex registered at birth?",
        "Gender the same as sex registered at birth",
        YesNo,
    ),
    Question(
        "sexual_orientation",
        "Which of these best describes your sexual orientation?",
        "Sexual orientation",
        SexualOrientation,
    ),
    Question("religion", "What is your religion or belief?", "Religion or belief", Religion),
    Question(
        "carer",
        "Do you look after, or give help or support to, someone because of their health, "
        "disability or age? Do not count paid work.",
        "Unpaid carer",
        YesNo,
    ),
]
