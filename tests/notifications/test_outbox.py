import re
from types import SimpleNamespace
from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse
from django.utils.html import escape

from notifications import services
from notifications.kinds import category_for
from notifications.models import Message, Unsubscribe
from notifications.tasks import deliver_messages, send_due_messages
from notifications.tokens import unsubscribe_token
from participation.models import Profile
from tests.factories import UserFactory
from tests.participation.factories import person_in_each_format

pytestmark = pytest.mark.django_db


def _project(title="Day services review"):
    return SimpleNamespace(title=title, get_absolute_url="/projects/day-services/")


def _update(said="More evening sessions", did="We added two", next_steps=""):
    return SimpleNamespace(said=said, did=did, next_steps=next_steps)


def queue(recipient, event_key="update:1", **context):
    services.queue_message(
        "we_said_we_did",
        recipient=recipient,
        event_key=event_key,
        context={"project": _project(), "update": _update(), **context},
    )


def test_a_queued_message_is_sent_once_after_commit(resident, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        queue(resident)

    message = Message.objects.get()
    assert message.status == Message.Status.SENT
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [resident.email]
    assert "Day services review" in mail.outbox[0].subject


def test_queueing_the_same_event_twice_makes_one_message(resident):
    queue(resident)
    queue(resident)

    assert Message.objects.count() == 1


def test_running_delivery_twice_sends_one_email(resident):
    queue(resident)
    message = Message.objects.get()

    deliver_messages([message.pk])
    deliver_messages([message.pk])
    send_due_messages()

    assert len(mail.outbox) == 1


def test_every_email_has_an_unsubscribe_link_and_header(resident):
    queue(resident)
    deliver_messages([Message.objects.get().pk])

    email = mail.outbox[0]
    assert email.extra_headers["List-Unsubscribe"].startswith("<http")
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/unsubscribe/" in email.body
    html = email.alternatives[0][0]
    assert "Stop these messages" in html


def test_user_text_is_escaped_in_the_html_part(resident):
    services.queue_message(
        "we_said_we_did",
        recipient=resident,
        event_key="update:9",
        context={"project": _project(), "update": _update(said="<script>alert(1)</script>")},
    )
    deliver_messages([Message.objects.get().pk])

    html = mail.outbox[0].alternatives[0][0]
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "<script>alert(1)</script>" in mail.outbox[0].body  # plain text stays as written


def test_a_failure_is_retried_with_backoff_then_marked_failed(resident):
    queue(resident)
    message = Message.objects.get()

    with mock.patch("notifications.channels.send_email", side_effect=OSError("SMTP down")):
        for _ in range(services.MAX_ATTEMPTS):
            Message.objects.filter(pk=message.pk).update(next_attempt_at="2000-01-01T00:00Z")
            send_due_messages()

    message.refresh_from_db()
    assert message.status == Message.Status.FAILED
    assert message.attempts == services.MAX_ATTEMPTS
    assert "SMTP down" in message.last_error
    assert not mail.outbox


def test_the_first_failure_waits_before_trying_again(resident):
    queue(resident)
    message = Message.objects.get()

    with mock.patch("notifications.channels.send_email", side_effect=OSError("busy")):
        deliver_messages([message.pk])
    assert send_due_messages() == 0  # backoff not over yet

    message.refresh_from_db()
    assert message.status == Message.Status.PENDING
    assert message.next_attempt_at > message.created_at


def test_messages_wait_while_the_broker_is_down_and_go_out_after(
    resident, django_capture_on_commit_callbacks
):
    with (
        mock.patch("notifications.tasks.deliver_messages.apply_async", side_effect=ConnectionError),
        django_capture_on_commit_callbacks(execute=True),
    ):
        queue(resident)

    assert Message.objects.get().status == Message.Status.PENDING
    assert not mail.outbox

    send_due_messages()  # the periodic sweep once the broker is back

    assert Message.objects.get().status == Message.Status.SENT
    assert len(mail.outbox) == 1


def test_the_unsubscribe_link_works_without_signing_in(client, resident):
    token = unsubscribe_token(resident.pk, "updates")

    page = client.get(reverse("notifications:unsubscribe", args=[token]))
    assert page.status_code == 200
    assert not Unsubscribe.objects.exists()  # a GET (e.g. a link scanner) changes nothing

    client.post(reverse("notifications:unsubscribe", args=[token]))

    assert Unsubscribe.objects.filter(user=resident, category="updates").exists()
    queue(resident, event_key="update:2")
    assert Message.objects.get().status == Message.Status.SKIPPED
    assert not mail.outbox


def test_a_placeholder_address_is_never_emailed_whatever_the_preference_says():
    # Added by staff without an email address, then set to "email" by mistake.
    person = UserFactory(email="no-email-0123abcd@people.invalid")
    Profile.objects.create(user=person, contact_by=Profile.ContactBy.EMAIL)

    queue(person)

    assert Message.objects.get().channel == Message.Channel.CALL_LIST


def test_stopping_a_kind_of_message_takes_its_calls_off_the_call_list(resident):
    Profile.objects.create(user=resident, contact_by=Profile.ContactBy.POST_OR_PHONE)
    queue(resident)
    assert Message.objects.get().status == Message.Status.CALL_LIST

    services.unsubscribe(resident.pk, "updates")

    assert Message.objects.get().status == Message.Status.SKIPPED


def test_an_altered_unsubscribe_token_is_refused(client, resident):
    token = unsubscribe_token(resident.pk, "updates")

    response = client.post(reverse("notifications:unsubscribe", args=[token[:-2] + "xx"]))

    assert response.status_code == 400
    assert "This link does not work" in response.content.decode()
    assert not Unsubscribe.objects.exists()


def test_someone_without_an_email_goes_on_the_staff_call_list(client, staff):
    person = UserFactory()
    person.email = ""  # e.g. signed up by staff on their behalf, with no email address
    person.save()
    Profile.objects.create(user=person, phone="07700 900123")
    queue(person)
    no_phone = UserFactory()
    Profile.objects.create(user=no_phone, contact_by=Profile.ContactBy.POST_OR_PHONE)
    queue(no_phone)
    writes = UserFactory()
    Profile.objects.create(
        user=writes,
        contact_by=Profile.ContactBy.POST_OR_PHONE,
        postal_address="1 Mill Lane\nMillbrook\nMB1 2CD",
        large_print=True,
    )
    queue(writes)

    message = Message.objects.get(recipient=person)
    assert message.status == Message.Status.CALL_LIST
    client.force_login(staff)
    page = client.get(reverse("notifications:call_list")).content.decode()
    assert escape(str(person)) in page  # a made-up name may be O'Connor: escaped in HTML
    # The number to call is on the list itself.
    assert 'href="tel:07700900123"' in page and "07700 900123" in page
    # The address to write to, line by line, for someone who asked for post.
    assert "1 Mill Lane<br>Millbrook<br>MB1 2CD" in page
    assert "We have no phone number or address for them" in page
    # What staff post must be in the print size the person asked for.
    assert "Large print" in page
    client.post(reverse("notifications:mark_called", args=[message.pk]))
    message.refresh_from_db()
    assert message.status == Message.Status.CALLED


def test_the_call_list_says_whether_to_write_in_easy_read_large_print_or_both(client, staff):
    people = person_in_each_format(contact_by=Profile.ContactBy.POST_OR_PHONE, phone="01632 960001")
    for person in people.values():
        queue(person)
    client.force_login(staff)

    page = client.get(reverse("notifications:call_list")).content.decode()

    cards = {name: page[page.index(f"{name}: ") :].split('class="hub-card"')[0] for name in people}
    written_in = re.compile(r"Information written in</dt>\s*<dd[^>]*>([^<]*)</dd>")
    shown = {name: written_in.findall(card) for name, card in cards.items()}
    assert shown == {
        "Both Formats": ["Easy read, large print"],
        "Easy Words": ["Easy read"],
        "Big Type": ["Large print"],
        "Plain Standard": [],
    }


def test_claim_messages_on_the_call_list_are_for_commissioners_only(client, staff, commissioner):
    person = UserFactory()

    def on_call_list(kind, subject, body):
        return Message.objects.create(
            kind=kind,
            category=category_for(kind),
            event_key=f"{kind}:1",
            recipient=person,
            channel=Message.Channel.EMAIL,
            subject=subject,
            body_text=body,
            status=Message.Status.CALL_LIST,
        )

    on_call_list("we_said_we_did", "What changed at the day centre", "We added evening sessions")
    claim = on_call_list("claim_rejected", "Your claim was not approved", "Reason: a duplicate")
    url = reverse("notifications:call_list")

    client.force_login(staff)
    page = client.get(url).content.decode()
    assert "We added evening sessions" in page
    assert "a duplicate" not in page
    assert "on the commissioners’ call list" in page
    assert client.post(reverse("notifications:mark_called", args=[claim.pk])).status_code == 404

    client.force_login(commissioner)
    page = client.get(url).content.decode()
    assert "We added evening sessions" in page and "a duplicate" in page
    client.post(reverse("notifications:mark_called", args=[claim.pk]))
    claim.refresh_from_db()
    assert claim.status == Message.Status.CALLED


def test_only_admins_see_the_outbox(client, resident, staff, admin_user):
    queue(resident)
    url = reverse("notifications:outbox")

    assert client.get(url).status_code == 302  # visitors are sent to sign in
    client.force_login(staff)
    assert client.get(url).status_code == 403
    client.force_login(admin_user)
    page = client.get(url + "?status=pending")
    assert page.status_code == 200
    assert "Day services review" in page.content.decode()


def test_an_admin_can_send_a_failed_message_again(
    client, resident, admin_user, django_capture_on_commit_callbacks
):
    queue(resident)
    Message.objects.update(status=Message.Status.FAILED, last_error="boom")
    client.force_login(admin_user)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("notifications:retry", args=[Message.objects.get().pk]))

    assert Message.objects.get().status == Message.Status.SENT
    assert len(mail.outbox) == 1


