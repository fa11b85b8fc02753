"""Someone with a taxi agreed for a hybrid session chooses to join it online: nobody travels,
so the taxi is withdrawn with the change, in one transaction. The person is told once, and
why; the staff who agreed it and run the session are told, to cancel a cab booked. Coming in
person again brings nothing back by itself, and no taxi is agreed for someone joining online.
"""

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from notifications.models import Message
from participation import services as participation_services
from participation.models import Opportunity, SignUp
from payments import services
from payments.models import Claim, ClaimLine, TaxiAgreement
from payments.services import PaymentError
from tests.concurrency import exactly_one_refused, run_at_once
from tests.participation.factories import VenueFactory

from .factories import OpportunityFactory, SignUpFactory, claim_in_state
from .test_taxi_claims import _taxi

pytestmark = pytest.mark.django_db

IN_PERSON, ONLINE = SignUp.Joining.IN_PERSON, SignUp.Joining.ONLINE


@pytest.fixture
def session(policy, project_with_team, staff):
    """A hybrid forum next week that pays expenses, run by Sam Staff's project with Tara Team
    on the team."""
    starts = (timezone.now() + timedelta(days=7)).replace(hour=10, minute=0, second=0)
    return OpportunityFactory(
        project=project_with_team,
        created_by=staff,
        title="Carers' forum",
        format=Opportunity.Format.HYBRID,
        venue=VenueFactory(name="Northfield Library"),
        online_details="Join on https://meet.example/forum",
        starts_at=starts,
        status=Opportunity.Status.PUBLISHED,
        contact_name="Priya Shah",
        contact_phone="01632 960 123",
        contact_email="",
    )


@pytest.fixture
def place(session, resident):
    return SignUpFactory(opportunity=session, resident=resident, attendance="", joining=IN_PERSON)


@pytest.fixture
def taxi(place, team_member):
    return services.agree_taxi(place, by=team_member, note="There and back from home")


def _words(text: str) -> str:
    return " ".join(text.split())


def _withdrawn_messages(person):
    return Message.objects.filter(recipient=person, kind="taxi_withdrawn")


def _staff_told(kind="joining_changed"):
    return {
        message.recipient.display_name: message for message in Message.objects.filter(kind=kind)
    }


# --- The taxi goes with the change ---------------------------------------------------------


def test_joining_online_withdraws_the_taxi_and_tells_the_person_once_and_why(resident, place, taxi):
    changed = participation_services.change_joining(place, by=resident, joining=ONLINE)

    taxi.refresh_from_db()
    assert not taxi.is_live and taxi.withdrawn_by == resident
    assert changed.taxi_withdrawn == taxi
    message = _withdrawn_messages(resident).get()
    assert message.subject == "You will join online, so no taxi: Carers' forum"
    body = _words(message.body_text)
    assert "You told us you will join Carers' forum online." in body
    assert "we will no longer pay for the taxi we agreed for you" in body
    assert "Your place is still booked." in body
    assert "Have you already booked or paid for a taxi? Please cancel it if you can." in body
    assert "contact Priya Shah on 01632 960 123" in body
    assert "The taxi does not come back by itself" in body
    # The person is the one told: they are not also sent a message as if staff had withdrawn it.
    assert "The staff running the session have withdrawn" not in body


def test_choosing_online_again_changes_nothing_and_tells_nobody_again(resident, place, taxi):
    participation_services.change_joining(place, by=resident, joining=ONLINE)
    again = participation_services.change_joining(place, by=resident, joining=ONLINE)

    assert again.taxi_withdrawn is None
    assert _withdrawn_messages(resident).count() == 1
    assert Message.objects.filter(kind="joining_changed").count() == 2  # Sam and Tara, once


def test_staff_moving_someone_online_withdraw_it_as_themselves_and_the_person_hears_who(
    staff, resident, place, taxi
):
    participation_services.change_joining(place, by=staff, joining=ONLINE)

    taxi.refresh_from_db()
    assert taxi.withdrawn_by == staff
    assert "Sam Staff told us you will join Carers' forum online." in _words(
        _withdrawn_messages(resident).get().body_text
    )


