from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from participation.models import Opportunity, Venue
from projects.ladder import Step

from .factories import (
    OpportunityFactory,
    ProjectFactory,
    ServiceAreaFactory,
    SignUpFactory,
    VenueFactory,
)

pytestmark = pytest.mark.django_db

URL = reverse("participation:directory")


def titles(response):
    return [o.title for o in response.context["page_obj"].object_list]


def test_the_directory_is_public_and_lists_upcoming_opportunities_by_date(client):
    later = OpportunityFactory(title="Later", starts_at=timezone.now() + timedelta(days=20))
    sooner = OpportunityFactory(title="Sooner", starts_at=timezone.now() + timedelta(days=2))

    response = client.get(URL)

    assert response.status_code == 200
    assert titles(response) == [sooner.title, later.title]
    assert "2 opportunities" in response.text


def test_past_cancelled_and_draft_opportunities_are_not_listed(client):
    OpportunityFactory(title="Upcoming")
    OpportunityFactory(title="Draft", status=Opportunity.Status.DRAFT)
    OpportunityFactory(title="Cancelled", status=Opportunity.Status.CANCELLED)
    OpportunityFactory(
        title="Past",
        starts_at=timezone.now() - timedelta(days=3),
        ends_at=timezone.now() - timedelta(days=3) + timedelta(hours=2),
    )

    assert titles(client.get(URL)) == ["Upcoming"]


def test_search_finds_words_in_the_title_and_description(client):
    OpportunityFactory(title="Carers' focus group", description="Respite for unpaid carers.")
    OpportunityFactory(title="Day services review", description="Tell us about day centres.")
    OpportunityFactory(title="Reading group", description="A group for carers who read.")

    found = titles(client.get(URL, {"q": "carers"}))

    assert sorted(found) == ["Carers' focus group", "Reading group"]


@pytest.mark.postgres
def test_search_ranks_a_title_match_above_a_description_match(client):
    OpportunityFactory(
        title="Reading group",
        description="A group for carers who read.",
        starts_at=timezone.now() + timedelta(days=1),
    )
    OpportunityFactory(
        title="Carers' focus group",
        description="Respite.",
        starts_at=timezone.now() + timedelta(days=5),
    )

    by_date = titles(client.get(URL, {"q": "carer"}))
    by_rank = titles(client.get(URL, {"q": "carer", "sort": "relevance"}))

    # Stemming: "carer" finds "carers".
    assert by_date == ["Reading group", "Carers' focus group"]
    assert by_rank == ["Carers' focus group", "Reading group"]


def test_filters_combine_and_stay_in_the_pagination_links(client):
    for n in range(25):
        OpportunityFactory(title=f"Online paid {n:02}", fee_basis=Opportunity.FeeBasis.PER_HOUR)
    OpportunityFactory(title="Online unpaid")
    OpportunityFactory(title="In person paid", in_person=True, fee_basis="per_hour")

    response = client.get(URL, {"format": "online", "paid": "paid"})

    assert response.context["result_count"] == 25
    assert "format=online" in response.text and "page=2" in response.text
    # Each page of results opens at the results, not at the filters above them on a phone.
    assert 'href="?format=online&amp;page=2&amp;paid=paid#results-heading"' in response.text
    # So does the form ("Show results"); a mistake in the filters comes first all the same
    # (tests/browser/test_directory_errors.py).
    assert 'action="/opportunities/#results-heading"' in response.text


