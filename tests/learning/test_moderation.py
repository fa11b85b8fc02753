"""Moderation at /guide/moderation/: only moderators; every finding checked before
publishing; publishing keeps only the redacted words; every decision in the trail."""

import pytest
from django.core import mail
from django.urls import reverse

from coprod_hub.users.roles import Role
from learning import services
from learning.models import Entry, Finding, ModerationEvent
from notifications.models import Message
from tests.factories import UserFactory

from .factories import EntryFactory, PublishedEntryFactory, resolve_all, submit

pytestmark = pytest.mark.django_db

QUEUE = reverse("learning:moderation")


def _moderation_urls(entry):
    return [
        ("get", QUEUE),
        ("get", reverse("learning:moderate", args=[entry.pk])),
        ("get", reverse("learning:edit", args=[entry.pk])),
        ("post", reverse("learning:resolve", args=[entry.pk])),
        ("post", reverse("learning:decide", args=[entry.pk])),
        ("post", reverse("learning:withdraw", args=[entry.pk])),
    ]


# --- Who may moderate ----------------------------------------------------------------------


def test_visitors_are_sent_to_sign_in(client):
    entry = EntryFactory()
    for method, url in _moderation_urls(entry):
        response = getattr(client, method)(url, {"decision": "publish"})
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("account_login")), url
    entry.refresh_from_db()
    assert entry.status == Entry.Status.SUBMITTED


@pytest.mark.parametrize("fixture", ["resident", "staff", "commissioner"])
def test_residents_and_staff_cannot_moderate(client, request, fixture):
    entry = EntryFactory()
    client.force_login(request.getfixturevalue(fixture))
    for method, url in _moderation_urls(entry):
        response = getattr(client, method)(url, {"decision": "publish"})
        assert response.status_code == 403, url
    entry.refresh_from_db()
    assert entry.status == Entry.Status.SUBMITTED


@pytest.mark.parametrize("fixture", ["moderator", "admin_user"])
def test_moderators_and_admins_can_moderate(client, request, fixture):
    entry = EntryFactory()
    client.force_login(request.getfixturevalue(fixture))
    assert client.get(QUEUE).status_code == 200
    assert client.get(reverse("learning:moderate", args=[entry.pk])).status_code == 200


def test_an_unknown_entry_is_404_for_moderators(client, moderator):
    client.force_login(moderator)
    assert client.get(reverse("learning:moderate", args=[999999])).status_code == 404


def test_moderation_appears_in_the_header_only_for_moderators(client, moderator, resident):
    client.force_login(resident)
    assert f'href="{QUEUE}"' not in client.get(reverse("learning:list")).content.decode()
    client.force_login(moderator)
    assert f'href="{QUEUE}"' in client.get(reverse("learning:list")).content.decode()


# --- The queue -----------------------------------------------------------------------------


def test_the_queue_shows_age_and_flags_entries_older_than_5_working_days(
    client, moderator, time_machine
):
    time_machine.move_to("2026-03-02 10:00 +00:00")  # a Monday
    old = submit(title="Waiting since Monday")
    time_machine.move_to("2026-03-06 09:00 +00:00")  # the Friday
    fresh = submit(title="Sent on Friday")
    time_machine.move_to("2026-03-09 10:30 +00:00")  # the next Monday
    client.force_login(moderator)
    page = client.get(QUEUE).content.decode()
    assert "Waiting since Monday" in page and "Sent on Friday" in page
    assert "5 working days" in page
    assert "1 working day\n" in page  # Friday 9am to Monday 10:30am
    # The row says "5 working days" (whole days); its tag agrees with the count above.
    assert page.count("Waited more than 5 working days</strong>") == 1
    assert "1 entry has waited more than 5 working days" in page
    assert list(Entry.objects.overdue_for_moderation()) == [old]
    assert fresh.is_overdue() is False


def test_the_queue_hides_personal_data_in_titles(client, moderator):
    submit(title="Lift from Jean Watson")
    client.force_login(moderator)
    page = client.get(QUEUE).content.decode()
    assert "Lift from [name]" in page
    assert "Jean Watson" not in page


def test_the_queue_lists_other_states_on_request(client, moderator):
    PublishedEntryFactory(title="Already published")
    EntryFactory(title="Still waiting")
    client.force_login(moderator)
    waiting = client.get(QUEUE).content.decode()
    assert "Still waiting" in waiting and "Already published" not in waiting
    published = client.get(QUEUE, {"status": "published"}).content.decode()
    assert "Already published" in published and "Still waiting" not in published
    # A made-up state shows the waiting entries rather than an error.
    assert "Still waiting" in client.get(QUEUE, {"status": "nonsense"}).content.decode()


