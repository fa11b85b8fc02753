"""People who shared hear what happened, through the hub's outbox: on publishing (with the
link), on rejecting (with a reason meant for them, never the moderators' note) and on
returning (with their own words, so they need not type them again)."""

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from learning import services
from learning.models import Entry
from notifications.models import Message

from .factories import resolve_all, submit

pytestmark = pytest.mark.django_db

LONG_TEXT = "We met every week at the library. " * 500  # about 17,000 characters


def _decide(client, entry, **data):
    return client.post(reverse("learning:decide", args=[entry.pk]), data)


@pytest.fixture
def after_commit(django_capture_on_commit_callbacks):
    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run


def test_publishing_emails_the_link_to_the_address_left(client, moderator, after_commit):
    entry = submit(title="Paying on the day", contact_email="sharer@example.org")
    client.force_login(moderator)
    after_commit(_decide, client, entry, decision="publish")
    entry.refresh_from_db()
    message = Message.objects.get(kind="guide_entry_published")
    assert message.recipient is None and message.status == Message.Status.SENT
    # Once sent, the hub keeps neither the address nor what it said.
    assert (message.to_address, message.body_text) == ("", "")
    (email,) = mail.outbox
    assert email.to == ["sharer@example.org"]
    assert settings.SITE_URL + entry.get_absolute_url() in email.body
    assert entry.reference in email.subject
    assert entry.contact_email == ""  # the address is still forgotten once decided


def test_a_signed_in_author_hears_through_their_account(client, moderator, resident, after_commit):
    client.force_login(resident)
    # No box to fill in: we already know how to reach them.
    assert 'name="contact_email"' not in client.get(reverse("learning:share")).text
    entry = submit(submitted_by=resident)
    client.force_login(moderator)
    assert "Yes, they were signed in" in client.get(entry.get_moderation_url()).text
    after_commit(_decide, client, entry, decision="publish")
    message = Message.objects.get(kind="guide_entry_published")
    assert message.recipient == resident
    assert mail.outbox[0].to == [resident.email]


def test_a_signed_in_author_can_have_it_returned(client, moderator, resident, after_commit):
    entry = submit(submitted_by=resident, text="Our own words, all of them.")
    client.force_login(moderator)
    assert 'value="return"' in client.get(entry.get_moderation_url()).text
    after_commit(_decide, client, entry, decision="return", note="Please add more detail.")
    assert Message.objects.get(kind="guide_entry_returned").recipient == resident
    assert "Our own words, all of them." in mail.outbox[0].body


def test_rejecting_sends_the_reason_for_them_but_never_the_moderators_note(
    client, moderator, after_commit
):
    entry = submit(contact_email="sharer@example.org")
    client.force_login(moderator)
    response = after_commit(
        _decide,
        client,
        entry,
        decision="reject",
        note="Looks like spam from the usual place",
        reason="The guide is for lessons about involving people, and this is about a complaint.",
    )
    assert response.status_code == 302
    (email,) = mail.outbox
    assert "this is about a complaint" in email.body
    assert "usual place" not in email.body
    note = Entry.objects.get(pk=entry.pk).events.get(action="rejected").note
    assert "usual place" in note and "this is about a complaint" in note


def test_rejecting_without_a_reason_says_only_that(client, moderator, after_commit):
    entry = submit(contact_email="sharer@example.org")
    client.force_login(moderator)
    after_commit(_decide, client, entry, decision="reject", note="Moderators only")
    body = mail.outbox[0].body
    assert "we will not publish it" in body and "Moderators only" not in body
    assert "Why:" not in body


def test_a_reason_sits_under_reject_and_is_sent_only_on_rejecting(client, moderator, after_commit):
    entry = submit(contact_email="sharer@example.org")
    client.force_login(moderator)

    page = client.get(entry.get_moderation_url())
    reject = page.text.index('value="reject"')
    reason = page.text.index('id="conditional-id_decision_3"')
    assert reject < reason < page.text.index('name="reason"') < page.text.index('name="note"')
    assert 'data-hub-controls="conditional-id_decision_3"' in page.text

    # A reason typed under "Reject it", then "Publish it" chosen: published, reason not sent.
    after_commit(_decide, client, entry, decision="publish", reason="Not about involvement")
    assert Entry.objects.get(pk=entry.pk).status == Entry.Status.PUBLISHED
    assert "Not about involvement" not in mail.outbox[0].body


def test_nothing_is_sent_to_someone_who_left_no_way_to_reach_them(moderator, after_commit):
    after_commit(services.publish_entry, submit(), by=moderator)
    after_commit(services.reject_entry, submit(), by=moderator, reason="")
    assert not Message.objects.exists() and not mail.outbox


def test_returning_sends_their_own_words_in_full_with_a_reply_to(
    client, moderator, resident, personal_text, after_commit
):
    text = personal_text + "\n\n" + LONG_TEXT
    entry = submit(title="Lift from Jean Watson", text=text, submitted_by=resident)
    client.force_login(moderator)
    after_commit(_decide, client, entry, decision="return", note="Please take out the phone.")
    (email,) = mail.outbox
    assert text in email.body  # as they wrote it, names and all: it goes only to them
    assert email.reply_to == [settings.SUPPORT_EMAIL]
    assert "Please take out the phone." in email.body
    entry.refresh_from_db()
    assert entry.text == ""  # not kept on the guide