def test_topic_area_access_level_and_step_filters(client):
    carers = ServiceAreaFactory(name="Carers", slug="carers")
    project = ProjectFactory(
        service_area=carers, claimed_step=Step.CO_PRODUCTION, evidenced_step=Step.CONSULTATION
    )
    from_project = OpportunityFactory(title="From project", project=project)
    quiet = VenueFactory(area="Southgate", quiet_room=True, hearing_loop=True)
    OpportunityFactory(title="Quiet venue", format="in_person", venue=quiet, step=Step.ENGAGEMENT)
    OpportunityFactory(title="Other", step=Step.INFORMING)

    assert titles(client.get(URL, {"topic": "carers"})) == [from_project.title]
    assert titles(client.get(URL, {"area": "Southgate"})) == ["Quiet venue"]
    assert titles(client.get(URL, {"access": ["quiet_room", "hearing_loop"]})) == ["Quiet venue"]
    # The project's honest (evidenced) step counts, not the inflated claim.
    assert titles(client.get(URL, {"step": "4"})) == ["From project"]
    assert titles(client.get(URL, {"step": "7"})) == []
    assert sorted(titles(client.get(URL, {"level": "service"}))) == sorted(
        ["From project", "Quiet venue", "Other"]
    )


def test_the_kind_filter_lists_only_the_kinds_chosen(client):
    OpportunityFactory(title="Workshop", kind=Opportunity.Kind.WORKSHOP)
    OpportunityFactory(title="Survey", kind=Opportunity.Kind.SURVEY)
    OpportunityFactory(title="Drop-in", kind=Opportunity.Kind.DROP_IN)

    assert titles(client.get(URL, {"kind": "survey"})) == ["Survey"]
    assert sorted(titles(client.get(URL, {"kind": ["workshop", "drop_in"]}))) == [
        "Drop-in",
        "Workshop",
    ]
    assert titles(client.get(URL, {"kind": "interview"})) == []


def test_paid_means_a_fee_and_no_fee_includes_sessions_that_pay_only_expenses(client):
    fee = Opportunity.FeeBasis
    OpportunityFactory(title="Fee and expenses", fee_basis=fee.PER_HOUR, pays_expenses=True)
    OpportunityFactory(title="Fee only", fee_basis=fee.HALF_DAY, pays_expenses=False)
    OpportunityFactory(title="Expenses only", fee_basis=fee.NONE, pays_expenses=True)
    OpportunityFactory(title="Nothing paid", fee_basis=fee.NONE, pays_expenses=False)

    paid = client.get(URL, {"paid": "paid"})
    no_fee = client.get(URL, {"paid": "unpaid"})

    assert sorted(titles(paid)) == ["Fee and expenses", "Fee only"]
    assert sorted(titles(no_fee)) == ["Expenses only", "Nothing paid"]
    # So the choice says "no fee", and that expenses may still be paid, not "not paid".
    assert "No fee (we may still pay expenses, such as travel)" in no_fee.text
    assert "Not paid" not in no_fee.text


# The seven facts people can ask a venue for, named here so that a new one needs a test too.
ACCESS_FACTS = [
    "step_free",
    "ground_floor_or_lift",
    "accessible_toilet",
    "hearing_loop",
    "quiet_room",
    "parking",
    "near_public_transport",
]


def test_the_access_filters_are_the_seven_facts_venues_record():
    assert [name for name, _ in Venue.ACCESS_FACTS] == ACCESS_FACTS


@pytest.mark.parametrize("fact", ACCESS_FACTS)
def test_each_access_filter_lists_only_sessions_at_venues_that_have_it(client, fact):
    OpportunityFactory(
        title="Has it",
        format=Opportunity.Format.IN_PERSON,
        venue=VenueFactory(**{name: name == fact for name in ACCESS_FACTS}),
    )
    OpportunityFactory(
        title="Has everything else",
        format=Opportunity.Format.IN_PERSON,
        venue=VenueFactory(**{name: name != fact for name in ACCESS_FACTS}),
    )
    OpportunityFactory(title="Online", format=Opportunity.Format.ONLINE)

    assert titles(client.get(URL, {"access": fact})) == ["Has it"]


