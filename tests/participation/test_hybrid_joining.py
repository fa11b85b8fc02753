"""A hybrid session ("In person or online"): people say how they will join, staff see how
many come in person and online, and each person's messages say where to go or how to join."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from notifications.models import Message
from notifications.reminders import send_due_reminders
from participation import services
from participation.models import Opportunity, SignUp
from tests.factories import UserFactory

from .factories import OpportunityFactory, VenueFactory

pytestmark = pytest.mark.django_db

LINK = "https://meet.example/carers-forum"
IN_PERSON, ONLINE = SignUp.Joining.IN_PERSON, SignUp.Joining.ONLINE


def _hybrid(**fields):
    return OpportunityFactory(
        title="Carers' forum",
        format=Opportunity.Format.HYBRID,
        venue=VenueFactory(name="Northfield Library", address="1 High Street", postcode=""),
        online_details=f"Join on {LINK}",
        **fields,
    )


def _radio(value, html) -> bool:
    return bool(re.search(rf'type="radio"\s*name="joining"[^>]*value="{value}"', html))


def _checked(value, html) -> bool:
    return bool(re.search(rf'name="joining"[^>]*value="{value}"\s*checked', html))


def _url(name, thing):
    return reverse(f"participation:{name}", args=[thing.pk])


# --- Services -------------------------------------------------------------------------


def test_signing_up_to_a_hybrid_session_needs_how_you_will_join(resident, staff):
    opportunity = _hybrid(created_by=staff)

    with pytest.raises(services.ParticipationError) as refused:
        services.sign_up(opportunity, resident=resident)
    with pytest.raises(services.ParticipationError) as refused_for_them:
        services.sign_up(opportunity, resident=resident, by=staff, joining="by pigeon")

    assert str(refused.value) == "Choose how you will join: in person or online"
    assert refused.value.field == "joining"
    assert str(refused_for_them.value) == "Choose how they will join: in person or online"
    assert not SignUp.objects.exists()
    assert not Message.objects.exists()


def test_how_someone_will_join_is_kept_and_only_for_a_hybrid_session(resident, other_resident):
    hybrid = services.sign_up(_hybrid(), resident=resident, joining=ONLINE)
    online_only = services.sign_up(OpportunityFactory(), resident=other_resident, joining=ONLINE)

    hybrid.refresh_from_db()
    online_only.refresh_from_db()
    assert hybrid.joining == ONLINE
    assert online_only.joining == ""  # the session is held one way: nothing to ask


def test_someone_on_the_waiting_list_keeps_how_they_said_they_would_join(resident, other_resident):
    opportunity = _hybrid(capacity=1)
    booked = services.sign_up(opportunity, resident=other_resident, joining=IN_PERSON)
    waiting = services.sign_up(opportunity, resident=resident, joining=ONLINE)
    assert waiting.status == SignUp.Status.WAITING

    services.cancel_sign_up(booked, by=other_resident)

    waiting.refresh_from_db()
    assert (waiting.status, waiting.joining) == (SignUp.Status.OFFERED, ONLINE)


def test_the_person_changes_how_they_will_join_until_the_session_starts(resident):
    opportunity = _hybrid()
    place = services.sign_up(opportunity, resident=resident, joining=IN_PERSON)

    services.change_joining(place, by=resident, joining=ONLINE)
    place.refresh_from_db()
    assert place.joining == ONLINE

    with pytest.raises(services.ParticipationError, match="already started"):
        services.change_joining(
            place, by=resident, joining=IN_PERSON, now=opportunity.starts_at + timedelta(1)
        )
    with pytest.raises(services.ParticipationError, match="in person or online"):
        services.change_joining(place, by=resident, joining="")
    services.cancel_sign_up(place, by=resident)
    with pytest.raises(services.ParticipationError, match="cancelled"):
        services.change_joining(place, by=resident, joining=IN_PERSON)
    place.refresh_from_db()
    assert place.joining == ONLINE


def test_there_is_nothing_to_change_on_a_session_held_one_way(resident):
    place = services.sign_up(OpportunityFactory(), resident=resident)

    with pytest.raises(services.ParticipationError, match="online only"):
        services.change_joining(place, by=resident, joining=IN_PERSON)


# --- The resident's sign-up page ---------------------------------------------------------


def test_the_sign_up_page_asks_how_you_will_join_only_a_hybrid_session(client, resident):
    client.force_login(resident)

    hybrid = client.get(_url("sign_up", _hybrid())).text
    online = client.get(_url("sign_up", OpportunityFactory())).text

    assert "How will you join?" in hybrid
    assert _radio("in_person", hybrid) and _radio("online", hybrid)
    # Asked first: how they join decides some of what they need.
    assert hybrid.index("How will you join?") < hybrid.index('name="access_needs_note"')
    assert "How will you join?" not in online and 'name="joining"' not in online


def test_signing_up_without_saying_how_says_so_and_keeps_what_was_typed(client, resident):
    opportunity = _hybrid()
    client.force_login(resident)

    response = client.post(_url("sign_up", opportunity), {"access_needs_note": "A quiet seat"})

    assert response.status_code == 200
    text = response.text
    assert "There is a problem" in text
    assert '<a href="#id_joining_1">Choose how you will join: in person or online</a>' in text
    assert text.startswith("<!DOCTYPE html>") and "<title>Error:" in text
    assert "A quiet seat</textarea>" in text
    # Asked as it was: they have told us of no needs, so nothing "else".
    assert "Is there anything you need for this session? (optional)" in text
    assert not SignUp.objects.exists()


def test_every_mistake_is_said_at_once(client, resident):
    client.force_login(resident)

    response = client.post(_url("sign_up", _hybrid()), {"access_needs_note": "x" * 2001})

    text = response.text
    assert "Choose how you will join: in person or online" in text
    assert "#id_access_needs_note" in text
    # The error summary follows the page: the question about joining comes first.
    assert text.index('href="#id_joining_1"') < text.index('href="#id_access_needs_note"')
    assert not SignUp.objects.exists()


def test_a_bad_answer_is_refused_and_the_note_kept(client, resident):
    client.force_login(resident)

    response = client.post(
        _url("sign_up", _hybrid()), {"access_needs_note": "Step-free", "joining": "teleport"}
    )

    assert "Choose one of the options shown" in response.text
    assert "Step-free</textarea>" in response.text
    assert not SignUp.objects.exists()


def test_signing_up_in_person_or_online_books_the_place(client, resident):
    opportunity = _hybrid()
    client.force_login(resident)

    response = client.post(_url("sign_up", opportunity), {"joining": "online"})

    place = SignUp.objects.get(resident=resident)
    assert response.status_code == 302 and response.url == place.get_absolute_url()
    assert (place.status, place.joining) == (SignUp.Status.BOOKED, ONLINE)


def test_going_to_change_your_needs_keeps_the_answer_for_when_you_come_back(client, resident):
    opportunity = _hybrid()
    client.force_login(resident)

    client.post(
        _url("sign_up", opportunity),
        {"change_needs": "1", "joining": "online", "access_needs_note": "Captions"},
    )
    text = client.get(_url("sign_up", opportunity)).text

    assert _checked("online", text)
    assert "Captions</textarea>" in text


# --- Staff signing someone up -------------------------------------------------------------


def test_staff_signing_someone_up_say_how_they_will_join(client, staff, resident):
    opportunity = _hybrid(created_by=staff)
    client.force_login(staff)
    url = _url("sign_up_person", opportunity)

    page = client.get(url, {"q": resident.email}).text
    assert "How will they join?" in page
    missing = client.post(url, {"q": resident.email, "access_needs_note": "Large print"})
    assert '<a href="#id_joining_1">Choose how they will join: in person or online</a>' in (
        missing.text
    )
    assert "Large print</textarea>" in missing.text
    assert not SignUp.objects.exists()

    done = client.post(url, {"q": resident.email, "joining": "in_person"})

    assert done.status_code == 302
    place = SignUp.objects.get(resident=resident)
    assert (place.joining, place.signed_up_by) == (IN_PERSON, staff)


def test_staff_adding_someone_new_say_how_they_will_join(client, staff):
    opportunity = _hybrid(created_by=staff)
    client.force_login(staff)
    url = _url("add_person", opportunity)
    data = {
        "display_name": "Pat Offline",
        "phone": "01632 960 001",
        "contact_by": "post_or_phone",
    }

    missing = client.post(url, data)
    assert "Choose how they will join: in person or online" in missing.text
    assert 'value="Pat Offline"' in missing.text
    assert not SignUp.objects.exists()

    client.post(url, {**data, "joining": "online"})

    assert SignUp.objects.get(resident__display_name="Pat Offline").joining == ONLINE


def test_staff_are_not_asked_for_a_session_held_one_way(client, staff, resident):
    opportunity = OpportunityFactory(created_by=staff)
    client.force_login(staff)

    page = client.get(_url("sign_up_person", opportunity), {"q": resident.email}).text
    new_person = client.get(_url("add_person", opportunity)).text

    assert "How will they join?" not in page + new_person


def test_a_persons_data_export_says_how_they_said_they_would_join(resident):
    from participation import privacy

    services.sign_up(_hybrid(), resident=resident, joining=ONLINE)

    assert privacy.export(resident)["sign_ups"][0]["how_you_will_join"] == "Online"


# --- The person's place ------------------------------------------------------------------


def test_the_place_page_says_how_you_will_join_and_only_online_joiners_see_the_link(
    client, resident, other_resident
):
    opportunity = _hybrid()
    online = services.sign_up(opportunity, resident=resident, joining=ONLINE)
    in_person = services.sign_up(opportunity, resident=other_resident, joining=IN_PERSON)

    client.force_login(resident)
    online_page = client.get(online.get_absolute_url()).text
    client.force_login(other_resident)
    in_person_page = client.get(in_person.get_absolute_url()).text

    assert "How you will join" in online_page and "Online" in online_page
    assert LINK in online_page and "Northfield Library" not in online_page
    assert "Northfield Library" in in_person_page and LINK not in in_person_page
    assert f'href="{_url("joining", online)}"' in online_page


def test_the_person_changes_how_they_will_join_from_their_place(client, resident):
    place = services.sign_up(_hybrid(), resident=resident, joining=IN_PERSON)
    client.force_login(resident)
    url = _url("joining", place)

    form = client.get(url).text
    assert "<h1" in form and "How will you join?" in form
    assert _checked("in_person", form) and not _checked("online", form)
    response = client.post(url, {"joining": "online"}, follow=True)

    place.refresh_from_db()
    assert place.joining == ONLINE
    assert "Saved. You will join online. How to join is on this page." in response.text
    assert LINK in response.text


def test_changing_without_an_answer_says_so(client, resident):
    place = services.sign_up(_hybrid(), resident=resident, joining=IN_PERSON)
    client.force_login(resident)

    response = client.post(_url("joining", place), {})

    assert '<a href="#id_joining_1">Choose how you will join: in person or online</a>' in (
        response.text
    )
    place.refresh_from_db()
    assert place.joining == IN_PERSON


def test_staff_running_the_session_change_it_for_someone_and_others_cannot_see_it(
    client, resident, other_resident, staff, other_staff
):
    place = services.sign_up(_hybrid(created_by=staff), resident=resident, joining=IN_PERSON)
    url = _url("joining", place)

    client.force_login(other_resident)
    assert client.get(url).status_code == 404
    client.force_login(other_staff)
    assert client.get(url).status_code == 404
    client.force_login(staff)
    assert "How will they join?" in client.get(url).text
    response = client.post(url, {"joining": "online"}, follow=True)

    assert "Saved. Rita Resident will join online." in response.text
    place.refresh_from_db()
    assert place.joining == ONLINE


def test_a_session_held_one_way_has_no_joining_page(client, resident):
    place = services.sign_up(OpportunityFactory(), resident=resident)
    client.force_login(resident)

    assert client.get(_url("joining", place)).status_code == 404
    assert _url("joining", place) not in client.get(place.get_absolute_url()).text


# --- Staff's manage page and register ----------------------------------------------------


def test_the_manage_page_counts_in_person_and_online_and_shows_each(client, staff):
    opportunity = _hybrid(created_by=staff)
    for name, joining in [("Ann In", IN_PERSON), ("Bo In", IN_PERSON), ("Cy Online", ONLINE)]:
        services.sign_up(opportunity, resident=UserFactory(display_name=name), joining=joining)
    # Booked before we asked: not said.
    SignUp.objects.create(
        opportunity=opportunity,
        resident=UserFactory(display_name="Di Before"),
        status=SignUp.Status.BOOKED,
    )
    client.force_login(staff)

    text = client.get(_url("manage", opportunity)).text

    assert "2 coming in person, 1 joining online, 1 not said." in text
    assert '<th scope="col" class="govuk-table__header">Joining</th>' in text
    assert '<td class="govuk-table__cell">Online</td>' in text
    assert '<td class="govuk-table__cell">Not said</td>' in text


def test_the_manage_page_of_a_session_held_one_way_does_not_ask(client, staff, resident):
    opportunity = OpportunityFactory(created_by=staff)
    services.sign_up(opportunity, resident=resident)
    client.force_login(staff)

    text = client.get(_url("manage", opportunity)).text

    assert "joining online" not in text and ">Joining</th>" not in text


def test_the_manage_page_reads_as_many_queries_for_many_people(
    client, staff, make_residents, django_assert_max_num_queries
):
    opportunity = _hybrid(created_by=staff, capacity=40)
    client.force_login(staff)
    for person in make_residents(2):
        services.sign_up(opportunity, resident=person, joining=IN_PERSON)
    with CaptureQueriesContext(connection) as few:
        client.get(_url("manage", opportunity))
    for n, person in enumerate(make_residents(20)):
        services.sign_up(opportunity, resident=person, joining=[IN_PERSON, ONLINE][n % 2])

    with django_assert_max_num_queries(len(few)):
        response = client.get(_url("manage", opportunity))

    assert "12 coming in person, 10 joining online." in response.text


def test_the_register_download_says_how_each_person_joins(client, staff):
    hybrid = _hybrid(created_by=staff)
    services.sign_up(hybrid, resident=UserFactory(display_name="Ann In"), joining=IN_PERSON)
    services.sign_up(hybrid, resident=UserFactory(display_name="Cy Online"), joining=ONLINE)
    online_only = OpportunityFactory(created_by=staff)
    services.sign_up(online_only, resident=UserFactory(display_name="Ed Elsewhere"))
    client.force_login(staff)

    def rows(opportunity):
        response = client.get(_url("attendance_csv", opportunity))
        content = b"".join(response.streaming_content).decode("utf-8-sig")
        table = list(csv.reader(io.StringIO(content)))
        column = table[0].index("How they join")
        return {row[0]: row[column] for row in table[1:]}

    assert rows(hybrid) == {"Ann In": "In person", "Cy Online": "Online"}
    assert rows(online_only) == {"Ed Elsewhere": "Online"}


# --- Messages ------------------------------------------------------------------------------


def _message(kind, person):
    return Message.objects.get(kind=kind, recipient=person)


def test_the_confirmation_says_where_to_go_or_how_to_join(resident, other_resident, staff):
    opportunity = _hybrid()
    online = services.sign_up(opportunity, resident=resident, joining=ONLINE)
    services.sign_up(opportunity, resident=other_resident, by=staff, joining=IN_PERSON)

    to_online = _message("signup_confirmed", resident).body_text
    to_in_person = _message("signup_confirmed", other_resident).body_text

    assert "Where: Online" in to_online
    assert f"How to join: Join on {LINK}" in to_online
    assert "Northfield Library" not in to_online
    assert "You told us you will join online. To change this, go to your place:" in to_online
    assert online.get_absolute_url() in to_online
    assert "Where: Northfield Library, 1 High Street\n" in to_in_person
    assert "(or online)" not in to_in_person and LINK not in to_in_person
    assert "Sam Staff told us you will come in person." in to_in_person


def test_someone_who_never_said_is_told_both_as_before(resident):
    opportunity = _hybrid()
    place = SignUp.objects.create(
        opportunity=opportunity, resident=resident, status=SignUp.Status.BOOKED
    )

    assert (
        opportunity.location_for(place.joining) == "Northfield Library, 1 High Street (or online)"
    )
    assert opportunity.joining_details_for(place.joining) == f"Join on {LINK}"


def test_reminders_say_where_to_go_or_how_to_join(resident, other_resident):
    opportunity = _hybrid(starts_at=timezone.now() + timedelta(days=10))
    services.sign_up(opportunity, resident=resident, joining=ONLINE)
    services.sign_up(opportunity, resident=other_resident, joining=IN_PERSON)

    # Both are due by half an hour before the start (the sweep catches up on missed ones).
    send_due_reminders(now=opportunity.starts_at - timedelta(minutes=30))

    for kind in ("reminder_two_days", "reminder_on_the_day"):
        to_online = _message(kind, resident).body_text
        to_in_person = _message(kind, other_resident).body_text
        assert f"How to join: Join on {LINK}" in to_online, kind
        assert "Where:" not in to_online and "Northfield Library" not in to_online, kind
        assert "Where: Northfield Library, 1 High Street" in to_in_person, kind
        assert LINK not in to_in_person and "(or online)" not in to_in_person, kind


def test_a_new_joining_link_goes_only_to_people_joining_online(resident, other_resident, staff):
    opportunity = _hybrid(created_by=staff)
    services.sign_up(opportunity, resident=resident, joining=ONLINE)
    services.sign_up(opportunity, resident=other_resident, joining=IN_PERSON)

    services.update_opportunity(
        opportunity, by=staff, online_details="Join on https://meet.example/new-room"
    )

    to_online = _message("opportunity_changed", resident).body_text
    to_in_person = _message("opportunity_changed", other_resident).body_text
    assert "How to join: Join on https://meet.example/new-room" in to_online
    assert "meet.example" not in to_in_person


def test_calendar_files_for_each_person_say_where_to_go_or_how_to_join(resident, other_resident):
    from participation import calendar

    opportunity = _hybrid()
    online = services.sign_up(opportunity, resident=resident, joining=ONLINE)
    in_person = services.sign_up(opportunity, resident=other_resident, joining=IN_PERSON)

    to_online = calendar.signup_attachment(online.pk)[1]
    to_in_person = calendar.signup_attachment(in_person.pk)[1]

    assert "LOCATION:Online" in to_online and "meet.example" in to_online
    assert "LOCATION:Northfield Library\\, 1 High Street\r\n" in to_in_person
    assert "meet.example" not in to_in_person


# --- The waiting list and places offered ---------------------------------------------------
# People waiting said how they would join when they signed up (the same question), and
# taking up an offer keeps it: their messages say where they go, or that they join online.


def _full_with_waiting(people):
    """A hybrid session with its one place taken, and these (person, joining) waiting."""
    opportunity = _hybrid(capacity=1)
    holder = services.sign_up(opportunity, resident=UserFactory(), joining=IN_PERSON)
    waiting = [
        services.sign_up(opportunity, resident=person, joining=joining)
        for person, joining in people
    ]
    return holder, waiting


def _words(text) -> str:
    return " ".join(text.split())


def test_the_waiting_list_message_says_where_to_go_or_that_they_join_online(
    resident, other_resident
):
    _full_with_waiting([(resident, ONLINE), (other_resident, IN_PERSON)])

    to_online = _message("waiting_list_joined", resident).body_text
    to_in_person = _message("waiting_list_joined", other_resident).body_text

    assert "Where: Online\n" in to_online
    assert "You told us you will join online. If you get a place, we will send you how to" in (
        to_online
    )
    assert "Northfield Library" not in to_online and LINK not in to_online
    assert "Where: Northfield Library, 1 High Street\n" in to_in_person
    assert "You told us you will come in person." in to_in_person
    assert "(or online)" not in to_in_person and LINK not in to_in_person


def test_staff_putting_someone_on_the_waiting_list_are_named_as_who_said(resident, staff):
    opportunity = _hybrid(capacity=1, created_by=staff)
    services.sign_up(opportunity, resident=UserFactory(), joining=IN_PERSON)

    services.sign_up(opportunity, resident=resident, by=staff, joining=ONLINE)

    assert (
        "Sam Staff told us you will join online."
        in _message("waiting_list_joined", resident).body_text
    )


def test_the_offer_says_where_to_go_or_that_they_join_online(resident, other_resident):
    holder, (online, in_person) = _full_with_waiting(
        [(resident, ONLINE), (other_resident, IN_PERSON)]
    )
    Opportunity.objects.filter(pk=holder.opportunity_id).update(capacity=2)

    services.cancel_sign_up(holder, by=holder.resident)

    to_online = _message("place_offered", resident).body_text
    to_in_person = _message("place_offered", other_resident).body_text
    assert "Where: Online\n" in to_online
    assert "Once you accept the place, we will send you how to join." in to_online
    assert "Northfield Library" not in to_online and LINK not in to_online
    assert "Where: Northfield Library, 1 High Street\n" in to_in_person
    assert "You told us you will come in person." in to_in_person
    assert "(or online)" not in to_in_person and LINK not in to_in_person


def test_someone_offered_a_place_who_never_said_is_told_they_can_choose(resident):
    holder, _ = _full_with_waiting([])
    # On the list before we asked: nothing said.
    SignUp.objects.create(
        opportunity=holder.opportunity,
        resident=resident,
        status=SignUp.Status.WAITING,
        waiting_since=timezone.now(),
    )

    services.cancel_sign_up(holder, by=holder.resident)

    offer = _words(_message("place_offered", resident).body_text)
    assert "Where: Northfield Library, 1 High Street (or online)" in offer
    assert (
        "You can choose to come in person or join online. Once you accept the place, tell us "
        "which on its page."
    ) in offer


def test_accepting_the_offer_keeps_how_they_said_and_sends_the_link_to_join(resident):
    holder, (offered,) = _full_with_waiting([(resident, ONLINE)])
    services.cancel_sign_up(holder, by=holder.resident)

    services.accept_offer(offered, by=resident)

    offered.refresh_from_db()
    assert (offered.status, offered.joining) == (SignUp.Status.BOOKED, ONLINE)
    confirmed = _message("signup_confirmed", resident).body_text
    assert "Where: Online" in confirmed and f"How to join: Join on {LINK}" in confirmed


def test_the_easy_read_waiting_list_message_says_they_join_online(resident):
    from notifications.services import body_in_format

    _, (waiting,) = _full_with_waiting([(resident, ONLINE)])
    context = {
        "recipient": resident,
        "signup": waiting,
        "opportunity": waiting.opportunity,
        "position": 1,
    }

    easy_read = body_in_format("waiting_list_joined", "easy_read.txt", context, "")

    assert "You will join online.\nIf you get a place, we will send you how to join." in (easy_read)
    assert "Northfield Library" not in easy_read


def test_a_change_to_the_session_says_where_each_person_goes(resident, other_resident, staff):
    opportunity = _hybrid(created_by=staff)
    services.sign_up(opportunity, resident=resident, joining=ONLINE)
    services.sign_up(opportunity, resident=other_resident, joining=IN_PERSON)

    services.update_opportunity(opportunity, by=staff, venue=VenueFactory(name="Town Hall"))

    to_online = _message("opportunity_changed", resident).body_text
    to_in_person = _message("opportunity_changed", other_resident).body_text
    assert "Where: Online\n" in to_online and "Town Hall" not in to_online
    assert "Where: Town Hall" in to_in_person and "(or online)" not in to_in_person


def test_a_message_to_the_group_says_where_each_person_goes(resident, other_resident, staff):
    import uuid

    opportunity = _hybrid(created_by=staff)
    services.sign_up(opportunity, resident=resident, joining=ONLINE)
    services.sign_up(opportunity, resident=other_resident, joining=IN_PERSON)

    services.message_group(
        opportunity, by=staff, token=uuid.uuid4(), subject="Parking", text="Park at the back."
    )

    assert "Where: Online\n" in _message("group_message", resident).body_text
    to_in_person = _message("group_message", other_resident).body_text
    assert "Where: Northfield Library, 1 High Street\n" in to_in_person


def test_your_involvement_says_where_you_go_or_that_you_join_online(
    client, resident, other_resident
):
    opportunity = _hybrid()
    services.sign_up(opportunity, resident=resident, joining=ONLINE)
    services.sign_up(opportunity, resident=other_resident, joining=IN_PERSON)

    client.force_login(resident)
    online = client.get(reverse("participation:my")).text
    client.force_login(other_resident)
    in_person = client.get(reverse("participation:my")).text

    assert '<p class="govuk-body hub-break-words">Online</p>' in online
    assert "Northfield Library" not in online
    assert "Northfield Library, 1 High Street</p>" in in_person
    assert "(or online)" not in in_person
