"""Equality figures stand still for a quarter: nobody can watch a count go up by one as a
person answers, changes an answer or comes for the first time, and learn what they said."""

from datetime import date

import pytest
import time_machine

from insight import services
from insight.dashboard import reach
from insight.filters import Filters
from insight.models import EqualityMonitoring

from .conftest import NOW, YEAR, at
from .factories import OpportunityFactory, ProjectFactory, SignUpFactory, bulk_people

pytestmark = pytest.mark.django_db

ASIAN, BLACK, WHITE = (
    "Asian or Asian British",
    "Black, Black British, Caribbean or African",
    "White",
)
# NOW is 15 April 2026: the figures stand at 1 April 2026, and move on 1 July 2026.
NEXT_QUARTER = at(2026, 7, 2)


def _table(filters=YEAR, *, now=NOW, field="ethnic_group"):
    rows = reach.build(filters, now=now).table(f"equality_{field}").rows
    return {row[0].text: row[1].csv for row in rows}


@pytest.fixture
def session():
    """Twelve White and ten Asian people took part in June 2025 and answered then; ten more
    took part and did not answer."""
    june = OpportunityFactory(project=ProjectFactory(), starts_at=at(2025, 6, 1))
    groups = ["white"] * 12 + ["asian"] * 10 + [None] * 10
    for person, group in zip(bulk_people(len(groups)), groups, strict=True):
        SignUpFactory(opportunity=june, resident=person)
        if group:
            EqualityMonitoring.objects.create(
                person=person, ethnic_group=group, updated_at=at(2025, 6, 1)
            )
    return june


def test_an_answer_given_today_does_not_change_todays_figures(session):
    newcomer = SignUpFactory(opportunity=session).resident
    before = _table()

    services.save_equality_answers(newcomer, answers={"ethnic_group": "asian"}, now=NOW)

    assert _table() == before
    assert before[ASIAN] == "10"
    # From the next quarter it counts, with everything else that changed meanwhile.
    assert _table(now=NEXT_QUARTER)[ASIAN] == "11"


def test_a_changed_answer_is_counted_as_it_was_until_the_next_quarter(session):
    person = EqualityMonitoring.objects.filter(ethnic_group="white").first().person
    before = _table()

    services.save_equality_answers(person, answers={"ethnic_group": "black"}, now=NOW)
    services.save_equality_answers(person, answers={"ethnic_group": "asian"}, now=at(2026, 5, 1))

    assert _table(now=at(2026, 5, 2)) == before
    after = _table(now=NEXT_QUARTER)
    assert (after[WHITE], after[ASIAN], after[BLACK]) == ("11", "11", "0")
    # The person sees and exports only their latest answers.
    assert services.equality_answers_for(person).ethnic_group == "asian"


def test_someone_taking_part_for_the_first_time_this_quarter_is_not_counted_yet(session):
    newcomer = bulk_people(1, prefix="new-")[0]
    EqualityMonitoring.objects.create(
        person=newcomer, ethnic_group="asian", updated_at=at(2025, 1, 1)
    )
    before = _table()

    SignUpFactory(opportunity=OpportunityFactory(starts_at=at(2026, 4, 10)), resident=newcomer)

    assert _table() == before
    assert _table(now=NEXT_QUARTER)[ASIAN] == "11"


def test_two_date_ranges_that_differ_by_one_person_give_the_same_figures(session):
    """The one person who came on 20 June 2025 answered today: comparing the year with the
    year less their day, today or on any later day, shows nothing about them."""
    late = OpportunityFactory(project=ProjectFactory(), starts_at=at(2025, 6, 20))
    person = SignUpFactory(opportunity=late).resident
    with_them = YEAR
    without_them = Filters(start=date(2025, 4, 1), end=date(2025, 6, 19))

    services.save_equality_answers(person, answers={"ethnic_group": "black"}, now=NOW)

    for now in (NOW, at(2026, 6, 30, 23), NEXT_QUARTER):
        assert _table(with_them, now=now) == _table(without_them, now=now)
    assert _table(with_them, now=NOW)[BLACK] == "0"


def test_the_page_says_which_day_the_figures_stand_at_and_when_they_move_on(session):
    section = reach.build(YEAR, now=NOW)
    intro = section.subsections[0].intro
    assert "people who had taken part in any part of the hub before 1 April 2026" in intro
    assert "counted from 1 July 2026" in intro


def test_the_figures_stand_at_midnight_at_the_start_of_the_quarter_in_local_time(session):
    person = EqualityMonitoring.objects.filter(ethnic_group="white").first().person
    # 11:30pm on 31 March, UK summer time: still the quarter before.
    services.save_equality_answers(
        person, answers={"ethnic_group": "black"}, now=at(2026, 3, 31, 23, 30)
    )
    assert _table()[BLACK] == "suppressed"  # 1 Black person: counted, and hidden


def test_earlier_answers_are_forgotten_once_the_change_is_counted(session):
    person = EqualityMonitoring.objects.filter(ethnic_group="white").first().person
    services.save_equality_answers(person, answers={"ethnic_group": "black"}, now=NOW)
    kept = EqualityMonitoring.objects.get(person=person)
    assert (kept.counted_at, kept.counted_ethnic_group) == (date(2026, 4, 1), "white")

    assert services.forget_superseded_equality_answers(now=at(2026, 6, 30)) == 0
    assert services.forget_superseded_equality_answers(now=NEXT_QUARTER) == 1

    forgotten = EqualityMonitoring.objects.get(person=person)
    assert (forgotten.counted_at, forgotten.counted_ethnic_group) == (None, "")
    assert _table(now=NEXT_QUARTER)[WHITE] == "11"


def test_answering_on_the_page_today_leaves_the_dashboard_as_it_was(
    client, staff, session, settings
):
    settings.INSIGHT_CACHE_SECONDS = 0
    newcomer = SignUpFactory(opportunity=session).resident
    with time_machine.travel(NOW, tick=False):
        client.force_login(staff)
        before = client.get(f"/insight/?{_YEAR}&format=csv&table=equality_ethnic_group")
        client.force_login(newcomer)
        client.post("/my/equality/", {"ethnic_group": "asian"})
        client.force_login(staff)
        after = client.get(f"/insight/?{_YEAR}&format=csv&table=equality_ethnic_group")
    assert "Asian or Asian British,10" in before.content.decode()
    assert after.content == before.content


_YEAR = "start=2025-04-01&end=2026-03-31"