# --- The entry: highlights and findings -----------------------------------------------------


def test_the_moderator_sees_every_finding_hidden_and_highlighted(client, moderator, personal_text):
    entry = submit(text=personal_text)
    client.force_login(moderator)
    page = client.get(entry.get_moderation_url()).content.decode()
    assert '<mark class="hub-highlight">[name]</mark> drove us' in page
    assert '<mark class="hub-highlight">[phone number]</mark>' in page
    assert '<mark class="hub-highlight">[postcode]</mark>' in page
    # Paragraphs are kept.
    assert "<p>" in page and "</p>" in page
    # The findings list quotes what was found, so the moderator can judge it.
    assert "lift, call <strong>07700 900461</strong>. The hall" in page
    assert "3 still need a decision" in page


def test_html_in_an_entry_is_escaped_around_the_highlights(client, moderator):
    entry = submit(
        title="<img src=x onerror=alert(1)>",
        text="<script>alert('x')</script> Call 07700 900461 <b>now</b>",
    )
    client.force_login(moderator)
    page = client.get(entry.get_moderation_url()).content.decode()
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert "<b>now</b>" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert '<mark class="hub-highlight">[phone number]</mark> &lt;b&gt;now&lt;/b&gt;' in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_resolving_findings_is_saved_and_recorded(client, moderator, personal_text):
    entry = submit(text=personal_text)
    findings = {f.kind: f for f in entry.findings.all()}
    client.force_login(moderator)
    response = client.post(
        reverse("learning:resolve", args=[entry.pk]),
        {
            f"finding_{findings['name'].pk}": "not_personal",
            f"finding_{findings['phone'].pk}": "redact",
        },
    )
    assert response.status_code == 302
    findings = {f.kind: f for f in entry.findings.all()}
    assert findings["name"].resolution == "not_personal"
    assert findings["phone"].resolution == "redact"
    assert findings["phone"].resolved_by == moderator
    assert findings["postcode"].resolution == "pending"
    event = entry.events.get(action=ModerationEvent.Action.RESOLVED)
    assert event.by == moderator
    page = client.get(entry.get_moderation_url()).content.decode()
    # "Not personal" findings are shown as written in the preview.
    assert "Jean Watson drove us" in page
    assert "1 still needs a decision" in page


def test_saving_decisions_with_none_chosen_says_so(client, moderator, personal_text):
    entry = submit(text=personal_text)
    client.force_login(moderator)

    response = client.post(reverse("learning:resolve", args=[entry.pk]), {})

    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page
    assert "Choose whether to keep it hidden or show it, for this finding or any other" in page
    assert not entry.events.filter(action=ModerationEvent.Action.RESOLVED).exists()


def test_resolving_with_a_stale_page_is_refused(client, moderator, personal_text):
    entry = submit(text=personal_text)
    stale_ids = list(entry.findings.values_list("pk", flat=True))
    services.edit_entry(entry, by=moderator, title=entry.title, text=personal_text + " More.")
    client.force_login(moderator)
    response = client.post(
        reverse("learning:resolve", args=[entry.pk]),
        {f"finding_{pk}": "redact" for pk in stale_ids},
        follow=True,
    )
    assert "The text has changed since you opened it" in response.content.decode()


# --- Deciding --------------------------------------------------------------------------------


def _decide(client, entry, decision, note=""):
    return client.post(
        reverse("learning:decide", args=[entry.pk]), {"decision": decision, "note": note}
    )


def test_publishing_is_blocked_while_a_finding_is_unresolved(client, moderator, personal_text):
    entry = submit(text=personal_text)
    first = entry.findings.first()
    services.resolve_findings(entry, by=moderator, resolutions={first.pk: "redact"})
    client.force_login(moderator)
    response = _decide(client, entry, "publish")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Check every possible piece of personal data before publishing" in page
    assert "2 still need a decision" in page
    entry.refresh_from_db()
    assert entry.status == Entry.Status.SUBMITTED
    assert entry.text == personal_text
    with pytest.raises(services.LearningError):
        services.publish_entry(entry, by=moderator)