def test_the_audit_trail_says_who_withdrew_it_and_why(resident, place, taxi):
    participation_services.change_joining(place, by=resident, joining=ONLINE)

    withdrawn = LogEntry.objects.get_for_object(taxi).order_by("pk").last()
    assert (withdrawn.action, withdrawn.actor) == (LogEntry.Action.UPDATE, resident)
    assert withdrawn.changes["withdrawn_by"] == [None, str(resident.pk)]
    assert withdrawn.additional_data == {"reason": "joining_online"}


def test_staff_withdrawing_a_taxi_on_its_own_give_no_such_reason(staff, taxi):
    services.withdraw_taxi(taxi, by=staff)

    assert LogEntry.objects.get_for_object(taxi).order_by("pk").last().additional_data is None


def test_the_staff_who_agreed_it_and_run_the_session_are_told_to_cancel_a_cab(
    resident, place, taxi
):
    participation_services.change_joining(place, by=resident, joining=ONLINE)

    told = _staff_told()
    assert set(told) == {"Sam Staff", "Tara Team"}  # the owner, and the team member who agreed
    to_agreer = _words(told["Tara Team"].body_text)
    to_owner = _words(told["Sam Staff"].body_text)
    assert told["Tara Team"].subject == "A taxi is no longer needed for Carers' forum"
    assert "Someone with a place at Carers' forum will now join online, not in person." in (
        to_agreer
    )
    assert "You agreed it on" in to_agreer and "Tara Team agreed it on" in to_owner
    assert "If a taxi is booked for them, please cancel it." in to_owner
    assert place.get_absolute_url() in to_owner
    # Not who it is, nor what they need: the link shows it to those who may see it.
    assert "Rita" not in to_owner and "access needs" not in to_owner


def test_the_member_of_staff_making_the_change_is_not_told_what_they_just_did(staff, place, taxi):
    participation_services.change_joining(place, by=staff, joining=ONLINE)

    told = _staff_told()
    assert set(told) == {"Tara Team"}
    assert "Sam Staff changed this for them." in _words(told["Tara Team"].body_text)


def test_a_commissioner_who_agreed_it_is_told_though_they_do_not_run_it(
    commissioner, resident, place
):
    services.agree_taxi(place, by=commissioner)

    participation_services.change_joining(place, by=resident, joining=ONLINE)

    assert set(_staff_told()) == {"Sam Staff", "Tara Team", "Connor Commissioner"}


def test_joining_online_without_a_taxi_withdraws_nothing_and_tells_staff_nothing(resident, place):
    changed = participation_services.change_joining(place, by=resident, joining=ONLINE)

    assert changed.taxi_withdrawn is None
    assert not Message.objects.filter(kind__in=["taxi_withdrawn", "joining_changed"]).exists()


def test_coming_in_person_again_brings_nothing_back(resident, place, taxi):
    participation_services.change_joining(place, by=resident, joining=ONLINE)

    participation_services.change_joining(place, by=resident, joining=IN_PERSON)

    assert TaxiAgreement.objects.live_for(place.pk) is None
    assert list(
        Message.objects.filter(recipient=resident, kind__startswith="taxi_")
        .order_by("pk")
        .values_list("kind", flat=True)
    ) == ["taxi_agreed", "taxi_withdrawn"]
    # Staff told of no needs are not told of a way back in person: there is nothing of theirs
    # to change.
    assert Message.objects.filter(kind="joining_changed").count() == 2


def test_a_taxi_line_on_a_claim_not_yet_decided_no_longer_counts_as_agreed(
    resident, team_member, session
):
    # Attendance recorded for a session since moved later, say: a claim can be in draft.
    place = SignUpFactory(opportunity=session, resident=resident, joining=IN_PERSON)
    services.agree_taxi(place, by=team_member)
    draft = claim_in_state(resident, status=Claim.Status.DRAFT, signup=place, bus=0)
    line = _taxi(draft, resident)
    assert line.agreed_in_hub

    participation_services.change_joining(place, by=resident, joining=ONLINE)

    line = ClaimLine.objects.get(pk=line.pk)
    assert line.taxi_agreement is not None and not line.agreed_in_hub
    problems = [words for words, _ in services.submission_problems(draft)]
    assert any("the agreement we recorded has been withdrawn" in words for words in problems)


