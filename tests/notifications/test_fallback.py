"""A message people must get (kinds.ALWAYS_SENT) that fails for good is passed on: a text
by email, else onto the staff call list, as is a failed email. Once per message, however
often it is tried again."""

from unittest import mock

import pytest
from django.urls import reverse

from notifications import services
from notifications.models import Message
from participation import services as participation
from participation.models import Profile
from tests.factories import UserFactory
from tests.participation.factories import OpportunityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def notify(settings):
    settings.NOTIFY_API_KEY = "test-key"
    settings.NOTIFY_EMAIL_TEMPLATE_ID = "email-template"
    settings.NOTIFY_SMS_TEMPLATE_ID = "sms-template"
    with mock.patch("notifications.channels._notify_client") as client:
        client.return_value.send_sms_notification.side_effect = RuntimeError(
            "400 ValidationError: phone_number Not a UK mobile number"
        )
        yield client.return_value


def texted(name, *, email=True):
    person = UserFactory(display_name=name)
    if not email:
        person.email = ""
        person.save()
    Profile.objects.create(user=person, contact_by=Profile.ContactBy.TEXT, phone="07700 900456")
    return person


def fail_for_good(message):
    """Try it as often as the worker would, each time failing."""
    for _ in range(services.MAX_ATTEMPTS):
        services.deliver_message(message.pk)
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED
    return message


def cancelled_session(person, staff, django_capture_on_commit_callbacks, **session):
    opportunity = OpportunityFactory(title="Carers' panel", created_by=staff, **session)
    participation.sign_up(opportunity, resident=person)
    with django_capture_on_commit_callbacks(execute=True):
        participation.cancel_opportunity(opportunity, by=staff, reason="The room flooded")
    return opportunity, Message.objects.get(kind="opportunity_cancelled", recipient=person)


def test_a_text_that_fails_for_good_goes_by_email_once(
    staff, notify, django_capture_on_commit_callbacks
):
    person = texted("Tia Texter")
    _, text = cancelled_session(person, staff, django_capture_on_commit_callbacks)
    assert text.channel == Message.Channel.SMS

    with django_capture_on_commit_callbacks(execute=True):
        fail_for_good(text)

    fallback = Message.objects.get(event_key=services.fallback_key(text))
    assert fallback.channel == Message.Channel.EMAIL
    assert fallback.to_address == person.email
    assert fallback.status == Message.Status.SENT
    sent = notify.send_email_notification.call_args.kwargs
    assert sent["email_address"] == person.email
    body = sent["personalisation"]["body"]
    assert "We could not send you this by text message, so here it is by email." in body
    assert "Carers' panel" in body

    # An admin tries the text again, and it fails again: still one email.
    with django_capture_on_commit_callbacks(execute=True):
        services.retry_message(text)
    with django_capture_on_commit_callbacks(execute=True):
        fail_for_good(text)
    assert Message.objects.filter(recipient=person, kind="opportunity_cancelled").count() == 2
    assert notify.send_email_notification.call_count == 1


def test_a_failed_text_to_someone_with_no_email_goes_on_the_call_list_of_the_session_staff(
    client, staff, other_staff, django_capture_on_commit_callbacks
):
    person = texted("Nia Noemail", email=False)
    opportunity, text = cancelled_session(person, staff, django_capture_on_commit_callbacks)

    fail_for_good(text)

    call = Message.objects.get(event_key=services.fallback_key(text))
    assert call.channel == call.status == Message.Status.CALL_LIST
    assert call.opportunity == opportunity
    assert call.body_text == text.body_text
    client.force_login(staff)
    page = client.get(reverse("notifications:call_list")).content.decode()
    assert "We could not send this by text message to 07700 900456." in page
    assert "Nia Noemail" in page
    client.force_login(other_staff)
    assert "Nia Noemail" not in client.get(reverse("notifications:call_list")).content.decode()


def test_an_email_that_fails_for_good_goes_on_the_call_list(
    staff, notify, django_capture_on_commit_callbacks
):
    notify.send_email_notification.side_effect = RuntimeError("400 BadRequestError")
    person = UserFactory(display_name="Emma Emailer")
    _, email = cancelled_session(person, staff, django_capture_on_commit_callbacks)
    assert email.channel == Message.Channel.EMAIL

    fail_for_good(email)
    # An admin tries it again, and it fails for good again: nothing more on the call list.
    services.retry_message(email)
    fail_for_good(email)

    call = Message.objects.get(event_key=services.fallback_key(email))
    assert call.status == Message.Status.CALL_LIST
    assert call.last_error == f"We could not send this by email to {person.email}."
    assert Message.objects.filter(recipient=person, status=Message.Status.CALL_LIST).count() == 1


def test_a_message_people_may_stop_is_not_passed_on(staff, django_capture_on_commit_callbacks):
    person = texted("Opal Optional")
    opportunity = OpportunityFactory(created_by=staff)
    with django_capture_on_commit_callbacks(execute=True):
        participation.sign_up(opportunity, resident=person)
    confirmation = Message.objects.get(kind="signup_confirmed")
    assert confirmation.channel == Message.Channel.SMS

    fail_for_good(confirmation)

    assert Message.objects.count() == 1


def test_a_text_that_fails_but_will_be_tried_again_is_not_passed_on(
    staff, django_capture_on_commit_callbacks
):
    person = texted("Pat Patience")
    _, text = cancelled_session(person, staff, django_capture_on_commit_callbacks)

    services.deliver_message(text.pk)

    text.refresh_from_db()
    assert text.status == Message.Status.PENDING
    assert not Message.objects.filter(event_key=services.fallback_key(text)).exists()


def test_a_call_passing_on_an_offer_is_taken_off_the_list_when_the_place_ends(
    staff, django_capture_on_commit_callbacks
):
    opportunity = OpportunityFactory(created_by=staff, capacity=1)
    first = participation.sign_up(opportunity, resident=UserFactory())
    waiting = participation.sign_up(opportunity, resident=texted("Wyn Waiting", email=False))
    participation.cancel_sign_up(first, by=first.resident)
    offer = Message.objects.get(kind="place_offered")
    assert offer.channel == Message.Channel.SMS
    fail_for_good(offer)
    call = Message.objects.get(event_key=services.fallback_key(offer))
    assert call.status == Message.Status.CALL_LIST

    participation.cancel_sign_up(waiting, by=waiting.resident)

    call.refresh_from_db()
    assert call.status == Message.Status.WITHDRAWN


def test_withdrawing_a_message_by_its_exact_key_takes_its_passed_on_call_off_too(
    staff, notify, django_capture_on_commit_callbacks
):
    """As taking a withdrawn taxi's message off the call list does (payments.services)."""
    notify.send_email_notification.side_effect = RuntimeError("400 BadRequestError")
    person = UserFactory()
    _, email = cancelled_session(person, staff, django_capture_on_commit_callbacks)
    fail_for_good(email)
    call = Message.objects.get(event_key=services.fallback_key(email))

    services.withdraw_calls(Message.objects.filter(event_key=email.event_key))

    call.refresh_from_db()
    assert call.status == Message.Status.WITHDRAWN
