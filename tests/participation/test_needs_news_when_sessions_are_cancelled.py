"""Staff told that people taking part in a session need something (an interpreter, a taxi)
hear, once, when the whole session is called off: one list each of whose support to cancel."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from notifications.models import Message
from participation import services
from participation.models import Profile, SignUp
from tests.concurrency import run_at_once
from tests.factories import UserFactory

from .factories import OpportunityFactory, ProjectFactory

CANCELLED = "access_needs_session_cancelled"


def _soon(**fields):
    return OpportunityFactory(starts_at=timezone.now() + timedelta(days=3), **fields)


def _told(kind=CANCELLED):
    return list(Message.objects.filter(kind=kind).select_related("recipient").order_by("pk"))


@pytest.mark.django_db
def test_staff_get_one_list_of_the_people_whose_support_they_arranged(
    client, settings, resident, other_resident, staff
):
    opportunity = _soon(created_by=staff, title="Day services: what works?")
    interpreter = services.sign_up(
        opportunity, resident=resident, access_needs_note="BSL interpreter"
    )
    taxi = services.sign_up(opportunity, resident=other_resident, access_needs_note="A taxi")
    nothing_needed = services.sign_up(
        opportunity, resident=UserFactory(display_name="Nell Needsnothing")
    )

    services.cancel_opportunity(opportunity, by=staff, reason="The room flooded.")

    (message,) = _told()
    assert message.recipient == staff
    assert message.subject == "Cancelled: check support you arranged for Day services: what works?"
    body = message.body_text
    assert "You cancelled Day services: what works? It was due to take place on" in body
    # A link to each place, as the message about one place ending gives: never a name, nor
    # what they need (emails pass through other people's servers and inboxes).
    assert "2 people with places needed something to take part" in body
    assert f"- {settings.SITE_URL}{taxi.get_absolute_url()}" in body
    assert f"- {settings.SITE_URL}{interpreter.get_absolute_url()}" in body
    assert "Oscar" not in body and "Rita" not in body and "Resident" not in body
    assert "Nell" not in body and nothing_needed.get_absolute_url() not in body
    assert "BSL" not in body + message.subject and "taxi from" not in body
    assert "such as an interpreter, a taxi or a hearing loop?" in body
    # People with a place on a session called off keep it as a record: the link still opens.
    client.force_login(staff)
    page = client.get(interpreter.get_absolute_url())
    assert page.status_code == 200
    assert "BSL interpreter" in page.content.decode()


@pytest.mark.django_db
def test_cancelling_twice_sends_nothing_more(resident, staff):
    opportunity = _soon(created_by=staff)
    services.sign_up(opportunity, resident=resident, access_needs_note="Quiet room")

    services.cancel_opportunity(opportunity, by=staff)
    services.cancel_opportunity(opportunity, by=staff)

    assert len(_told()) == 1


@pytest.mark.django_db
def test_a_colleague_told_of_needs_hears_who_cancelled(resident, staff, other_staff):
    project = ProjectFactory(owner=staff)
    project.team.add(other_staff)
    opportunity = _soon(project=project)
    services.sign_up(opportunity, resident=resident, access_needs_note="Hearing loop")

    services.cancel_opportunity(opportunity, by=other_staff)

    messages = {m.recipient: m for m in _told()}
    assert set(messages) == {staff, other_staff}
    assert "Stella Staff cancelled" in messages[staff].body_text
    assert "You cancelled" in messages[other_staff].body_text
    assert "We told you that someone with a place needed something" in messages[staff].body_text


@pytest.mark.django_db
def test_only_staff_told_of_needs_hear_and_only_about_people_still_taking_part(
    resident, other_resident, staff, other_staff
):
    project = ProjectFactory(owner=staff)
    opportunity = _soon(project=project)
    still_booked = services.sign_up(opportunity, resident=resident, access_needs_note="Quiet")
    gone = services.sign_up(opportunity, resident=other_resident, access_needs_note="Taxi")
    services.cancel_sign_up(gone, by=other_resident)  # staff were told of this already
    project.team.add(other_staff)  # joined after the news: has nothing to undo

    services.cancel_opportunity(opportunity, by=staff)

    (message,) = _told()
    assert message.recipient == staff
    assert still_booked.get_absolute_url() in message.body_text
    assert "Oscar Other" not in message.body_text
    assert len(_told("access_needs_place_ended")) == 1  # theirs, sent when they cancelled


@pytest.mark.django_db
def test_nobody_hears_when_no_staff_were_told_of_needs(resident, other_resident, staff):
    # Weeks ahead: staff read the page before the day, so were not sent news of the needs.
    later = OpportunityFactory(created_by=staff, starts_at=timezone.now() + timedelta(days=30))
    services.sign_up(later, resident=resident, access_needs_note="Hearing loop")
    soon = _soon(created_by=staff)
    services.sign_up(soon, resident=other_resident)

    services.cancel_opportunity(later, by=staff)
    services.cancel_opportunity(soon, by=staff)

    assert _told() == []


@pytest.mark.django_db
def test_someone_offered_a_place_is_on_the_list_though_their_offer_ends(
    resident, other_resident, staff
):
    opportunity = _soon(created_by=staff, capacity=1)
    booked = services.sign_up(opportunity, resident=other_resident)
    Profile.objects.create(
        user=resident, access_needs="I use a wheelchair", access_needs_consent_at=timezone.now()
    )
    offered = services.sign_up(opportunity, resident=resident)
    services.cancel_sign_up(booked, by=other_resident)  # a place is offered: staff are told

    services.cancel_opportunity(opportunity, by=staff)

    offered.refresh_from_db()
    assert offered.status == SignUp.Status.CANCELLED
    (message,) = _told()
    assert offered.get_absolute_url() in message.body_text
    assert "wheelchair" not in message.body_text


@pytest.mark.django_db
def test_a_session_already_under_way_sends_no_list(resident, staff):
    opportunity = _soon(created_by=staff)
    services.sign_up(opportunity, resident=resident, access_needs_note="Interpreter")

    services.cancel_opportunity(
        opportunity, by=staff, now=opportunity.starts_at + timedelta(minutes=5)
    )

    assert _told() == []


@pytest.mark.django_db
def test_a_text_message_says_how_many_and_links_to_the_session_not_names(
    settings, resident, other_resident
):
    settings.NOTIFY_API_KEY = "test-key"
    staff = UserFactory(display_name="Tex Staff", roles=["staff"])
    Profile.objects.create(user=staff, contact_by=Profile.ContactBy.TEXT, phone="07700 900 982")
    opportunity = _soon(created_by=staff)
    services.sign_up(opportunity, resident=resident, access_needs_note="Quiet")
    services.sign_up(opportunity, resident=other_resident, access_needs_note="Taxi")

    services.cancel_opportunity(opportunity, by=staff)

    (message,) = _told()
    assert message.channel == Message.Channel.SMS
    assert "This session is cancelled. 2 people who told us what they need" in message.body_text
    assert reverse("participation:manage", args=[opportunity.pk]) in message.body_text
    assert "Rita" not in message.body_text


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_staff_cancelling_at_once_send_each_list_once():
    owner = UserFactory(display_name="Sam Staff", roles=["staff"])
    colleague = UserFactory(display_name="Stella Staff", roles=["staff"])
    project = ProjectFactory(owner=owner)
    project.team.add(colleague)
    opportunity = _soon(project=project)
    places = [
        services.sign_up(
            opportunity, resident=UserFactory(display_name=name), access_needs_note="X"
        )
        for name in ("Rita Resident", "Oscar Other")
    ]
    url = reverse("participation:cancel_opportunity", args=[opportunity.pk])

    def cancel(person):
        def post():
            client = Client()  # each press is its own request, on its own connection
            client.force_login(person)
            return client.post(url, {"reason": "The room flooded."}).status_code

        return post

    # Two staff, and a double click, at the same moment.
    statuses, errors = run_at_once([cancel(owner), cancel(colleague), cancel(colleague)])

    assert errors == []
    assert statuses == [302, 302, 302]
    told = _told()
    assert sorted(m.recipient.display_name for m in told) == ["Sam Staff", "Stella Staff"]
    for message in told:
        assert all(place.get_absolute_url() in message.body_text for place in places)
    assert Message.objects.filter(kind="opportunity_cancelled").count() == 2