def test_fan_out_to_many_people_uses_a_bounded_number_of_queries(
    django_assert_max_num_queries,
):
    people = UserFactory.create_batch(60)

    with django_assert_max_num_queries(12):
        services.queue_messages(
            "we_said_we_did",
            recipients=people,
            event_key="update:3",
            context={"project": _project(), "update": _update()},
        )

    assert Message.objects.count() == 60


def test_how_people_hear_is_read_in_one_query_however_many_there_are(
    django_assert_num_queries,
):
    from coprod_hub.users.models import User
    from participation.models import Profile

    people = UserFactory.create_batch(30)
    by_phone = people[:10]
    Profile.objects.bulk_create(
        Profile(user=person, contact_by=Profile.ContactBy.POST_OR_PHONE) for person in by_phone
    )
    Unsubscribe.objects.create(user=people[-1], category="updates")
    # Loaded afresh, without their profiles: the outbox must not read them one by one.
    recipients = list(User.objects.filter(pk__in=[p.pk for p in people]))

    # Their preferences and unsubscribes, the insert, and the ids of the new messages.
    with django_assert_num_queries(3):
        services.queue_messages(
            "we_said_we_did",
            recipients=recipients,
            event_key="update:4",
            context={"project": _project(), "update": _update()},
        )

    by_status = {m.recipient_id: m.status for m in Message.objects.all()}
    assert len(by_status) == 30
    assert {by_status[p.pk] for p in by_phone} == {Message.Status.CALL_LIST}
    assert by_status[people[-1].pk] == Message.Status.SKIPPED
    assert {by_status[p.pk] for p in people[10:-1]} == {Message.Status.PENDING}