def test_the_undecided_findings_error_leads_to_the_first_one_and_marks_each(
    client, moderator, personal_text
):
    entry = submit(text=personal_text)
    decided, *undecided = entry.findings.order_by("pk")
    client.force_login(moderator)

    response = client.post(
        reverse("learning:decide", args=[entry.pk]),
        {"decision": "publish", f"finding_{decided.pk}": "redact"},
    )

    page = response.content.decode()
    summary = page[page.index('class="govuk-error-summary"') :].split("</ul>")[0]
    first_radio = f"id_finding_{undecided[0].pk}_1"
    assert summary.count("<li>") == 1
    assert (
        f'<a href="#{first_radio}">Check every possible piece of personal data before '
        "publishing. 2 still need a decision.</a>"
    ) in summary
    assert f'id="{first_radio}"' in page  # the link leads to a real radio
    form_groups = {
        finding.pk: page[page.index(f'id="div_id_finding_{finding.pk}"') :].split("</fieldset>")[0]
        for finding in entry.findings.all()
    }
    message = "Choose whether to keep it hidden or show it"
    assert message not in form_groups[decided.pk]
    for finding in undecided:
        assert "govuk-form-group--error" in form_groups[finding.pk]
        assert message in form_groups[finding.pk]
    assert page.count(message) == 2
    # Nothing was saved: the choice made on the page is shown again, still to be saved.
    decided.refresh_from_db()
    assert decided.is_pending
    assert "Error: Moderate entry" in page


def test_publishing_keeps_only_the_redacted_words(client, moderator, personal_text):
    entry = submit(
        title="Lift from Jean Watson", text=personal_text, contact_email="me@example.org"
    )
    resolve_all(entry, by=moderator)
    name_in_text = entry.findings.get(field="text", kind="name")
    services.resolve_findings(entry, by=moderator, resolutions={name_in_text.pk: "not_personal"})
    client.force_login(moderator)
    response = _decide(client, entry, "publish", note="Fine to share")
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == Entry.Status.PUBLISHED
    assert entry.title == "Lift from [name]"
    assert entry.text == (
        "Jean Watson drove us to the group every week.\n\n"
        "If you need a lift, call [phone number]. The hall is at [postcode]."
    )
    assert entry.contact_email == ""
    assert entry.submitted_by is None
    assert not Finding.objects.filter(entry=entry).exists()  # they quoted the original
    assert entry.slug == f"lift-from-name-{entry.pk}"
    assert entry.published_at is not None
    event = entry.events.get(action=ModerationEvent.Action.PUBLISHED)
    assert (event.by, event.note) == (moderator, "Fine to share")
    public = client.get(entry.get_absolute_url()).content.decode()
    assert "07700" not in public and "LS2 7EX" not in public


def test_publishing_keeps_the_authors_link_but_never_shows_it(client, moderator, resident):
    entry = submit(submitted_by=resident)
    services.publish_entry(entry, by=moderator)
    entry.refresh_from_db()
    assert entry.submitted_by == resident  # for their own "Things you shared" list
    assert resident.display_name not in client.get(entry.get_absolute_url()).text
    client.force_login(moderator)
    assert resident.display_name not in client.get(entry.get_moderation_url()).text


def test_returning_emails_the_note_and_forgets_the_address(
    client, moderator, personal_text, django_capture_on_commit_callbacks
):
    entry = submit(text=personal_text, contact_email="sharer@example.org")
    client.force_login(moderator)
    with django_capture_on_commit_callbacks(execute=True):
        response = _decide(client, entry, "return", note="Please take out the phone number.")
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == Entry.Status.RETURNED
    assert entry.contact_email == ""
    assert not entry.findings.exists()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["sharer@example.org"]
    assert "Please take out the phone number." in message.body
    assert "&#x27;" not in message.body
    assert entry.events.get(action="returned").note == "Please take out the phone number."


def test_returning_deletes_the_text_as_the_email_says(
    client, moderator, personal_text, django_capture_on_commit_callbacks
):
    entry = submit(
        title="Lift from Jean Watson", text=personal_text, contact_email="sharer@example.org"
    )
    client.force_login(moderator)
    with django_capture_on_commit_callbacks(execute=True):
        _decide(client, entry, "return", note="Please take out the phone number.")
    entry.refresh_from_db()
    assert entry.text == ""
    assert entry.title == "Lift from [name]"  # only the redacted title is kept
    body = mail.outbox[0].body
    assert "We have deleted the text you sent and your email address" in body
    assert "We keep only the title, with any personal details hidden" in body
    # An address nobody checked gets their words with personal data hidden.
    assert '"Lift from [name]"' in body and "Jean Watson" not in body
    page = client.get(entry.get_moderation_url()).content.decode()
    assert "The text was deleted when it was returned" in page
    assert "Jean Watson drove us" not in page
    assert "Please take out the phone number." in page  # the note stays in the trail