def test_the_lowest_steps_can_be_found_too(client):
    # Both are listed in the directory, so the step filter must be able to find them.
    project = ProjectFactory(claimed_step=Step.CONSULTATION, evidenced_step=Step.COERCION)
    OpportunityFactory(title="No real say", project=project)
    OpportunityFactory(title="Helped to understand", step=Step.EDUCATING)
    OpportunityFactory(title="Shaping plans", step=Step.ENGAGEMENT)

    assert titles(client.get(URL, {"step": "1"})) == ["No real say"]
    assert titles(client.get(URL, {"step": "2"})) == ["Helped to understand"]
    assert sorted(titles(client.get(URL, {"step": ["1", "2"]}))) == [
        "Helped to understand",
        "No real say",
    ]
    assert len(titles(client.get(URL))) == 3


def test_a_projects_see_all_link_lists_only_its_opportunities_and_keeps_to_it(client):
    project = ProjectFactory(title="Carers' breaks review")
    for n in range(3):
        OpportunityFactory(title=f"Breaks panel {n}", project=project, format="online")
    OpportunityFactory(title="Breaks panel, in person", project=project, in_person=True)
    OpportunityFactory(title="Another project's panel", format="online")
    hidden = ProjectFactory(is_published=False)
    OpportunityFactory(title="Draft project's panel", project=hidden)

    response = client.get(URL, {"project": project.slug})
    narrowed = client.get(URL, {"project": project.slug, "format": "in_person"})
    draft = client.get(URL, {"project": hidden.slug})

    assert sorted(titles(response)) == [
        "Breaks panel 0",
        "Breaks panel 1",
        "Breaks panel 2",
        "Breaks panel, in person",
    ]
    assert "Showing opportunities for the project" in response.text
    assert project.get_absolute_url() in response.text
    # The search form carries the project along, so more filters narrow within it.
    assert f'name="project" value="{project.slug}"' in response.text
    assert titles(narrowed) == ["Breaks panel, in person"]
    # A project that is not published is not a way to find its opportunities.
    assert "We could not find that project" in draft.text
    assert "Draft project's panel" not in titles(draft)


def test_a_date_range_limits_results(client):
    now = timezone.now()
    OpportunityFactory(title="Next week", starts_at=now + timedelta(days=7))
    OpportunityFactory(title="Next month", starts_at=now + timedelta(days=35))
    start = (now + timedelta(days=6)).strftime("%d/%m/%Y")
    end = (now + timedelta(days=8)).strftime("%d/%m/%Y")

    assert titles(client.get(URL, {"from_date": start, "to_date": end})) == ["Next week"]


@pytest.mark.parametrize(
    "params",
    [
        {"kind": "nonsense"},
        {"format": "teleport"},
        {"from_date": "31/02/2026"},
        {"to_date": "yesterday"},
        {"step": "99"},
        {"step": "x"},
        {"paid": "maybe"},
        {"topic": "no-such-topic"},
        {"area": "Atlantis"},
        {"sort": "random"},
        {"access": "lift'; DROP TABLE"},
        {"q": "x" * 500},
        {"project": "no-such-project"},
    ],
)
def test_nonsense_filters_give_a_clear_message_not_an_error(client, params):
    OpportunityFactory(title="Still shown")

    response = client.get(URL, params)

    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert titles(response) == ["Still shown"]


def test_the_to_date_must_not_be_before_the_from_date(client):
    response = client.get(URL, {"from_date": "10/3/2026", "to_date": "1/3/2026"})

    assert "must be the same as or after" in response.text


def test_a_page_past_the_end_shows_the_last_page(client):
    for n in range(25):
        OpportunityFactory(title=f"Opportunity {n:02}")

    response = client.get(URL, {"page": "9999"})

    assert response.status_code == 200
    assert response.context["page_obj"].number == 2
    assert client.get(URL, {"page": "abc"}).status_code == 200


def test_no_results_says_so_and_suggests_what_to_do(client):
    OpportunityFactory(title="Something")

    response = client.get(URL, {"q": "zebra", "format": "online"})

    assert "No opportunities match “zebra” and your filters" in response.text
    assert "check the spelling, try fewer words" in response.text
    assert "remove some filters" in response.text
    assert "Add these to your calendar" not in response.text


