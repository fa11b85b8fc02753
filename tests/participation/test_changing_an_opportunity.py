"""Staff changing an opportunity people have signed up for: who hears what, and clear errors."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.models import Message
from participation import services
from participation.models import Opportunity

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
