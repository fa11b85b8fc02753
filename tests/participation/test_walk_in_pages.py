"""The pages staff use on the day: once a session has started, "Sign someone up" and "Add a
person" become "Add someone who came", saying so before anything is typed, and the register
marks people from the waiting list who came."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from coprod_hub.users.models import User
from participation import services
from participation.models import Opportunity, Profile, SignUp
from tests.factories import UserFactory

from .factories import OpportunityFactory

pytestmark = pytest.mark.django_db


def url(name, opportunity):
    return reverse(f"participation:{name}", args=[opportunity.pk])


def _start(opportunity):
    starts = timezone.now() - timedelta(hours=1)
    Opportunity.objects.filter(pk=opportunity.pk).update(
        starts_at=starts, ends_at=starts + timedelta(hours=2)
    )
    opportunity.refresh_from_db()
    return opportunity


def _full_session_with_a_queue(staff):
    """Started; Ann has its one place, Cat was offered the next and Dev is waiting."""
    opportunity = OpportunityFactory(created_by=staff, capacity=2, title="Carers' lunch")
    ann, ben, cat, dev = (
        UserFactory(display_name=name) for name in ("Ann Able", "Ben Brook", "Cat Cole", "Dev Dale")
    )
    services.sign_up(opportunity, resident=ann)
    leaving = services.sign_up(opportunity, resident=ben)
    offered = services.sign_up(opportunity, resident=cat)
    waiting = services.sign_up(opportunity, resident=dev)
    services.cancel_sign_up(leaving, by=ben)
    return _start(opportunity), SignUp.objects.get(pk=offered.pk), waiting


def test_before_the_start_the_pages_sign_people_up_as_before(client, staff):
    opportunity = OpportunityFactory(created_by=staff)
    client.force_login(staff)

    manage = client.get(url("manage", opportunity)).text
    find = client.get(url("sign_up_person", opportunity)).text
    add = client.get(url("add_person", opportunity)).text

    assert "Sign someone up" in manage and "Add someone who came" not in manage
    assert '<h1 class="govuk-heading-l">Sign someone up</h1>' in find
    assert "Add a person and sign them up" in add and "Anything they need" in add


def test_once_started_the_pages_say_up_front_that_people_are_added_as_having_come(client, staff):
    opportunity, _, _ = _full_session_with_a_queue(staff)
    client.force_login(staff)

    manage = client.get(url("manage", opportunity)).text
    find = client.get(url("sign_up_person", opportunity)).text
    add = client.get(url("add_person", opportunity)).text

    assert "Add someone who came" in manage and "add someone new who came" in manage
    assert "Mark as attended" in manage
    assert "<title>Add someone who came" in find
    assert '<h1 class="govuk-heading-l">Add someone who came</h1>' in find
    assert "goes on the register as having come" in find
    assert '<h1 class="govuk-heading-l">Add someone new who came</h1>' in add
    assert "Add them and record that they came" in add
    # Nothing is left to arrange for a session that has happened: no needs are asked for.
    assert "Anything they need" not in add


def test_staff_find_someone_who_came_and_put_them_on_the_register(client, staff, resident):
    opportunity, _, _ = _full_session_with_a_queue(staff)
    client.force_login(staff)

    found = client.get(url("sign_up_person", opportunity), {"q": resident.email}).text
    response = client.post(
        url("sign_up_person", opportunity), {"q": resident.email, "came": "yes"}, follow=True
    )

    assert f"Record that {resident} came" in found
    assert "Anything they need" not in found
    assert f"{resident} is on the register, marked as attended." in response.text
    signup = SignUp.objects.get(opportunity=opportunity, resident=resident)
    assert signup.attendance == "attended" and signup.added_on_the_day
    assert f"Added on the day by {staff}" in response.text


def test_a_page_opened_before_the_start_does_not_record_anyone_as_having_come(
    client, staff, resident
):
    opportunity, _, _ = _full_session_with_a_queue(staff)
    client.force_login(staff)

    # Sent from the "Sign someone up" page, shown before the session started.
    response = client.post(url("sign_up_person", opportunity), {"q": resident.email})

    assert "govuk-error-summary" in response.text
    assert "<title>Error: Add someone who came" in response.text
    assert "The session has started since this page was opened" in response.text
    assert f'value="{resident.email}"' in response.text  # what was typed is kept
    assert not SignUp.objects.filter(resident=resident).exists()


def test_choosing_nobody_among_several_says_so_and_keeps_the_search(client, staff):
    opportunity, _, _ = _full_session_with_a_queue(staff)
    # Cat Cole, offered a place here, and Kit Cole, from another session staff run.
    kit = UserFactory(display_name="Kit Cole")
    services.sign_up(OpportunityFactory(created_by=staff), resident=kit)
    client.force_login(staff)

    response = client.post(url("sign_up_person", opportunity), {"q": "Cole", "came": "yes"})

    assert response.status_code == 200
    assert "There is a problem" in response.text and "Choose who came" in response.text
    assert 'value="Cole"' in response.text


def test_staff_add_someone_new_who_came(client, staff):
    opportunity, _, _ = _full_session_with_a_queue(staff)
    client.force_login(staff)
    person = {"display_name": "Edna Offline", "phone": "01632 960 001", "came": "yes"}

    wrong = client.post(url("add_person", opportunity), {**person, "contact_by": "email"})
    response = client.post(
        url("add_person", opportunity), {**person, "contact_by": "post_or_phone"}, follow=True
    )

    assert "There is a problem" in wrong.text and 'value="Edna Offline"' in wrong.text
    assert "<title>Error: Add someone new who came" in wrong.text
    assert "Edna Offline is on the register, marked as attended." in response.text
    edna = User.objects.get(display_name="Edna Offline")
    signup = SignUp.objects.get(resident=edna)
    assert signup.attendance == "attended" and signup.added_on_the_day


def test_someone_added_on_the_day_who_may_be_known_is_offered_instead(client, staff):
    opportunity, _, _ = _full_session_with_a_queue(staff)
    known = UserFactory(display_name="Jo Test")
    Profile.objects.create(user=known, phone="01632 960 001")
    services.sign_up(OpportunityFactory(created_by=staff), resident=known, by=staff)
    client.force_login(staff)
    person = {
        "display_name": "Jo Test",
        "phone": "01632 960 001",
        "contact_by": "post_or_phone",
        "came": "yes",
    }

    warned = client.post(url("add_person", opportunity), person).text
    client.post(url("add_person", opportunity), {**person, "use_person": known.pk})

    assert "Record that Jo Test came instead" in warned
    assert User.objects.filter(display_name="Jo Test").count() == 1
    assert SignUp.objects.get(opportunity=opportunity, resident=known).attendance == "attended"


def test_people_waiting_or_offered_a_place_are_marked_from_the_register(client, staff):
    opportunity, offered, waiting = _full_session_with_a_queue(staff)
    client.force_login(staff)

    for signup in (offered, waiting):
        response = client.post(url("came", opportunity), {"signup": signup.pk}, follow=True)
        assert f"{signup.resident} is on the register, marked as attended." in response.text

    booked = opportunity.signups.filter(status="booked")
    assert sorted(booked.values_list("resident__display_name", "attendance")) == [
        ("Ann Able", ""),
        ("Cat Cole", "attended"),
        ("Dev Dale", "attended"),
    ]
    assert "Mark as attended" not in response.text  # nobody left waiting or offered


def test_only_staff_who_run_the_session_mark_people(client, other_staff, resident, staff):
    opportunity, offered, _ = _full_session_with_a_queue(staff)
    elsewhere = services.sign_up(OpportunityFactory(created_by=staff), resident=resident)

    for person in (other_staff, resident):
        client.force_login(person)
        assert client.post(url("came", opportunity), {"signup": offered.pk}).status_code == 404
        assert client.get(url("sign_up_person", opportunity)).status_code == 404
        assert client.get(url("add_person", opportunity)).status_code == 404
    client.force_login(staff)
    # A place on another session is not this session's to mark.
    assert client.post(url("came", opportunity), {"signup": elsewhere.pk}).status_code == 404
    assert client.post(url("came", opportunity), {"signup": "x"}).status_code == 404
    assert SignUp.objects.get(pk=offered.pk).status == SignUp.Status.OFFERED


def test_a_cancelled_session_stays_closed_to_people_who_came(client, staff, resident):
    opportunity, offered, _ = _full_session_with_a_queue(staff)
    Opportunity.objects.filter(pk=opportunity.pk).update(status=Opportunity.Status.CANCELLED)
    client.force_login(staff)

    manage = client.get(url("manage", opportunity)).text
    page = client.get(url("sign_up_person", opportunity), follow=True)
    marked = client.post(url("came", opportunity), {"signup": offered.pk}, follow=True)

    assert "Add someone who came" not in manage and "Mark as attended" not in manage
    assert page.redirect_chain[-1][0] == url("manage", opportunity)
    assert "This opportunity was cancelled, so nobody can be recorded" in page.text
    assert "This opportunity was cancelled, so nobody can be recorded" in marked.text
    assert SignUp.objects.get(pk=offered.pk).attendance == ""


def test_the_attendance_list_says_who_was_added_on_the_day(client, staff, resident):
    opportunity, _, _ = _full_session_with_a_queue(staff)
    services.record_walk_in(opportunity, person=resident, by=staff)
    client.force_login(staff)

    response = client.get(url("attendance_csv", opportunity))
    page = client.get(url("manage", opportunity)).text

    rows = list(
        csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
    )
    by_name = {row["Name"]: row for row in rows}
    assert by_name[str(resident)]["Signed up by"] == f"Added on the day by {staff}"
    assert by_name[str(resident)]["Attendance"] == "Attended"
    assert "This includes 1 person added on the day" in page


def _register_page_queries(client, staff, django_assert_max_num_queries, count):
    opportunity = OpportunityFactory(created_by=staff, capacity=count)
    for _ in range(count):
        services.sign_up(opportunity, resident=UserFactory())
    for _ in range(count):
        services.sign_up(opportunity, resident=UserFactory())  # waiting
    _start(opportunity)
    for _ in range(count):
        services.record_walk_in(opportunity, person=UserFactory(), by=staff)
    client.force_login(staff)
    client.get(url("manage", opportunity))  # warm the caches the page shares
    with django_assert_max_num_queries(12) as captured:
        page = client.get(url("manage", opportunity)).text
    assert page.count("Mark as attended") == count + 1  # a button each, and the hint
    return len(captured)


def test_the_register_page_queries_stay_the_same_however_many_came(
    client, staff, django_assert_max_num_queries
):
    few = _register_page_queries(client, staff, django_assert_max_num_queries, 2)
    many = _register_page_queries(client, staff, django_assert_max_num_queries, 20)

    assert few == many
