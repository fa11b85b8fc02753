"""Claim for someone who asked you: staff find them by name or phone number, as on "Sign
someone up", so the people who are not online (those it is meant for) can be found."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coprod_hub.users.roles import Role
from participation import services as participation
from participation.models import Profile
from tests.factories import UserFactory
from tests.participation.factories import OpportunityFactory as UpcomingFactory

from .factories import OpportunityFactory, SignUpFactory

pytestmark = pytest.mark.django_db


def _offline(staff, name, phone):
    """Someone staff added without an email address, who came to a session staff ran."""
    session = OpportunityFactory(created_by=staff, project=None, title=f"Panel with {name}")
    place = participation.add_person_and_sign_up(
        UpcomingFactory(created_by=staff, project=None),
        by=staff,
        display_name=name,
        phone=phone,
        contact_by=Profile.ContactBy.POST_OR_PHONE,
    )
    return SignUpFactory(resident=place.resident, opportunity=session)


def test_staff_find_someone_without_email_by_name_and_start_their_claim(client, staff, policy):
    attended = _offline(staff, "Jo Test", "01632 960 001")
    client.force_login(staff)

    page = client.get(reverse("payments:on_behalf"), {"q": "jo test"}).text

    assert "Sessions Jo Test can claim for" in page
    assert reverse("payments:start", args=[attended.pk]) in page


def test_a_phone_number_that_several_share_lists_them_to_choose(client, staff, policy):
    first = _offline(staff, "Pat Twin", "01632 960 701")
    second = _offline(staff, "Pat Twin", "01632 960 702")
    client.force_login(staff)

    listed = client.get(reverse("payments:on_behalf"), {"q": "Pat"}).text
    assert "People who match" in listed
    assert "Phone number ending 701" in listed and "Phone number ending 702" in listed
    assert reverse("payments:start", args=[first.pk]) not in listed

    chosen = client.get(
        reverse("payments:on_behalf"), {"q": "Pat", "person": second.resident_id}
    ).text
    assert reverse("payments:start", args=[second.pk]) in chosen
    assert reverse("payments:start", args=[first.pk]) not in chosen


def test_a_name_finds_nobody_staff_do_not_work_with(client, staff, policy):
    other_staff = UserFactory(roles=[Role.STAFF])
    stranger = _offline(other_staff, "Sid Stranger", "01632 960 555")
    client.force_login(staff)

    for search in ({"q": "Sid"}, {"q": "Sid", "person": stranger.resident_id}):
        page = client.get(reverse("payments:on_behalf"), search).text
        assert "Nobody you work with has that name or phone number" in page
        assert reverse("payments:start", args=[stranger.pk]) not in page


def test_the_list_of_people_takes_the_same_queries_however_many_match(
    client, staff, policy, django_assert_max_num_queries
):
    for number in range(2):
        _offline(staff, "Kim Same", f"01632 96010{number}")
    client.force_login(staff)
    client.get(reverse("payments:on_behalf"), {"q": "Kim"})
    with CaptureQueriesContext(connection) as two:
        client.get(reverse("payments:on_behalf"), {"q": "Kim"})
    for number in range(2, 10):
        _offline(staff, "Kim Same", f"01632 96010{number}")

    with django_assert_max_num_queries(len(two.captured_queries)):
        page = client.get(reverse("payments:on_behalf"), {"q": "Kim"}).text
    assert page.count("Phone number ending 10") == 10