def test_returning_needs_a_note(client, moderator):
    entry = submit(contact_email="sharer@example.org")
    client.force_login(moderator)
    response = _decide(client, entry, "return")
    assert "Write a note to send to the person who shared it" in response.content.decode()
    entry.refresh_from_db()
    assert entry.status == Entry.Status.SUBMITTED
    assert not mail.outbox


def test_returning_is_only_offered_when_there_is_an_address(client, moderator):
    entry = submit()
    client.force_login(moderator)
    page = client.get(entry.get_moderation_url()).content.decode()
    assert 'value="return"' not in page
    response = _decide(client, entry, "return", note="Hello")
    assert "Choose what to do with this entry" in response.content.decode()
    with pytest.raises(services.LearningError):
        services.return_entry(entry, by=moderator, note="Hello")


def test_the_page_offers_only_the_decisions_it_has(client, moderator, personal_text):
    client.force_login(moderator)
    anonymous = submit(text=personal_text)
    page = client.get(anonymous.get_moderation_url()).content.decode()
    assert "You can reject it now." in page
    assert "return or reject" not in page

    with_address = submit(text=personal_text, contact_email="sam@example.org")
    page = client.get(with_address.get_moderation_url()).content.decode()
    assert "You can return or reject it now." in page


def test_once_every_finding_is_decided_the_page_says_it_can_be_published(
    client, moderator, personal_text
):
    entry = submit(text=personal_text, contact_email="sam@example.org")
    client.force_login(moderator)
    resolve_all(entry, by=moderator)

    page = client.get(entry.get_moderation_url()).content.decode()

    assert "You can publish once you have made a choice" not in page
    assert "You have made a choice for everything above, so you can publish it." in page


