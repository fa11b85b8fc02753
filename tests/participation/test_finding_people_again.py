"""Staff find people again by name or phone number, not only by email address: someone
added without one (a hidden placeholder address) can be booked onto a second session
without a second account, and only people staff already work with are ever listed."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coprod_hub.users.models import User
from coprod_hub.users.roles import Role
from participation import services
from participation.models import Profile, SignUp
from tests.factories import UserFactory

from .factories import OpportunityFactory, SignUpFactory

pytestmark = pytest.mark.django_db


def url(name, opportunity):
    return reverse(f"participation:{name}", args=[opportunity.pk])


def _add_jo(client, opportunity, *, phone="01632 960 001", **more):
    return client.post(
        url("add_person", opportunity),
        {
            "display_name": "Jo Test",
            "phone": phone,
            "postal_address": "4 Mill Lane, Anytown AT1 2BB",
            "contact_by": "post_or_phone",
            **more,
        },
    )


def _person(name, *, phone="", address="", **kwargs):
    person = UserFactory(display_name=name, roles=[Role.RESIDENT], **kwargs)
    Profile.objects.create(user=person, phone=phone, postal_address=address)
    return person


def _results(page_text) -> list[str]:
    """The people a search offers to choose from, as radios or as one person found."""
    radios = re.findall(r'class="govuk-label govuk-radios__label"[^>]*>\s*([^<]+?)\s*<', page_text)
    one = re.findall(r'<h2 class="govuk-heading-m">([^<]+)</h2>', page_text)
    return radios or one


def test_someone_added_without_an_email_address_is_found_by_name_for_a_second_session(
    client, staff
):
    first = OpportunityFactory(created_by=staff, title="Carers' lunch")
    second = OpportunityFactory(created_by=staff, title="Short breaks workshop")
    client.force_login(staff)
    _add_jo(client, first)
    jo = User.objects.get(display_name="Jo Test")

    page = client.get(url("sign_up_person", second), {"q": "jo tes"}).text
    assert _results(page) == ["Jo Test"]
    assert "Phone number ending 001" in page and "Postcode starting AT1" in page
    assert "No email address" in page and "Carers&#x27; lunch" in page
    assert "2BB" not in page and "960 001" not in page  # never the whole number or address

    response = client.post(url("sign_up_person", second), {"q": "jo tes"})
    assert response.status_code == 302
    assert User.objects.filter(display_name="Jo Test").count() == 1
    assert SignUp.objects.get(opportunity=second).resident == jo


@pytest.mark.parametrize("typed", ["01632 960001", "01632-960-001", "+44 1632 960001", "960 001"])
def test_a_phone_number_finds_them_however_it_is_typed(client, staff, opportunity, typed):
    client.force_login(staff)
    _add_jo(client, OpportunityFactory(created_by=staff))

    page = client.get(url("sign_up_person", opportunity), {"q": typed}).text

    assert _results(page) == ["Jo Test"]


def test_a_name_or_phone_finds_only_people_the_member_of_staff_works_with(client, staff):
    mine = OpportunityFactory(created_by=staff)
    someone_elses = OpportunityFactory(created_by=UserFactory(roles=[Role.STAFF]))
    was_on_mine = _person("Ada Mine", phone="01632 960111")
    SignUpFactory(opportunity=mine, resident=was_on_mine, status=SignUp.Status.CANCELLED)
    stranger = _person("Ada Stranger", phone="01632 960222")
    SignUpFactory(opportunity=someone_elses, resident=stranger)
    _person("Ada Nobody", phone="01632 960333")  # on the hub, never booked
    booked_by_me = _person("Ada Booked", phone="01632 960444")
    services.sign_up(someone_elses, resident=booked_by_me, by=staff)
    client.force_login(staff)

    page = client.get(url("sign_up_person", mine), {"q": "Ada"}).text
    assert _results(page) == ["Ada Booked", "Ada Mine"]
    for typed in ("01632 960222", "01632 960333"):
        page = client.get(url("sign_up_person", mine), {"q": typed}).text
        assert "Nobody you work with has that name or phone number" in page
    # Sending the id of someone the search did not find does not sign them up.
    client.post(url("sign_up_person", mine), {"q": "Ada", "person": stranger.pk})
    assert not SignUp.objects.filter(opportunity=mine, resident=stranger).exists()


def test_a_full_email_address_still_finds_anyone_but_shows_nothing_about_strangers(
    client, staff, opportunity
):
    stranger = _person("Sid Stranger", phone="01632 960555", address="AT9 9ZZ")
    client.force_login(staff)

    page = client.get(url("sign_up_person", opportunity), {"q": stranger.email.upper()}).text

    assert _results(page) == ["Sid Stranger"]
    assert "555" not in page and "AT9" not in page
    client.post(url("sign_up_person", opportunity), {"q": stranger.email})
    assert SignUp.objects.get(opportunity=opportunity).resident == stranger


def test_a_search_shows_at_most_20_people_and_says_so(
    client, staff, opportunity, django_assert_max_num_queries
):
    for number in range(25):
        SignUpFactory(opportunity=opportunity, resident=_person(f"Sam Same {number:02}"))
    client.force_login(staff)
    client.get(url("sign_up_person", opportunity), {"q": "Sam Same 00"})  # warm the session

    with django_assert_max_num_queries(12):
        page = client.get(url("sign_up_person", opportunity), {"q": "same"}).text

    assert len(_results(page)) == 20
    assert "More than 20 people match. These are the first 20" in page


def test_the_search_takes_the_same_queries_however_many_match(
    client, staff, opportunity, django_assert_max_num_queries
):
    client.force_login(staff)
    SignUpFactory(opportunity=opportunity, resident=_person("Kim One", phone="01632 960101"))
    client.get(url("sign_up_person", opportunity), {"q": "Kim"})
    with CaptureQueriesContext(connection) as one:
        client.get(url("sign_up_person", opportunity), {"q": "Kim"})
    for number in range(8):
        person = _person(f"Kim {number}", phone=f"01632 96020{number}", address="AT2 1AA")
        SignUpFactory(opportunity=opportunity, resident=person)
        SignUpFactory(opportunity=OpportunityFactory(created_by=staff), resident=person)

    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(url("sign_up_person", opportunity), {"q": "Kim"}).text
    assert len(_results(page)) == 9


def test_several_matches_must_be_chosen_between(client, staff, opportunity):
    for phone in ("01632 960701", "01632 960702"):
        SignUpFactory(
            opportunity=OpportunityFactory(created_by=staff),
            resident=_person("Pat Twin", phone=phone),
        )
    second = User.objects.get(profile__phone="01632 960702")
    client.force_login(staff)

    unchosen = client.post(url("sign_up_person", opportunity), {"q": "Pat Twin"}).text
    assert "Choose who you want to sign up" in unchosen
    assert "Phone number ending 701" in unchosen and "Phone number ending 702" in unchosen
    client.post(
        url("sign_up_person", opportunity),
        {"q": "Pat Twin", "person": second.pk, "access_needs_note": "A quiet seat"},
    )

    signup = SignUp.objects.get(opportunity=opportunity)
    assert signup.resident == second and signup.access_needs_note == "A quiet seat"


def test_adding_the_same_name_and_phone_again_warns_and_offers_that_person(client, staff):
    first = OpportunityFactory(created_by=staff)
    second = OpportunityFactory(created_by=staff)
    client.force_login(staff)
    _add_jo(client, first)
    jo = User.objects.get(display_name="Jo Test")

    warned = _add_jo(client, second, phone="01632960001", access_needs_note="Large print")
    assert warned.status_code == 200
    assert "Someone you work with already has this name and phone number" in warned.text
    assert "Sign up Jo Test instead" in warned.text
    assert "Create a new person anyway" in warned.text
    assert not SignUp.objects.filter(opportunity=second).exists()

    _add_jo(client, second, use_person=jo.pk, access_needs_note="Large print")
    signup = SignUp.objects.get(opportunity=second)
    assert signup.resident == jo and signup.access_needs_note == "Large print"
    assert User.objects.filter(display_name="Jo Test").count() == 1


def test_staff_may_still_create_a_new_person_of_the_same_name_and_phone(client, staff):
    first = OpportunityFactory(created_by=staff)
    second = OpportunityFactory(created_by=staff)
    client.force_login(staff)
    _add_jo(client, first)

    _add_jo(client, second, create_anyway="jo test|01632 960001")

    assert User.objects.filter(display_name="Jo Test").count() == 2
    # The warning is for someone staff work with: another team's Jo is not shown to them.
    other = UserFactory(roles=[Role.STAFF])
    client.force_login(other)
    page = _add_jo(client, OpportunityFactory(created_by=other))
    assert page.status_code == 302
    assert User.objects.filter(display_name="Jo Test").count() == 3


def test_the_warning_is_for_the_name_and_number_it_named(client, staff):
    client.force_login(staff)
    _add_jo(client, OpportunityFactory(created_by=staff))
    _add_jo(client, OpportunityFactory(created_by=staff), phone="01632 960009")
    third = OpportunityFactory(created_by=staff)

    # Warned about Jo on 001, then the number changed to Jo's other one: warned again.
    page = _add_jo(client, third, phone="01632 960009", create_anyway="jo test|01632 960001")

    assert "already has this name and phone number" in page.text
    assert User.objects.filter(display_name="Jo Test").count() == 2


def test_a_search_needs_more_than_one_letter(client, staff, opportunity):
    client.force_login(staff)

    page = client.get(url("sign_up_person", opportunity), {"q": "a"}).text

    assert "Enter at least 2 letters of their name" in page
    assert "There is a problem" in page
