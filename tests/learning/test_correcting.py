"""Moderators can correct a published entry: it comes off the guide, the new words are
scanned, and it is published again. Withdrawing, which is final, deletes the text."""

import pytest
from django.urls import reverse

from learning import services
from learning.models import Entry

from .factories import resolve_all, submit
from .test_moderation import _edit_form

pytestmark = pytest.mark.django_db


def _published(moderator, **fields):
    return services.publish_entry(submit(**fields), by=moderator)


def test_correcting_a_published_entry_takes_it_off_until_checked(client, moderator):
    entry = _published(moderator, title="Lift to the group", text="It went well.")
    old_address = entry.get_absolute_url()
    client.force_login(moderator)
    page = client.get(entry.get_moderation_url()).text
    assert "Correct the title, text or tags" in page
    edit = reverse("learning:edit", args=[entry.pk])
    assert "it comes off the guide" in client.get(edit).text
    response = client.post(
        edit, _edit_form(entry, text="It went well. Call Jean Watson on 07700 900461.")
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == Entry.Status.SUBMITTED
    assert entry.findings.filter(resolution="pending").count() == 2  # a fresh scan
    client.logout()
    assert client.get(old_address).status_code == 404  # nothing unchecked is public
    client.force_login(moderator)
    assert "Taken off the guide to correct it" in client.get(entry.get_moderation_url()).text

    resolve_all(entry, by=moderator)
    entry = services.publish_entry(entry, by=moderator)
    assert entry.text == "It went well. Call [name] on [phone number]."
    client.logout()
    assert "[phone number]" in client.get(entry.get_absolute_url()).text


def test_a_corrected_title_gets_a_new_address_and_the_old_one_still_finds_it(client, moderator):
    entry = _published(moderator, title="Lessons from the carers group")
    old_address = entry.get_absolute_url()
    data = {f: getattr(entry, f) for f in services.EDITABLE_FIELDS}
    data["title"] = "Lessons from our group"
    services.edit_entry(entry, by=moderator, **data)
    entry = services.publish_entry(entry, by=moderator)
    assert entry.get_absolute_url() != old_address
    response = client.get(old_address)
    assert response.status_code == 301
    assert response["Location"] == entry.get_absolute_url()


def test_withdrawing_deletes_the_text(client, moderator):
    entry = _published(moderator, title="Out of date", text="Words that may identify someone.")
    client.force_login(moderator)
    page = client.get(entry.get_moderation_url()).text
    assert "deletes its text" in page
    client.post(reverse("learning:withdraw", args=[entry.pk]), {"note": "Identifies a carer"})
    entry.refresh_from_db()
    assert entry.status == Entry.Status.WITHDRAWN
    assert entry.text == ""
    page = client.get(entry.get_moderation_url()).text
    assert "Words that may identify someone" not in page
    assert "The text was deleted when the entry was withdrawn" in page


def test_an_entry_taken_back_to_correct_cannot_be_returned_to_its_author(
    client, moderator, resident
):
    entry = _published(moderator, submitted_by=resident)
    data = {f: getattr(entry, f) for f in services.EDITABLE_FIELDS}
    services.edit_entry(entry, by=moderator, **data)
    client.force_login(moderator)
    assert 'value="return"' not in client.get(entry.get_moderation_url()).text