def test_no_results_suggests_only_what_applies(client):
    OpportunityFactory(title="Something", format=Opportunity.Format.IN_PERSON)

    text = client.get(URL, {"format": "phone"}).text

    assert "No opportunities match your filters" in text
    assert "remove some filters" in text
    assert "check the spelling" not in text


def test_places_left_and_full_are_shown(client):
    full = OpportunityFactory(title="Full one", capacity=1)
    SignUpFactory(opportunity=full)
    OpportunityFactory(title="Roomy", capacity=5)

    response = client.get(URL)

    assert "Full: waiting list open" in response.text
    assert "5 places left" in response.text


def _directory_queries(client, django_assert_max_num_queries, count):
    venue = VenueFactory()
    project = ProjectFactory()
    staff = project.owner
    for n in range(count):
        opportunity = OpportunityFactory(
            created_by=staff,
            title=f"Item {n}",
            project=project if n % 2 else None,
            venue=venue if n % 3 else None,
            format="in_person" if n % 3 else "online",
        )
        if n % 4 == 0:
            SignUpFactory(opportunity=opportunity, resident=staff)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL, {"format": ["online", "in_person"]})
    assert response.status_code == 200
    return len(captured)


def test_the_directory_uses_the_same_number_of_queries_for_10_and_200(
    client, django_assert_max_num_queries
):
    few = _directory_queries(client, django_assert_max_num_queries, 10)
    Opportunity.objects.all().delete()
    many = _directory_queries(client, django_assert_max_num_queries, 200)

    assert few == many
    assert many <= 6


@pytest.mark.parametrize("query", ["&|!():* <->", '"unclosed', "-", "'; DROP TABLE x; --", "ü"])
def test_search_copes_with_any_text(client, query):
    OpportunityFactory(title="Carers' panel")

    response = client.get(URL, {"q": query})

    assert response.status_code == 200


def test_past_opportunities_can_be_included_on_request(client):
    OpportunityFactory(title="Upcoming")
    OpportunityFactory(
        title="Past",
        starts_at=timezone.now() - timedelta(days=3),
        ends_at=timezone.now() - timedelta(days=3) + timedelta(hours=2),
    )
    OpportunityFactory(title="Cancelled", status=Opportunity.Status.CANCELLED)

    assert titles(client.get(URL, {"include_past": "on"})) == ["Past", "Upcoming"]


def test_a_search_alone_is_not_called_a_filter(client):
    text = client.get(URL, {"q": "zebra", "sort": "date"}).text

    assert "No opportunities match “zebra”" in text
    assert "and your filters" not in text
    assert "remove some filters" not in text
    assert "Clear search and filters" in text


def test_an_opportunitys_page_says_what_the_fee_is_from_the_payment_policy(client):
    from tests.payments.factories import make_policy

    start = timezone.now() + timedelta(days=9)
    paid = OpportunityFactory(
        fee_basis=Opportunity.FeeBasis.PER_HOUR,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
    )
    url = reverse("participation:detail", args=[paid.pk])
    # Before the council has set its rates, it says how the fee is worked out.
    assert "A fee for your time (per hour)" in client.get(url).text

    make_policy()

    assert "A fee for your time: £40 (2 hours at £20 an hour)" in client.get(url).text


def test_each_opportunity_says_what_it_is_and_what_say_people_have_in_plain_words(client):
    autism = ServiceAreaFactory(name="Autism")
    OpportunityFactory(title="Open session", kind="other", topic=autism, step=Step.CONSULTATION)
    co_design = ProjectFactory(claimed_step=Step.CO_DESIGN, evidenced_step=Step.CO_DESIGN)
    OpportunityFactory(title="Tea and talk", kind="drop_in", topic=autism, project=co_design)

    page = client.get(URL).text

    assert "About autism" in page and "Other about autism" not in page
    assert "Informal drop-in about autism" in page
    assert "Consultation: you give your views and the council decides" in page
    assert "Co-design: you help design it, with real influence" in page
