"""Small-number suppression: no equality group under 10 people can be seen or worked out,
whether from one view, from a table's total, or by subtracting one filtered view from
another."""

from dataclasses import replace

import pytest

from insight.dashboard import reach
from insight.models import EqualityMonitoring
from insight.stats import suppress
from insight.tables import SUPPRESSED_CSV

from .conftest import NOW, YEAR, at
from .factories import (
    OpportunityFactory,
    ProjectFactory,
    ServiceAreaFactory,
    SignUpFactory,
    bulk_people,
)

pytestmark = pytest.mark.django_db


# --- the rule on its own -----------------------------------------------------------------


def test_groups_of_ten_or_more_are_shown():
    assert suppress([10, 25, 0]) == [False, False, False]


def test_a_small_group_is_hidden_with_the_next_smallest_so_the_total_cannot_reveal_it():
    # Hiding only the 3 would let anyone work it out as 41 - 12 - 26.
    assert suppress([3, 12, 26]) == [True, True, False]


def test_two_small_groups_that_add_up_to_under_ten_take_a_third_with_them():
    assert suppress([3, 4, 30, 12]) == [True, True, False, True]


def test_a_group_that_subtracting_a_wider_view_would_reveal_is_hidden():
    # 40 here, 43 in the wider view: the 3 people in between must not be seen.
    hidden = suppress([40, 50], complements=[[3, 20]])
    assert hidden == [True, True]


def test_the_hidden_cells_of_a_complement_must_add_up_to_ten_or_more():
    # Hiding the first two cells covers 3 + 1 = 4 people of the difference: not enough.
    hidden = suppress([40, 50, 60], complements=[[3, 1, 30]])
    assert hidden == [True, True, True]


def test_when_everyone_is_in_a_few_small_groups_everything_is_hidden():
    assert suppress([4, 3, 0]) == [True, True, True]


def test_zero_is_not_a_small_group():
    assert suppress([0, 15]) == [False, False]


# --- on the dashboard --------------------------------------------------------------------


@pytest.fixture
def views():
    """Carers: 12 White and 11 Asian people. Mental health: 15 White and 3 Asian people,
    none of whom took part in carers' work. So "all areas" has 14 Asian people and the carers
    view 11: both 10 or more, but their difference is 3."""
    carers = ServiceAreaFactory(name="Carers", slug="carers")
    mental = ServiceAreaFactory(name="Mental health", slug="mental-health")
    in_carers = OpportunityFactory(
        project=ProjectFactory(service_area=carers), starts_at=at(2025, 6, 1)
    )
    in_mental = OpportunityFactory(
        project=ProjectFactory(service_area=mental), starts_at=at(2025, 6, 2)
    )
    people = bulk_people(41)
    groups = [(in_carers, "white")] * 12 + [(in_carers, "asian")] * 11
    groups += [(in_mental, "white")] * 15 + [(in_mental, "asian")] * 3
    for person, (session, ethnic_group) in zip(people, groups, strict=True):
        SignUpFactory(opportunity=session, resident=person)
        # Answered when they first came: long before the quarter the figures stand at.
        EqualityMonitoring.objects.create(
            person=person, ethnic_group=ethnic_group, sex="female", updated_at=at(2025, 6, 1)
        )
    return {"all": YEAR, "carers": replace(YEAR, area=carers), "mental": replace(YEAR, area=mental)}


def _table(filters, field="ethnic_group"):
    section = reach.build(filters, now=NOW)
    rows = section.table(f"equality_{field}").rows
    return {row[0].text: row[1].csv for row in rows}


def test_a_group_under_ten_is_never_shown(views):
    mental = _table(views["mental"])
    assert mental["Asian or Asian British"] == SUPPRESSED_CSV
    # ...and it cannot be worked out from the total either.
    assert mental["White"] == SUPPRESSED_CSV


def test_a_big_enough_group_is_shown(views):
    everyone = _table(views["all"])
    assert everyone["White"] == "27"
    assert everyone["Asian or Asian British"] == "14"
    assert everyone["Black, Black British, Caribbean or African"] == "0"


def test_subtracting_a_narrower_view_from_a_wider_one_cannot_reveal_a_small_group(views):
    everyone, carers = _table(views["all"]), _table(views["carers"])
    assert everyone["Asian or Asian British"] == "14"
    # Showing 11 here would give away the 3 Asian people in mental health work (14 - 11).
    assert carers["Asian or Asian British"] == SUPPRESSED_CSV


@pytest.mark.parametrize("field", ["ethnic_group", "sex", "age_band"])
@pytest.mark.parametrize("narrow", ["carers", "mental"])
def test_no_narrower_view_differs_from_the_wider_one_by_a_visible_group_under_ten(
    views, field, narrow
):
    wide, small = _table(views["all"], field), _table(views[narrow], field)
    for group, narrow_value in small.items():
        if SUPPRESSED_CSV in (narrow_value, wide[group]):
            continue
        difference = int(wide[group]) - int(narrow_value)
        assert difference == 0 or difference >= 10, (narrow, group)


def test_a_level_filter_is_checked_against_the_wider_views_too(views):
    # Everyone here is at service level, so the level view equals the area view: nothing
    # new can be learned from it, and the small group stays hidden.
    carers_service = replace(views["carers"], level="service")
    assert _table(carers_service)["Asian or Asian British"] == SUPPRESSED_CSV
    assert _table(replace(views["all"], level="service"))["Asian or Asian British"] == "14"


def test_equality_figures_do_not_change_with_the_dates(views):
    narrow_dates = replace(views["all"], start=at(2025, 6, 2).date(), end=at(2025, 6, 2).date())
    assert _table(narrow_dates) == _table(views["all"])


def test_the_csv_says_suppressed_and_the_page_says_fewer_than_ten(client, staff, views):
    client.force_login(staff)
    page = client.get("/insight/?area=mental-health").content.decode()
    assert "Fewer than 10" in page
    csv = client.get("/insight/?area=mental-health&format=csv&table=equality_ethnic_group")
    text = csv.content.decode()
    assert "Asian or Asian British,suppressed" in text
    assert "Asian or Asian British,3" not in text


def test_staff_pages_never_show_one_persons_answers(client, staff, views):
    client.force_login(staff)
    page = client.get("/insight/").content.decode()
    person = EqualityMonitoring.objects.select_related("person").first().person
    assert person.email not in page
    assert person.display_name not in page