def test_if_the_email_cannot_be_sent_yet_it_waits_in_the_outbox(
    moderator, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = 1  # nothing listens here
    settings.EMAIL_TIMEOUT = 2
    entry = submit(contact_email="sharer@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        services.return_entry(entry, by=moderator, note="Please change it")
    entry.refresh_from_db()
    assert entry.status == Entry.Status.RETURNED
    # The mail server was not asked while the entry was locked; the message is kept and
    # tried again later, rather than lost or blocking the decision.
    message = Message.objects.get(kind="guide_entry_returned")
    assert (message.to_address, message.status) == ("sharer@example.org", Message.Status.PENDING)
    assert message.last_error


def test_rejecting_keeps_nothing_personal(client, moderator, personal_text):
    entry = submit(text=personal_text, contact_email="sharer@example.org")
    client.force_login(moderator)
    _decide(client, entry, "reject", note="Not about involvement")
    entry.refresh_from_db()
    assert entry.status == Entry.Status.REJECTED
    assert "Jean Watson" not in entry.text and "07700" not in entry.text
    assert entry.contact_email == ""
    assert entry.events.get(action="rejected").note == "Not about involvement"


def test_a_second_decision_is_refused_with_a_clear_message(client, moderator, another_moderator):
    entry = submit()
    services.reject_entry(entry, by=another_moderator)
    client.force_login(moderator)
    response = _decide(client, entry, "publish")
    assert "This entry has already been dealt with: it is now rejected" in response.content.decode()
    entry.refresh_from_db()
    assert entry.status == Entry.Status.REJECTED


# --- Editing ---------------------------------------------------------------------------------


def _edit_form(entry, **overrides):
    data = {
        "kind": entry.kind,
        "title": entry.title,
        "text": entry.text,
        "outcome": entry.outcome,
        "level": "",
        "step": "",
        "principle": "",
        "topic": "",
        "project": "",
        "note": "",
    }
    data.update(overrides)
    return data


def test_editing_rescans_and_new_findings_must_be_resolved(client, moderator, personal_text):
    entry = submit(text=personal_text)
    resolve_all(entry, by=moderator)
    client.force_login(moderator)
    edit_url = reverse("learning:edit", args=[entry.pk])
    assert "Jean Watson drove us" in client.get(edit_url).content.decode()
    response = client.post(
        edit_url,
        _edit_form(entry, text=personal_text + "\nEmail jean@example.org too.", note="Tidied"),
    )
    assert response.status_code == 302
    findings = {f.kind: f for f in entry.findings.all()}
    assert findings["phone"].resolution == "redact"  # decided before: kept
    assert findings["email"].resolution == "pending"  # new: needs a decision
    assert entry.events.get(action="edited").note == "Tidied"
    with pytest.raises(services.LearningError):
        services.publish_entry(entry, by=moderator)


def test_editing_out_personal_data_removes_its_finding(client, moderator, personal_text):
    entry = submit(text=personal_text)
    client.force_login(moderator)
    client.post(
        reverse("learning:edit", args=[entry.pk]),
        _edit_form(entry, text="Someone drove us to the group every week."),
    )
    assert not entry.findings.exists()
    services.publish_entry(entry, by=moderator)


def test_editing_keeps_bad_input_and_explains(client, moderator):
    entry = submit()
    client.force_login(moderator)
    response = client.post(
        reverse("learning:edit", args=[entry.pk]), _edit_form(entry, text="", title="Kept title")
    )
    page = response.content.decode()
    assert "There is a problem" in page and "Kept title" in page
    entry.refresh_from_db()
    assert entry.text == "We met on a Tuesday. It went well."


def test_rejected_entries_cannot_be_edited(client, moderator):
    entry = submit()
    services.reject_entry(entry, by=moderator)
    client.force_login(moderator)
    response = client.get(reverse("learning:edit", args=[entry.pk]))
    assert response.status_code == 302
    with pytest.raises(services.LearningError):
        services.edit_entry(entry, by=moderator, title="New", text="New")


# --- Withdrawing and the trail ---------------------------------------------------------------


def test_withdrawing_takes_an_entry_off_the_guide(client, moderator):
    entry = submit(title="Soon withdrawn")
    entry = services.publish_entry(entry, by=moderator)
    public_address = entry.get_absolute_url()
    assert client.get(public_address).status_code == 200
    client.force_login(moderator)
    response = client.post(reverse("learning:withdraw", args=[entry.pk]), {"note": ""})
    assert "Write why you are withdrawing it" in response.content.decode()
    client.post(reverse("learning:withdraw", args=[entry.pk]), {"note": "Asked to by a carer"})
    entry.refresh_from_db()
    assert entry.status == Entry.Status.WITHDRAWN
    assert entry.withdrawn_at is not None
    assert entry.text == ""  # withdrawn for good: the words, which may identify, are gone
    assert entry.title == "Soon withdrawn"  # the record of what was taken down
    client.logout()
    assert client.get(public_address).status_code == 404
    assert "Soon withdrawn" not in client.get(reverse("learning:list")).content.decode()


def test_only_published_entries_can_be_withdrawn(moderator):
    with pytest.raises(services.LearningError):
        services.withdraw_entry(submit(), by=moderator, note="Why")


def test_the_trail_shows_every_decision_to_moderators(client, moderator, another_moderator):
    entry = submit(text="Call 07700 900461", contact_email="x@example.org")
    resolve_all(entry, by=moderator)
    services.edit_entry(entry, by=moderator, title="Edited title", text="Call 07700 900461")
    services.publish_entry(entry, by=moderator, note="Looks good")
    services.withdraw_entry(entry, by=another_moderator, note="Out of date")
    actions = list(entry.events.values_list("action", flat=True))
    assert actions == ["submitted", "resolved", "edited", "published", "withdrawn"]
    client.force_login(moderator)
    page = client.get(entry.get_moderation_url()).content.decode()
    for text in ("Submitted", "Edited", "Published", "Looks good", "Withdrawn", "Out of date"):
        assert text in page
    assert "Morag Moderator" in page and "Mina Moderator" in page


def test_moderators_cannot_be_given_the_role_by_being_staff(client):
    person = UserFactory(roles=[Role.STAFF, Role.RESIDENT])
    client.force_login(person)
    assert client.get(QUEUE).status_code == 403


def test_a_full_length_title_still_fits_once_redacted(moderator):
    title = ("Ask Amy, " * 17)[:150]  # each "Amy" becomes "[name]"
    entry = submit(title=title)
    assert entry.findings.filter(field="title").exists()
    resolve_all(entry, by=moderator)
    entry = services.publish_entry(entry, by=moderator)
    entry.refresh_from_db()
    assert "Amy" not in entry.title
    assert len(entry.title) > 150


def test_findings_are_labelled_in_proper_english(client, moderator):
    entry = submit(text="NHS number 943 476 5919, NI number AB123456C.")
    client.force_login(moderator)
    page = client.get(entry.get_moderation_url()).text
    assert "NHS number in the text" in page
    assert "National Insurance number in the text" in page
    assert "Nhs number" not in page and "National insurance" not in page