# --- Staff who may have arranged support ---------------------------------------------------


def test_staff_running_it_are_told_when_someone_with_needs_changes_how_they_join(resident, place):
    SignUp.objects.filter(pk=place.pk).update(access_needs_note="A hearing loop")

    participation_services.change_joining(place, by=resident, joining=ONLINE)
    participation_services.change_joining(place, by=resident, joining=IN_PERSON)

    to_owner = Message.objects.filter(kind="joining_changed", recipient__display_name="Sam Staff")
    online, in_person = (_words(message.body_text) for message in to_owner.order_by("pk"))
    assert "will now join online, not in person." in online
    assert "Did you arrange support for them in the room, such as an interpreter?" in online
    assert "will now come in person, not join online." in in_person
    assert "Check what they need to take part in the room instead." in in_person
    assert "taxi" not in online + in_person
    assert "hearing loop" not in online + in_person  # special category data stays out


def test_someone_on_the_waiting_list_changing_tells_no_staff(resident, place):
    SignUp.objects.filter(pk=place.pk).update(
        status=SignUp.Status.WAITING, access_needs_note="A hearing loop"
    )

    participation_services.change_joining(place, by=resident, joining=ONLINE)

    assert not Message.objects.filter(kind="joining_changed").exists()


# --- The joining page says so before the person chooses -------------------------------------


def _joining_page(client, person, place):
    client.force_login(person)
    return _words(client.get(reverse("participation:joining", args=[place.pk])).text)


TAXI_WARNING = (
    "A taxi is agreed for you. If you join online, we will no longer pay for it. We will tell "
    "you and the staff running the session, so a taxi booked can be cancelled."
)


def test_the_joining_page_warns_that_an_agreed_taxi_goes_if_they_join_online(
    client, resident, staff, place, taxi
):
    page = _joining_page(client, resident, place)
    for_staff = _joining_page(client, staff, place)

    assert f'<span class="govuk-visually-hidden">Warning</span>{TAXI_WARNING}' in page
    assert page.index(TAXI_WARNING) < page.index(">Save</button>")
    assert "A taxi is agreed for Rita Resident. If they join online" in for_staff


def test_without_a_taxi_there_is_no_warning(client, resident, place):
    page = _joining_page(client, resident, place)
    assert 'id="taxi-warning"' not in page and 'id="taxi-gone"' not in page


def test_after_the_switch_the_page_and_the_message_say_the_taxi_went_and_does_not_come_back(
    client, resident, place, taxi
):
    client.force_login(resident)
    url = reverse("participation:joining", args=[place.pk])

    saved = _words(client.post(url, {"joining": "online"}, follow=True).text)
    page = _joining_page(client, resident, place)

    assert (
        "Saved. You will join online. How to join is on this page. We will no longer pay for "
        "the taxi we agreed, and we have told the staff running the session."
    ) in saved
    assert "A taxi has been agreed" not in saved
    assert TAXI_WARNING not in page
    assert "The taxi agreed for you was withdrawn, as you now join online." in page
    assert "Coming in person does not bring it back" in page


def test_staff_switching_someone_online_read_that_the_taxi_went(client, staff, place, taxi):
    client.force_login(staff)

    saved = client.post(
        reverse("participation:joining", args=[place.pk]), {"joining": "online"}, follow=True
    )

    assert (
        "Saved. Rita Resident will join online. Their taxi is withdrawn: we have told them, and "
        "the others running it."
    ) in _words(saved.text)


def test_the_joining_page_says_staff_are_told_when_they_may_have_arranged_support(
    client, resident, staff, place
):
    assert 'id="support-told"' not in _joining_page(client, resident, place)
    SignUp.objects.filter(pk=place.pk).update(access_needs_note="A hearing loop")

    page = _joining_page(client, resident, place)
    for_staff = _joining_page(client, staff, place)

    assert (
        "You told us what you need to take part. If you change how you will join, we will tell "
        "the staff running the session, so they can change any support they arranged for you."
    ) in page
    assert "we will tell the others running the session who may have arranged support" in (
        for_staff
    )


