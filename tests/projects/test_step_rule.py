"""The one rule that turns evidence answers into a step (projects/ladder.py)."""

import itertools

import pytest

from projects.ladder import (
    EVIDENCE_QUESTIONS,
    STEP_RULES,
    Communication,
    DecisionMaker,
    EvidenceError,
    FirstInvolved,
    Step,
    evidenced_step,
    matching_rule,
)

from .factories import evidence

C, D, F = Communication, DecisionMaker, FirstInvolved

# (name, answers, expected step). Neighbouring rows differ by one answer where they cross a
# boundary between steps, so every boundary is pinned from both sides.
CASES = [
    # Coercion: not voluntary beats everything else.
    ("not voluntary, otherwise co-production", evidence(voluntary=False), Step.COERCION),
    (
        "not voluntary, one-way",
        evidence(voluntary=False, communication=C.EXPLAIN),
        Step.COERCION,
    ),
    # Educating / Informing: one-way communication.
    ("one-way to explain a service", evidence(communication=C.EXPLAIN), Step.EDUCATING),
    ("one-way to tell of decisions", evidence(communication=C.TELL), Step.INFORMING),
    (
        "two-way but involved after decisions",
        evidence(first_involved=F.AFTER_DECISIONS),
        Step.INFORMING,
    ),
    # Consultation.
    (
        "two-way from options, council decides alone",
        evidence(decides=D.COUNCIL, first_involved=F.OPTIONS_DRAFTED),
        Step.CONSULTATION,
    ),
    (
        "council alone, even with every other sign of power",
        evidence(decides=D.COUNCIL),
        Step.CONSULTATION,
    ),
    (
        "council after hearing, people do not set the agenda",
        evidence(decides=D.COUNCIL_AFTER_HEARING, sets_agenda=False),
        Step.CONSULTATION,
    ),
    # Engagement.
    (
        "council after hearing, people set the agenda",
        evidence(decides=D.COUNCIL_AFTER_HEARING),
        Step.ENGAGEMENT,
    ),
    (
        "council after hearing, from options drafted, with agenda",
        evidence(decides=D.COUNCIL_AFTER_HEARING, first_involved=F.OPTIONS_DRAFTED),
        Step.ENGAGEMENT,
    ),
    # Co-design.
    (
        "shared decisions but joined when options were drafted",
        evidence(first_involved=F.OPTIONS_DRAFTED),
        Step.CO_DESIGN,
    ),
    (
        "people lead but joined when options were drafted",
        evidence(decides=D.PEOPLE_LEAD, first_involved=F.OPTIONS_DRAFTED),
        Step.CO_DESIGN,
    ),
    ("shared from the start, no agenda", evidence(sets_agenda=False), Step.CO_DESIGN),
    (
        "shared from the start with agenda, neither delivers nor evaluates",
        evidence(helps_deliver=False, helps_evaluate=False),
        Step.CO_DESIGN,
    ),
    # Equal partners in delivery and evaluation both, or it is not yet co-production.
    ("shared from the start, delivers only", evidence(helps_evaluate=False), Step.CO_DESIGN),
    ("shared from the start, evaluates only", evidence(helps_deliver=False), Step.CO_DESIGN),
    # Co-production: shared from the start, agenda, delivery and evaluation.
    ("people lead from the start", evidence(decides=D.PEOPLE_LEAD), Step.CO_PRODUCTION),
    ("everything", evidence(), Step.CO_PRODUCTION),
]


@pytest.mark.parametrize(("answers", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_the_evidence_gives_the_step(answers, expected):
    assert evidenced_step(answers) == expected


def test_the_cases_reach_every_step_and_every_rule():
    assert {expected for _, _, expected in CASES} == set(Step)
    used = {id(matching_rule(answers)) for _, answers, _ in CASES}
    assert used == {id(rule) for rule in STEP_RULES}


ORDERED_ANSWERS = {
    "voluntary": [False, True],
    "communication": [C.EXPLAIN, C.TELL, C.TWO_WAY],
    "decides": [D.COUNCIL, D.COUNCIL_AFTER_HEARING, D.SHARED, D.PEOPLE_LEAD],
    "first_involved": [F.AFTER_DECISIONS, F.OPTIONS_DRAFTED, F.FROM_START],
    "sets_agenda": [False, True],
    "helps_deliver": [False, True],
    "helps_evaluate": [False, True],
}


def _every_combination():
    names = list(ORDERED_ANSWERS)
    for values in itertools.product(*ORDERED_ANSWERS.values()):
        yield dict(zip(names, values, strict=True))


def test_sharing_more_power_in_any_one_answer_never_lowers_the_step():
    # Exhaustive over all 576 combinations: each answer is ordered from less power to more.
    for answers in _every_combination():
        step = evidenced_step(answers)
        for name, ordered in ORDERED_ANSWERS.items():
            position = ordered.index(answers[name])
            for better in ordered[position + 1 :]:
                improved = evidenced_step({**answers, name: better})
                assert improved >= step, (answers, name, better)


def test_co_production_needs_shared_decisions_from_the_start_and_delivery_or_evaluation():
    for answers in _every_combination():
        if evidenced_step(answers) == Step.CO_PRODUCTION:
            assert answers["voluntary"]
            assert answers["communication"] == C.TWO_WAY
            assert answers["decides"] in (D.SHARED, D.PEOPLE_LEAD)
            assert answers["first_involved"] == F.FROM_START
            assert answers["helps_deliver"] or answers["helps_evaluate"]


def test_every_question_has_an_answer_in_the_cases():
    assert set(evidence()) == {question.name for question in EVIDENCE_QUESTIONS}


@pytest.mark.parametrize(
    "answers",
    [
        {},
        {k: v for k, v in evidence().items() if k != "decides"},
        evidence(decides="the mayor"),
        evidence(voluntary="yes"),
        evidence(communication=None),
    ],
    ids=["nothing", "missing answer", "unknown choice", "yes as text", "none"],
)
def test_incomplete_or_unknown_answers_are_refused(answers):
    with pytest.raises(EvidenceError):
        evidenced_step(answers)