def test_an_address_left_on_the_form_gets_their_words_with_personal_data_hidden(
    client, moderator, personal_text, after_commit
):
    # Nobody checked the address: a typing mistake must not send a stranger the names and
    # phone numbers in it.
    entry = submit(title="Lift from Jean Watson", text=personal_text, contact_email="s@example.org")
    client.force_login(moderator)
    after_commit(_decide, client, entry, decision="return", note="Please take out the phone.")
    (email,) = mail.outbox
    assert "Jean Watson" not in email.body and "07700" not in email.body
    assert "[name]" in email.body and "[phone number]" in email.body
    assert "We cannot be sure this email address is yours" in email.body
    assert "Please take out the phone." in email.body


def test_a_message_is_sent_only_if_the_decision_sticks(moderator, personal_text):
    entry = submit(text=personal_text, contact_email="sharer@example.org")
    with pytest.raises(services.LearningError):
        services.publish_entry(entry, by=moderator)  # findings unchecked
    assert not Message.objects.exists()


def test_publishing_a_corrected_entry_again_tells_nobody_twice(moderator, after_commit):
    entry = submit(contact_email="sharer@example.org")
    after_commit(services.publish_entry, entry, by=moderator)
    data = {f: getattr(entry, f) for f in services.EDITABLE_FIELDS}
    services.edit_entry(entry, by=moderator, **{**data, "text": "Corrected. Ring 07700 900461."})
    resolve_all(entry, by=moderator)
    after_commit(services.publish_entry, entry, by=moderator)
    assert Message.objects.count() == 1


def test_the_thank_you_page_gives_a_reference(client):
    response = client.post(
        reverse("learning:share"),
        {
            "kind": "lesson",
            "title": "Quiet rooms help",
            "text": "Having a quiet room made the day easier.",
            "outcome": "went_well",
        },
        follow=True,
    )
    entry = Entry.objects.get()
    assert f"Your reference is<br><strong>{entry.reference}</strong>" in response.text
    assert f"tell us your reference, {entry.reference}" in response.text


def test_things_you_shared_lists_a_persons_own_entries(client, moderator, resident, staff):
    waiting = submit(title="Still waiting", submitted_by=resident)
    published = services.publish_entry(
        submit(title="Out there", submitted_by=resident), by=moderator
    )
    services.reject_entry(submit(title="Not this one", submitted_by=resident), by=moderator)
    submit(title="Someone else's", submitted_by=staff)
    submit(title="Anonymous")
    client.force_login(resident)
    page = client.get(reverse("learning:yours")).text
    assert "Still waiting" in page and "Waiting to be checked" in page
    assert f'href="{published.get_absolute_url()}">Out there</a>' in page
    assert "Not this one" in page and "Not published" in page
    assert waiting.reference in page
    assert "Someone else" not in page and "Anonymous" not in page
    # Their involvement page leads there.
    assert reverse("learning:yours") in client.get(reverse("participation:my")).text


def test_things_you_shared_needs_signing_in(client):
    response = client.get(reverse("learning:yours"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_message_to_an_address_is_written_once_per_event(moderator):
    from notifications.services import queue_email_to_address

    entry = submit(contact_email="sharer@example.org")
    services.reject_entry(entry, by=moderator)
    message = Message.objects.get()
    for _ in range(2):  # a retry of the same event
        queue_email_to_address(
            message.kind,
            to_address=message.to_address,
            event_key=message.event_key,
            context={"title": "x", "reason": "", "reference": "PG-1"},
        )
    assert Message.objects.count() == 1


def test_the_outbox_shows_the_address_of_a_message_without_an_account(
    client, moderator, admin_user
):
    services.reject_entry(submit(contact_email="sharer@example.org"), by=moderator)
    client.force_login(admin_user)
    page = client.get(reverse("notifications:outbox")).text
    assert "sharer@example.org" in page and ">None<" not in page


def test_news_of_what_someone_shared_never_goes_on_the_staff_call_list(
    client, moderator, resident, staff, after_commit
):
    from participation.models import Profile

    # They asked us to write or phone, but every member of staff can read the call list.
    Profile.objects.create(user=resident, contact_by="post_or_phone", phone="01632 960123")
    entry = submit(title="Paying on the day", submitted_by=resident)
    client.force_login(moderator)

    after_commit(_decide, client, entry, decision="publish")

    message = Message.objects.get(kind="guide_entry_published")
    assert (message.channel, message.to_address) == (Message.Channel.EMAIL, resident.email)
    assert mail.outbox[0].to == [resident.email]
    client.force_login(staff)
    assert "Paying on the day" not in client.get(reverse("notifications:call_list")).text


def test_deleting_an_account_deletes_a_message_still_waiting_for_its_address(resident):
    from notifications import privacy as message_privacy
    from notifications.services import queue_email_to_address

    queue_email_to_address(
        "guide_entry_published",
        to_address=resident.email.upper(),
        event_key="guide-event:1",
        context={"title": "Paying on the day", "entry_url": "/guide/x-1/", "reference": "PG-1"},
    )

    message_privacy.erase(resident)

    assert not Message.objects.exists()
