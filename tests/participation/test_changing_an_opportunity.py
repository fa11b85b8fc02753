"""Staff changing an opportunity people have signed up for: who hears what, and clear errors."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from notifications.models import Message, Unsubscribe
from participation import services
from participation.models import Opportunity
from projects.ladder import Step
from tests.payments.factories import make_policy

from .factories import OpportunityFactory, VenueFactory
from .test_staff_pages import form_data, url

pytestmark = pytest.mark.django_db


def _made_through_the_form(client, staff, **typed):
    """A published opportunity made as staff make them, so its times are whole minutes."""
    client.force_login(staff)
    client.post(reverse("participation:create"), form_data(**typed))
    opportunity = Opportunity.objects.latest("pk")
    return services.publish_opportunity(opportunity, by=staff)


def test_a_session_moved_online_no_longer_sends_people_to_the_old_venue(
    client, staff, make_residents
):
    venue = VenueFactory(name="Mill Lane Hall")
    opportunity = _made_through_the_form(client, staff, format="in_person", venue=venue.pk)
    (person,) = make_residents(1)
    services.sign_up(opportunity, resident=person)

    # The venue is still chosen in the form: staff changed only how it happens.
    client.post(
        url("edit", opportunity),
        form_data(format="online", venue=venue.pk, online_details="https://meet.example/carers"),
    )

    opportunity.refresh_from_db()
    assert opportunity.venue is None
    told = Message.objects.get(kind="opportunity_changed", recipient=person)
    assert "Mill Lane Hall" not in told.body_text
    assert "Where: Online" in told.body_text
    assert "https://meet.example/carers" in told.body_text
    assert "Mill Lane Hall" not in client.get(opportunity.get_absolute_url()).text


def test_a_new_session_online_or_by_phone_keeps_no_venue(client, staff):
    venue = VenueFactory()
    client.force_login(staff)

    client.post(reverse("participation:create"), form_data(format="phone", venue=venue.pk))

    assert Opportunity.objects.get().venue is None


def test_joining_details_changed_on_a_session_only_in_person_tell_nobody(
    client, staff, make_residents
):
    """Nobody sees joining details for a session held only in person, so a change to them
    is not news; a change that people would see still is."""
    venue = VenueFactory()
    opportunity = _made_through_the_form(client, staff, format="in_person", venue=venue.pk)
    for person in make_residents(2):
        services.sign_up(opportunity, resident=person)

    client.post(
        url("edit", opportunity),
        form_data(format="in_person", venue=venue.pk, online_details="https://meet.example/x"),
    )
    assert not Message.objects.filter(kind="opportunity_changed").exists()

    client.post(
        url("edit", opportunity),
        form_data(format="hybrid", venue=venue.pk, online_details="https://meet.example/x"),
    )
    told = Message.objects.filter(kind="opportunity_changed")
    assert told.count() == 2
    assert "the place and how to join" in told.first().body_text


def test_changing_only_the_words_tells_nobody(client, staff, make_residents):
    opportunity = _made_through_the_form(client, staff)
    for person in make_residents(2):
        services.sign_up(opportunity, resident=person)

    response = client.post(
        url("edit", opportunity),
        form_data(title="Carers' focus group (room 2)", description="Bring your ideas."),
    )

    assert response.status_code == 302
    assert not Message.objects.filter(kind="opportunity_changed").exists()


def test_too_few_places_for_the_people_booked_is_an_error_on_the_places(
    client, staff, make_residents
):
    opportunity = _made_through_the_form(client, staff)
    for person in make_residents(3):
        services.sign_up(opportunity, resident=person)

    response = client.post(url("edit", opportunity), form_data(capacity="2", title="New title"))

    assert response.status_code == 200
    text = response.text
    # The error summary links to the places box, and the error sits next to it.
    assert '<a href="#id_capacity">3 places are already taken or offered' in text
    assert 'aria-describedby="id_capacity_1_error"' in text
    assert 'value="New title"' in text and 'name="capacity" value="2"' in text
    opportunity.refresh_from_db()
    assert opportunity.capacity == 8 and opportunity.title == "Carers' focus group"


def test_a_session_still_to_come_cannot_be_moved_into_the_past(client, staff, make_residents):
    opportunity = _made_through_the_form(client, staff)
    (person,) = make_residents(1)
    services.sign_up(opportunity, resident=person)
    last_year = timezone.localdate() - timedelta(days=365)

    response = client.post(url("edit", opportunity), form_data(day=last_year))

    assert "The date must be in the future" in response.text
    assert f'name="date_2" value="{last_year.year}"' in response.text
    assert not Message.objects.filter(kind="opportunity_changed").exists()


def test_the_times_of_a_session_that_took_place_can_still_be_put_right(client, staff):
    opportunity = _made_through_the_form(client, staff)
    Opportunity.objects.filter(pk=opportunity.pk).update(
        starts_at=timezone.now() - timedelta(days=2),
        ends_at=timezone.now() - timedelta(days=2) + timedelta(hours=2),
    )
    two_days_ago = timezone.localdate() - timedelta(days=2)

    response = client.post(
        url("edit", opportunity), form_data(day=two_days_ago, start_time="9am", end_time="11am")
    )

    assert response.status_code == 302
    opportunity.refresh_from_db()
    assert timezone.localtime(opportunity.starts_at).hour == 9


def test_cancelling_again_says_it_was_already_cancelled_and_tells_nobody_twice(
    client, staff, make_residents
):
    opportunity = OpportunityFactory(created_by=staff)
    for person in make_residents(2):
        services.sign_up(opportunity, resident=person)
    client.force_login(staff)
    client.post(url("cancel_opportunity", opportunity), {"reason": "The venue flooded."})

    # The back button brings the form up again, and it is sent again.
    page = client.get(url("cancel_opportunity", opportunity), follow=True)
    again = client.post(
        url("cancel_opportunity", opportunity), {"reason": "The venue flooded."}, follow=True
    )

    for response in (page, again):
        assert "This opportunity was already cancelled. Nobody was told again." in response.text
        assert "Are you sure you want to cancel" not in response.text
    assert Message.objects.filter(kind="opportunity_cancelled").count() == 2


def test_a_box_unticked_before_adding_a_venue_stays_unticked(client, staff):
    opportunity = _made_through_the_form(client, staff, refreshments="on")
    typed = form_data(add_venue="yes")
    del typed["pays_expenses"]  # unticked: a browser sends nothing for it

    to_venue = client.post(url("edit", opportunity), typed)
    back = client.post(to_venue["Location"], {"name": "Mill Lane Hall", "address": "3 Mill Lane"})
    form = client.get(back["Location"]).text

    assert 'name="pays_expenses" class="govuk-checkboxes__input" id="id_pays_expenses">' in form
    assert 'id="id_refreshments">' in form  # also unticked in what was typed
    opportunity.refresh_from_db()
    assert opportunity.pays_expenses and opportunity.refreshments  # nothing saved yet


# --- What taking part offers, and how much say it gives -------------------------------------


def _paid_session(staff, **fields):
    """A standalone online session, 2 hours, paid by the hour with expenses, under a policy
    of £20 an hour."""
    make_policy()
    return OpportunityFactory(
        created_by=staff,
        title="Carers' lunch and chat",
        fee_basis=Opportunity.FeeBasis.PER_HOUR,
        pays_expenses=True,
        **fields,
    )


def _told(person):
    return Message.objects.get(kind="opportunity_changed", recipient=person)


def test_a_session_no_longer_paid_tells_each_person_once_and_says_so(staff, make_residents):
    opportunity = _paid_session(staff, capacity=2)
    people = make_residents(3)
    for person in people:
        services.sign_up(opportunity, resident=person)  # two booked, one waiting

    services.update_opportunity(
        opportunity, by=staff, fee_basis=Opportunity.FeeBasis.NONE, pays_expenses=False
    )

    told = Message.objects.filter(kind="opportunity_changed")
    assert sorted(told.values_list("recipient", flat=True)) == sorted(p.pk for p in people)
    for person in people:
        body = _told(person).body_text
        changed = "We have changed the fee and what we pay for expenses for Carers' lunch and chat."
        assert changed in body
        assert "\nIt is no longer paid: there is no fee for your time.\n" in body
        assert "\nWe no longer pay expenses.\n" in body
        # Nothing a calendar holds has changed.
        assert "calendar" not in body
    assert _told(people[0]).subject == "Changed: Carers' lunch and chat"
    assert "please cancel so someone else can have your place" in _told(people[0]).body_text
    assert "You do not have a place yet" in _told(people[2]).body_text


def test_a_session_now_paid_says_how_much_as_the_sign_up_page_does(staff, make_residents):
    make_policy()
    opportunity = OpportunityFactory(created_by=staff, title="Transport forum", pays_expenses=False)
    (person,) = make_residents(1)
    services.sign_up(opportunity, resident=person)

    services.update_opportunity(
        opportunity,
        by=staff,
        fee_basis=Opportunity.FeeBasis.PER_HOUR,
        pays_expenses=True,
        refreshments=True,
        travel_arranged=True,
    )

    message = _told(person)
    assert (
        "We have changed the fee, what we pay for expenses, the refreshments and the travel we "
        "arrange for Transport forum."
    ) in message.body_text
    assert (
        "\nIt is now paid: £40 for your time (2 hours at £20 an hour).\n"
        "We now pay your expenses, such as travel or care cover.\n"
        "There will now be refreshments.\n"
        "We can now arrange your travel.\n"
    ) in message.body_text


def test_a_longer_session_paid_by_the_hour_says_the_new_fee_with_the_new_time(
    staff, make_residents
):
    opportunity = _paid_session(staff)
    (person,) = make_residents(1)
    services.sign_up(opportunity, resident=person)

    services.update_opportunity(
        opportunity, by=staff, ends_at=opportunity.starts_at + timedelta(hours=3)
    )

    body = _told(person).body_text
    assert "We have changed the time and the fee for Carers' lunch and chat." in body
    assert "\nThe fee for your time is now £60 (3 hours at £20 an hour).\n" in body
    assert "please update it" in body  # the calendar's times did change


def test_taking_away_refreshments_or_travel_says_so(staff, make_residents):
    opportunity = _paid_session(staff, refreshments=True, travel_arranged=True)
    (person,) = make_residents(1)
    services.sign_up(opportunity, resident=person)

    services.update_opportunity(opportunity, by=staff, refreshments=False, travel_arranged=False)

    body = _told(person).body_text
    assert "We have changed the refreshments and the travel we arrange for" in body
    assert "\nThere will no longer be refreshments.\nWe can no longer arrange your travel.\n" in (
        body
    )
    assert "fee" not in body


def test_a_lower_step_on_a_session_standing_alone_says_what_say_people_have_now(
    staff, make_residents
):
    opportunity = _paid_session(staff, step=Step.ENGAGEMENT)
    (person,) = make_residents(1)
    services.sign_up(opportunity, resident=person)

    services.update_opportunity(opportunity, by=staff, step=Step.CONSULTATION)

    body = _told(person).body_text
    assert "We have changed how much say you have for Carers' lunch and chat." in body
    assert "\nIt is now Consultation: you give your views and the council decides.\n" in body


def test_a_change_of_words_or_contact_tells_nobody(staff, make_residents):
    opportunity = _paid_session(staff)
    for person in make_residents(2):
        services.sign_up(opportunity, resident=person)

    services.update_opportunity(
        opportunity,
        by=staff,
        title="Carers' lunch and a chat",
        description="Bring your ideas, and your lunch if you like.",
        who_for="Carers of any age",
        contact_name="Priya",
    )

    assert not Message.objects.filter(kind="opportunity_changed").exists()


def test_a_change_of_fee_reaches_people_who_stopped_session_messages(staff, make_residents):
    opportunity = _paid_session(staff)
    (person,) = make_residents(1)
    services.sign_up(opportunity, resident=person)
    Unsubscribe.objects.create(user=person, category="sign_ups")

    services.update_opportunity(opportunity, by=staff, fee_basis=Opportunity.FeeBasis.NONE)

    assert _told(person).status == Message.Status.PENDING


def test_telling_people_about_a_new_fee_takes_as_many_queries_for_many_as_for_few(
    staff, make_residents
):
    make_policy()

    def queries_to_change_the_fee(people):
        opportunity = OpportunityFactory(
            created_by=staff, capacity=people - 1, fee_basis=Opportunity.FeeBasis.PER_HOUR
        )
        for person in make_residents(people):
            services.sign_up(opportunity, resident=person)
        with CaptureQueriesContext(connection) as queries:
            services.update_opportunity(
                opportunity, by=staff, fee_basis=Opportunity.FeeBasis.FULL_DAY
            )
        told = Message.objects.filter(
            kind="opportunity_changed", event_key__startswith=f"opportunity:{opportunity.pk}:"
        )
        assert told.count() == people
        return len(queries)

    assert queries_to_change_the_fee(2) == queries_to_change_the_fee(12)