# --- No taxi for someone joining online ----------------------------------------------------


def test_no_taxi_is_agreed_for_someone_joining_online(team_member, place):
    participation_services.change_joining(place, by=place.resident, joining=ONLINE)

    with pytest.raises(PaymentError) as refused:
        services.agree_taxi(place, by=team_member)

    assert str(refused.value) == (
        "Rita Resident will join online, so there is no journey to agree a taxi for. If they "
        "want to come in person now, change how they will join first."
    )
    assert not TaxiAgreement.objects.exists()


def test_someone_who_has_not_said_may_still_have_one(team_member, place):
    SignUp.objects.filter(pk=place.pk).update(joining="")

    assert services.agree_taxi(place, by=team_member).is_live


def test_the_taxis_page_offers_no_button_for_someone_joining_online_and_refuses_a_post(
    client, team_member, session, place, other_resident
):
    in_person = SignUpFactory(
        opportunity=session, resident=other_resident, attendance="", joining=IN_PERSON
    )
    SignUp.objects.filter(pk=place.pk).update(joining=ONLINE)
    client.force_login(team_member)
    url = reverse("payments:taxis", args=[session.pk])

    page = client.get(url).content.decode()
    online_row = page[page.index(f'id="taxi-{place.pk}"') :]
    online_row = online_row[: online_row.index("</tr>")]
    in_person_row = page[page.index(f'id="taxi-{in_person.pk}"') :]
    in_person_row = in_person_row[: in_person_row.index("</tr>")]
    assert "Joining online, so no taxi" in online_row and 'name="agree"' not in online_row
    assert 'name="agree"' in in_person_row

    response = client.post(url, {"agree": str(place.pk)}, follow=True)

    assert response.status_code == 200
    assert "Rita Resident will join online, so there is no journey" in _words(
        response.content.decode()
    )
    assert not TaxiAgreement.objects.exists()


# --- At the same moment (real PostgreSQL) --------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_changes_to_online_at_once_withdraw_the_taxi_once_and_tell_once(
    staff, resident, place, taxi
):
    _, errors = run_at_once(
        [
            lambda: participation_services.change_joining(place, by=resident, joining=ONLINE),
            lambda: participation_services.change_joining(place, by=staff, joining=ONLINE),
        ]
    )

    assert not errors, errors
    assert TaxiAgreement.objects.live_for(place.pk) is None
    assert _withdrawn_messages(resident).count() == 1
    assert LogEntry.objects.get_for_object(taxi).count() == 2  # agreed, withdrawn once
    # Each member of staff hears once, whoever's change it was.
    told = Message.objects.filter(kind="joining_changed")
    assert told.count() == len(set(told.values_list("recipient", flat=True))) >= 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_agreeing_a_taxi_while_the_person_moves_online_leaves_no_taxi_standing(
    team_member, resident, place
):
    """Whichever comes first: the agreement is refused, or made and then withdrawn (and the
    person told both). Never an agreement standing for someone who joins online."""
    for attempt in range(3):
        SignUp.objects.filter(pk=place.pk).update(joining=IN_PERSON)
        _, errors = run_at_once(
            [
                lambda: services.agree_taxi(place, by=team_member),
                lambda: participation_services.change_joining(place, by=resident, joining=ONLINE),
            ]
        )

        assert not errors or exactly_one_refused(errors, PaymentError), errors
        assert TaxiAgreement.objects.live_for(place.pk) is None, attempt
        agreed = Message.objects.filter(recipient=resident, kind="taxi_agreed").count()
        assert _withdrawn_messages(resident).count() == agreed


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_staff_withdrawing_it_while_the_person_moves_online_withdraw_it_once(
    team_member, resident, place, taxi
):
    _, errors = run_at_once(
        [
            lambda: services.withdraw_taxi(taxi, by=team_member),
            lambda: participation_services.change_joining(place, by=resident, joining=ONLINE),
        ]
    )

    assert not errors or exactly_one_refused(errors, PaymentError), errors
    place.refresh_from_db()
    assert place.joining == ONLINE
    assert TaxiAgreement.objects.live_for(place.pk) is None
    assert _withdrawn_messages(resident).count() == 1
