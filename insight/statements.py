"""The measures of success the hub reports on.

"I" statements say how people feel when co-production works; participants rate them after
taking part. "We" statements say what the organisation does; project teams rate them for
their project each quarter. Both use the same five-point agreement scale, so the team's view
can be set beside what participants said and the gap read off directly.
"""

from dataclasses import dataclass

from django.db import models


class Agreement(models.IntegerChoices):
    """Stored as 1 to 5 so averages mean something; "prefer not to say" is stored as null."""

    STRONGLY_AGREE = 5, "Strongly agree"
    AGREE = 4, "Agree"
    NEITHER = 3, "Neither agree nor disagree"
    DISAGREE = 2, "Disagree"
    STRONGLY_DISAGREE = 1, "Strongly disagree"


# Answers of 4 or 5 count as agreeing in the "share who agree" figures.
AGREES_FROM = Agreement.AGREE

PREFER_NOT_TO_SAY = "prefer_not"
# The survey comes the day after a session, often before the fee is paid or anything has
# changed. "Not yet" lets people say so, rather than disagree and pull the figure down for
# something that is only early. Stored as no rating and a `<key>_not_yet` flag.
NOT_YET = "not_yet"


@dataclass(frozen=True)
class Statement:
    key: str  # the model field that holds the rating
    text: str
    short: str  # for chart labels and table headers, where space is tight
    not_yet: str = ""  # the "not yet" answer, for statements about what comes later

    @property
    def not_yet_field(self) -> str:
        return f"{self.key}_not_yet"


I_STATEMENTS = [
    Statement("valued", "I felt valued for my contribution", "Felt valued"),
    Statement("strengths", "I was seen as a person with strengths", "Seen for my strengths"),
    Statement("respect", "I was treated with respect and dignity", "Respect and dignity"),
    Statement("shaped", "I was able to help shape what happens", "Helped shape things"),
    Statement(
        "paid_fairly",
        "I was paid, and got my expenses back, fairly and on time",
        "Paid fairly, on time",
        not_yet="I have not been paid yet",
    ),
    Statement(
        "heard_back",
        "I heard back about what changed",
        "Heard what changed",
        not_yet="I have not heard back yet",
    ),
]

WE_STATEMENTS = [
    Statement("equal_partners", "We work with people as equal partners", "Equal partners"),
    Statement("partnership", "We work in partnership", "In partnership"),
    Statement("feel_valued", "We involve people so they feel valued", "People feel valued"),
    Statement("what_matters", "We focus on what matters to people", "What matters to people"),
]

I_KEYS = [s.key for s in I_STATEMENTS]
ASKED_NOT_YET = [s for s in I_STATEMENTS if s.not_yet]
WE_KEYS = [s.key for s in WE_STATEMENTS]

# Which participants' "I" answers test each "We" claim. A team that says it works with people
# as equal partners should find participants saying they helped shape things and were seen
# for their strengths; and so on. The gap shown is the team's rating minus the average of
# these answers.
WE_TESTED_BY = {
    "equal_partners": ["shaped", "strengths"],
    "partnership": ["shaped", "respect"],
    "feel_valued": ["valued", "paid_fairly"],
    "what_matters": ["heard_back", "shaped"],
}
