"""What a person reads about their own place, and in the step before it: what they will be
paid and how to claim, who to ask, how the waiting list works, and what a session we called
off means for them."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from coprod_hub.users.roles import Role
from notifications.models import Message
from participation import services
from participation.models import Opportunity, Profile
from tests.factories import UserFactory
from tests.payments.factories import make_policy
from tests.projects.factories import ProjectFactory

from .factories import OpportunityFactory

pytestmark = pytest.mark.django_db


def paid_session(**fields):
    start = timezone.now() + timedelta(days=9)
    return OpportunityFactory(
        fee_basis=Opportunity.FeeBasis.PER_HOUR,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        **fields,
    )


def test_the_sign_up_step_says_what_the_fee_is_and_how_we_pay(client, resident):
    make_policy()
    opportunity = paid_session()
    client.force_login(resident)

    page = client.get(reverse("participation:sign_up", args=[opportunity.pk])).text

    assert "A fee for your time: £40 (2 hours at £20 an hour)" in page
    assert "care cover while you take part" in page  # carers can claim for cover
    assert reverse("payments:how_we_pay") in page


def test_your_place_says_what_you_will_be_paid_how_to_claim_and_who_to_ask(client, resident):
    make_policy()
    opportunity = paid_session(contact_name="Grace Adeyemi", contact_phone="01632 960 123")
    signup = services.sign_up(opportunity, resident=resident)
    client.force_login(resident)

    page = client.get(signup.get_absolute_url()).text

    assert "A fee for your time: £40" in page
    assert "How we pay and how to claim" in page
    assert f'from <a class="govuk-link" href="{reverse("participation:my")}">' in page
    assert "Grace Adeyemi" in page and "01632 960 123" in page


def test_a_session_with_no_way_to_reach_its_contact_names_the_team(client, resident):
    opportunity = OpportunityFactory(contact_name="Grace Adeyemi", contact_email="")
    signup = services.sign_up(opportunity, resident=resident)
    client.force_login(resident)

    for url in (signup.get_absolute_url(), opportunity.get_absolute_url()):
        page = client.get(url).text
        assert "Grace Adeyemi, through the co-production team" in page
        assert settings.SUPPORT_PHONE in page and settings.SUPPORT_EMAIL in page


def test_a_place_at_a_session_we_called_off_says_so_and_offers_nothing_to_cancel(
    client, resident, staff
):
    opportunity = OpportunityFactory(created_by=staff, title="Carers' lunch")
    signup = services.sign_up(opportunity, resident=resident)
    services.cancel_opportunity(opportunity, by=staff, reason="The room flooded.")
    client.force_login(resident)

    page = client.get(signup.get_absolute_url()).text

    assert "This session has been cancelled" in page
    assert "You have a place" not in page
    assert "The room flooded." in page
    assert "You do not need to do anything" in page
    assert "Find another way to get involved" in page
    assert "Cancel your place" not in page
    assert "Download a calendar file" not in page
    cancel = client.get(reverse("participation:cancel", args=[signup.pk]))
    assert cancel.status_code == 302 and cancel.url == signup.get_absolute_url()


def test_the_changed_session_message_links_each_person_to_their_own_place(staff, make_residents):
    opportunity = OpportunityFactory(created_by=staff, capacity=1)
    booked, waiting, easy_read = make_residents(3)
    Profile.objects.create(user=easy_read, format=Profile.InformationFormat.EASY_READ)
    places = {
        person: services.sign_up(opportunity, resident=person)
        for person in (booked, waiting, easy_read)
    }

    services.update_opportunity(
        opportunity,
        by=staff,
        starts_at=opportunity.starts_at + timedelta(days=1),
        ends_at=opportunity.ends_at + timedelta(days=1),
    )

    for person, signup in places.items():
        body = Message.objects.get(kind="opportunity_changed", recipient=person).body_text
        assert signup.get_absolute_url() in body
        others = [s for p, s in places.items() if p != person]
        assert not any(other.get_absolute_url() in body for other in others)
        assert f"{opportunity.get_absolute_url()}\n" not in body


def _after_the_session(opportunity):
    Opportunity.objects.filter(pk=opportunity.pk).update(
        starts_at=timezone.now() - timedelta(days=2, hours=2),
        ends_at=timezone.now() - timedelta(days=2),
    )
    opportunity.refresh_from_db()


def test_after_the_session_your_place_says_you_took_part_and_leads_to_your_claim(
    client, resident, staff
):
    opportunity = paid_session(created_by=staff)
    signup = services.sign_up(opportunity, resident=resident)
    _after_the_session(opportunity)
    client.force_login(resident)

    waiting_for_register = client.get(signup.get_absolute_url()).text
    assert "You had a place" in waiting_for_register
    assert "We will send you a message when you can" in waiting_for_register

    services.record_attendance(opportunity, by=staff, marks={signup.pk: "attended"})
    page = client.get(signup.get_absolute_url()).text

    assert "You took part" in page and "You have a place" not in page
    assert reverse("payments:start", args=[signup.pk]) in page
    assert "Cancel your place" not in page
    assert "Download a calendar file" not in page
    assert 'Change<span class="govuk-visually-hidden"> access needs' not in page
    opportunity_page = client.get(opportunity.get_absolute_url()).text
    assert "You had a place" in opportunity_page
    assert "See or cancel your place" not in opportunity_page
    assert "places left" not in opportunity_page
    assert "Download a calendar file" not in opportunity_page


def test_after_claiming_your_place_leads_to_the_claim(client, resident, staff):
    from payments import services as payments

    make_policy()
    opportunity = paid_session(created_by=staff)
    signup = services.sign_up(opportunity, resident=resident)
    _after_the_session(opportunity)
    services.record_attendance(opportunity, by=staff, marks={signup.pk: "attended"})
    claim = payments.start_claim(signup, by=resident)
    client.force_login(resident)

    page = client.get(signup.get_absolute_url()).text

    assert f"Your claim {claim.reference}" in page and claim.get_absolute_url() in page
    assert reverse("payments:start", args=[signup.pk]) not in page


# --- Changing what you need for this session ----------------------------------------------


def _needs_url(signup):
    return reverse("participation:session_needs", args=[signup.pk])


def test_people_change_what_they_need_for_one_session_from_their_place(client, resident, staff):
    opportunity = OpportunityFactory(created_by=staff)
    place = services.sign_up(opportunity, resident=resident, access_needs_note="A quiet seat")
    client.force_login(resident)

    page = client.get(place.get_absolute_url()).text
    form = client.get(_needs_url(place)).text
    response = client.post(
        _needs_url(place),
        {"access_needs_note": "  A quiet seat and a break every hour "},
        follow=True,
    )

    assert f'href="{_needs_url(place)}"' in page
    assert "A quiet seat</textarea>" in form
    assert "Saved. The staff running this session can see it." in response.text
    place.refresh_from_db()
    assert place.access_needs_note == "A quiet seat and a break every hour"
    client.force_login(staff)
    assert (
        "A quiet seat and a break every hour"
        in client.get(reverse("participation:manage", args=[opportunity.pk])).text
    )


def test_an_empty_box_takes_the_note_away(client, resident):
    place = services.sign_up(
        OpportunityFactory(), resident=resident, access_needs_note="A quiet seat"
    )
    client.force_login(resident)

    response = client.post(_needs_url(place), {"access_needs_note": ""}, follow=True)

    place.refresh_from_db()
    assert place.access_needs_note == ""
    assert "You have not told us of anything else you need for this session." in response.text


def test_too_long_a_note_is_an_error_that_keeps_what_was_typed(client, resident):
    place = services.sign_up(OpportunityFactory(), resident=resident)
    client.force_login(resident)
    typed = "Step-free access please. " * 100

    form = client.get(_needs_url(place)).text
    page = client.post(_needs_url(place), {"access_needs_note": typed}).text

    assert ' maxlength="' not in form  # the character count shows the limit; nothing is cut off
    assert "You can enter up to 2,000 characters" in form
    assert "There is a problem" in page
    assert "What you need for this session must be 2,000 characters or fewer. It has 2," in page
    assert "Step-free access please." in page
    place.refresh_from_db()
    assert place.access_needs_note == ""


def test_once_the_session_has_started_people_are_told_to_ask_the_contact(client, resident):
    opportunity = OpportunityFactory()
    place = services.sign_up(opportunity, resident=resident, access_needs_note="A quiet seat")
    Opportunity.objects.filter(pk=opportunity.pk).update(
        starts_at=timezone.now() - timedelta(minutes=5)
    )
    client.force_login(resident)

    response = client.post(_needs_url(place), {"access_needs_note": "Changed"}, follow=True)

    assert "already started. Please tell the contact for the session." in response.text
    place.refresh_from_db()
    assert place.access_needs_note == "A quiet seat"
    assert f'href="{_needs_url(place)}"' not in client.get(place.get_absolute_url()).text


def test_a_cancelled_place_has_nothing_to_change(client, resident):
    place = services.sign_up(OpportunityFactory(), resident=resident)
    services.cancel_sign_up(place, by=resident)
    client.force_login(resident)

    response = client.post(_needs_url(place), {"access_needs_note": "Changed"}, follow=True)

    assert "This place was cancelled, so there is nothing to change." in response.text
    place.refresh_from_db()
    assert place.access_needs_note == ""


def test_only_the_person_may_change_it(staff, resident):
    place = services.sign_up(OpportunityFactory(created_by=staff), resident=resident)

    with pytest.raises(services.ParticipationError, match="Only the person"):
        services.change_session_needs(place, by=staff, note="Changed")


def _told(kind="access_needs_changed"):
    return list(Message.objects.filter(kind=kind).order_by("pk"))


def test_the_staff_running_it_are_told_to_look_but_not_what_it_is(client, resident, staff):
    opportunity = OpportunityFactory(created_by=staff)
    place = services.sign_up(opportunity, resident=resident)
    client.force_login(resident)

    client.post(_needs_url(place), {"access_needs_note": "A BSL interpreter"})
    client.post(_needs_url(place), {"access_needs_note": "A BSL interpreter, please"})

    (message,) = _told()  # one a place a day, however often they edit
    assert message.recipient == staff
    assert "has changed what they need to take part" in message.body_text
    assert place.get_absolute_url() in message.body_text
    assert "BSL" not in message.body_text + message.subject
    assert resident.display_name not in message.body_text + message.subject


def test_nobody_is_told_about_someone_still_on_the_waiting_list(resident, other_resident, staff):
    opportunity = OpportunityFactory(created_by=staff, capacity=1)
    services.sign_up(opportunity, resident=other_resident)
    waiting = services.sign_up(opportunity, resident=resident)

    services.change_session_needs(waiting, by=resident, note="A quiet seat")

    assert _told() == []


def test_a_profile_change_reaches_the_staff_of_sessions_in_the_next_two_weeks(
    resident, staff, other_staff
):
    soon = OpportunityFactory(created_by=staff, starts_at=timezone.now() + timedelta(days=5))
    later = OpportunityFactory(
        created_by=other_staff, starts_at=timezone.now() + timedelta(days=30)
    )
    services.sign_up(soon, resident=resident)
    services.sign_up(later, resident=resident)
    profile = Profile.objects.create(user=resident)

    services.set_access_needs(profile, access_needs="I use a wheelchair", consent=True)
    services.set_access_needs(profile, access_needs="I use a wheelchair", consent=True)

    assert [message.recipient for message in _told()] == [staff]


def _soon(**fields):
    return OpportunityFactory(starts_at=timezone.now() + timedelta(days=3), **fields)


def _with_needs(person, needs="I use a wheelchair"):
    return Profile.objects.create(
        user=person, access_needs=needs, access_needs_consent_at=timezone.now()
    )


def test_staff_hear_when_someone_with_needs_books_a_session_soon(resident, staff):
    _with_needs(resident)
    opportunity = _soon(created_by=staff)

    place = services.sign_up(opportunity, resident=resident)

    (message,) = _told()
    assert message.recipient == staff
    assert "Someone who has just got a place" in message.body_text
    assert "has told us what they need to take part" in message.body_text
    assert place.get_absolute_url() in message.body_text
    assert "wheelchair" not in message.body_text + message.subject


def test_staff_hear_of_a_note_for_the_session_alone(resident, staff):
    services.sign_up(_soon(created_by=staff), resident=resident, access_needs_note="Quiet seat")

    assert [message.recipient for message in _told()] == [staff]


def test_staff_do_not_hear_of_bookings_without_needs_or_weeks_ahead(resident, other_resident):
    _with_needs(resident)
    services.sign_up(
        OpportunityFactory(starts_at=timezone.now() + timedelta(days=20)), resident=resident
    )
    services.sign_up(_soon(), resident=other_resident)  # nothing to tell

    assert _told() == []


def test_staff_hear_when_someone_waiting_with_needs_is_offered_a_place(
    resident, other_resident, staff
):
    opportunity = _soon(created_by=staff, capacity=1)
    booked = services.sign_up(opportunity, resident=other_resident)
    _with_needs(resident)
    services.sign_up(opportunity, resident=resident)  # waiting: nobody plans for them yet
    assert _told() == []

    services.cancel_sign_up(booked, by=other_resident)

    (message,) = _told()
    assert message.recipient == staff
    assert "Someone who has just got a place" in message.body_text


def test_staff_hear_when_someone_they_booked_lets_them_see_their_needs(resident, staff):
    _with_needs(resident)
    place = services.sign_up(_soon(created_by=staff), resident=resident, by=staff)
    assert _told() == []  # not shared yet: staff cannot see them

    services.share_profile_needs(place, by=resident)

    (message,) = _told()
    assert "has let you see what they need to take part" in message.body_text
    assert message.subject.startswith("Someone has shared what they need for ")


def test_nobody_hears_about_their_own_place(other_staff):
    staff_taking_part = UserFactory(roles=[Role.STAFF, Role.RESIDENT])
    _with_needs(staff_taking_part)
    opportunity = _soon(project=ProjectFactory(owner=other_staff, team=[staff_taking_part]))

    services.sign_up(opportunity, resident=staff_taking_part)

    assert [message.recipient for message in _told()] == [other_staff]


def test_a_title_ending_in_a_question_mark_gets_no_full_stop_after_it(client, resident):
    opportunity = OpportunityFactory(title="Direct payments: what support do you need?")
    client.force_login(resident)

    response = client.post(
        reverse("participation:sign_up", args=[opportunity.pk]),
        {"access_needs_note": ""},
        follow=True,
    )

    assert "You have a place at Direct payments: what support do you need?" in response.text
    assert "need?." not in response.text
