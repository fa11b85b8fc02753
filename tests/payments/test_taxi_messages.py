"""The person hears when staff agree a taxi for their place, and when staff withdraw it: a
taxi they were told we would pay for is money they may be about to spend. A taxi that ends
because the place ends is told by the place's cancellation message, not by another one."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications import services as notifications
from notifications.kinds import Category
from notifications.models import Message
from participation import services as participation_services
from participation.models import Opportunity, Profile, SignUp
from payments import services
from payments.models import TaxiAgreement
from payments.services import PaymentError
from tests.concurrency import exactly_one_refused, run_at_once

from .factories import OpportunityFactory, SignUpFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(policy, project_with_team, staff):
    starts = (timezone.now() + timedelta(days=7)).replace(hour=10, minute=0, second=0)
    return OpportunityFactory(
        project=project_with_team,
        created_by=staff,
        title="Carers' forum",
        starts_at=starts,
        status=Opportunity.Status.PUBLISHED,
        contact_name="Priya Shah",
        contact_phone="01632 960 123",
        contact_email="priya.shah@anytown.example",
    )


@pytest.fixture
def place(session, resident):
    return SignUpFactory(opportunity=session, resident=resident, attendance="")


def _words(text: str) -> str:
    return " ".join(text.split())


def _taxi_messages(person):
    return Message.objects.filter(recipient=person, kind__startswith="taxi_").order_by("pk")


def test_staff_agreeing_a_taxi_tell_the_person_what_was_agreed_and_that_they_can_claim_it(
    client, team_member, session, place, resident
):
    client.force_login(team_member)
    client.post(
        reverse("payments:taxis", args=[session.pk]),
        {"agree": str(place.pk), "note": "There and back from home"},
    )

    message = _taxi_messages(resident).get()
    assert message.kind == "taxi_agreed"
    assert message.status == Message.Status.PENDING
    assert message.subject == "Taxi agreed: Carers' forum"
    body = _words(message.body_text)
    assert "You can take a taxi to Carers' forum on" in body
    assert "What we agreed: There and back from home" in body
    assert "Keep the receipt. After the session, claim the fare with your expenses" in body
    assert place.get_absolute_url() in body
    assert "Contact Priya Shah on 01632 960 123 or at priya.shah@anytown.example." in body


def test_the_agreed_message_is_optional_like_other_news_about_a_place(staff, place, resident):
    notifications.unsubscribe(resident.pk, Category.SIGN_UPS)

    services.agree_taxi(place, by=staff)

    assert _taxi_messages(resident).get().status == Message.Status.SKIPPED


def test_staff_withdrawing_it_tell_the_person_plainly_we_will_not_pay_and_whom_to_contact(
    client, team_member, staff, session, place, resident
):
    agreement = services.agree_taxi(place, by=staff)
    client.force_login(team_member)

    client.post(reverse("payments:taxis", args=[session.pk]), {"withdraw": str(agreement.pk)})

    agreed, withdrawn = _taxi_messages(resident)
    assert (agreed.kind, withdrawn.kind) == ("taxi_agreed", "taxi_withdrawn")
    assert withdrawn.subject == "We will no longer pay for your taxi to Carers' forum"
    body = _words(withdrawn.body_text)
    assert "We will no longer pay for your taxi to Carers' forum." in body
    assert "Your place is still booked." in body
    assert "Contact Priya Shah on 01632 960 123 or at priya.shah@anytown.example" in body


def test_without_a_contact_for_the_session_the_withdrawal_gives_ours(
    settings, staff, session, place, resident
):
    Opportunity.objects.filter(pk=session.pk).update(contact_phone="", contact_email="")
    place = SignUp.objects.get(pk=place.pk)

    services.withdraw_taxi(services.agree_taxi(place, by=staff), by=staff)

    body = _words(_taxi_messages(resident).get(kind="taxi_withdrawn").body_text)
    assert f"Email {settings.SUPPORT_EMAIL} or call us on {settings.SUPPORT_PHONE}" in body


def test_the_withdrawal_comes_even_to_someone_who_stopped_news_about_places(staff, place, resident):
    notifications.unsubscribe(resident.pk, Category.SIGN_UPS)

    services.withdraw_taxi(services.agree_taxi(place, by=staff), by=staff)

    assert _taxi_messages(resident).get(kind="taxi_withdrawn").status == Message.Status.PENDING
    assert "stop" not in _words(_taxi_messages(resident).get(kind="taxi_withdrawn").body_text)


def test_the_person_cancelling_their_own_place_gets_no_taxi_withdrawn_message(
    client, resident, staff, place
):
    services.agree_taxi(place, by=staff)
    client.force_login(resident)

    client.post(reverse("participation:cancel", args=[place.pk]))

    assert not TaxiAgreement.objects.live().exists()
    assert list(_taxi_messages(resident).values_list("kind", flat=True)) == ["taxi_agreed"]
    assert Message.objects.filter(recipient=resident, kind="signup_cancelled").exists()


def test_staff_cancelling_the_place_send_only_the_cancellation_too(staff, team_member, place):
    services.agree_taxi(place, by=team_member)

    participation_services.cancel_sign_up(place, by=staff)

    assert list(_taxi_messages(place.resident).values_list("kind", flat=True)) == ["taxi_agreed"]
    assert Message.objects.filter(recipient=place.resident, kind="signup_cancelled").exists()


def test_an_agreement_refused_tells_nobody_anything(staff, team_member, place, resident):
    services.agree_taxi(place, by=staff)

    with pytest.raises(PaymentError):
        services.agree_taxi(place, by=team_member)

    assert _taxi_messages(resident).count() == 1


def test_a_withdrawn_taxi_is_taken_off_the_call_list_before_anyone_phones_it_through(
    staff, place, resident
):
    Profile.objects.create(user=resident, contact_by="post_or_phone", phone="01632 960 999")
    agreement = services.agree_taxi(place, by=staff)
    assert _taxi_messages(resident).get().status == Message.Status.CALL_LIST

    services.withdraw_taxi(agreement, by=staff)

    agreed, withdrawn = _taxi_messages(resident)
    assert agreed.status == Message.Status.WITHDRAWN
    assert withdrawn.status == Message.Status.CALL_LIST


def test_agreeing_again_after_a_withdrawal_tells_the_person_again(staff, place, resident):
    services.withdraw_taxi(services.agree_taxi(place, by=staff), by=staff)

    services.agree_taxi(place, by=staff, note="One way only")

    kinds = list(_taxi_messages(resident).values_list("kind", flat=True))
    assert kinds == ["taxi_agreed", "taxi_withdrawn", "taxi_agreed"]
    assert "One way only" in _taxi_messages(resident).last().body_text


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_staff_withdrawing_at_once_send_one_withdrawal(staff, team_member, place):
    agreement = services.agree_taxi(place, by=staff)

    _, errors = run_at_once(
        [
            lambda: services.withdraw_taxi(agreement, by=staff),
            lambda: services.withdraw_taxi(agreement, by=team_member),
        ]
    )

    assert exactly_one_refused(errors, PaymentError), errors
    assert _taxi_messages(place.resident).filter(kind="taxi_withdrawn").count() == 1
