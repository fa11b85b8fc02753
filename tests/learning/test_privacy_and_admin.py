"""Download and erase a person's data; the admin shows entries without letting anyone edit
the words."""

import pytest
from django.urls import reverse

from learning import privacy, services
from learning.models import Entry

from .factories import submit

pytestmark = pytest.mark.django_db


def test_export_lists_what_is_waiting_for_moderation(resident, moderator):
    waiting = submit(title="Mine, waiting", submitted_by=resident)
    submit(title="By email", contact_email=resident.email.upper())
    published = submit(title="Mine, published", submitted_by=resident)
    services.publish_entry(published, by=moderator)
    submit(title="Someone else's")
    data = privacy.export(resident)
    titles = [item["title"] for item in data["entries_awaiting_moderation"]]
    assert sorted(titles) == ["By email", "Mine, waiting"]
    assert "anonymous" in data["published_entries"]
    assert waiting.text in [item["text"] for item in data["entries_awaiting_moderation"]]
    # What they shared while signed in and has been decided is theirs to see too.
    (decided,) = data["entries_decided"]
    assert (decided["title"], decided["state"]) == ("Mine, published", "Published")
    assert decided["address"].endswith(Entry.objects.get(pk=published.pk).get_absolute_url())


def test_erase_deletes_what_is_waiting_and_keeps_what_is_published(resident, moderator):
    submit(title="Mine, waiting", submitted_by=resident)
    submit(title="By email", contact_email=resident.email)
    published = submit(title="Published", submitted_by=resident)
    services.publish_entry(published, by=moderator)
    other = submit(title="Someone else's")
    privacy.erase(resident)
    assert set(Entry.objects.values_list("pk", flat=True)) == {published.pk, other.pk}
    assert Entry.objects.get(pk=published.pk).submitted_by is None  # no longer linked


def test_an_entry_taken_back_to_correct_counts_as_published_for_export_and_erasure(
    resident, moderator
):
    entry = submit(title="Mine, published", submitted_by=resident)
    services.publish_entry(entry, by=moderator)
    entry = Entry.objects.get(pk=entry.pk)
    services.edit_entry(entry, by=moderator, title="Mine, corrected")  # off the guide again

    data = privacy.export(resident)
    privacy.erase(resident)

    assert data["entries_awaiting_moderation"] == []
    assert [item["title"] for item in data["entries_decided"]] == ["Mine, corrected"]
    kept = Entry.objects.get(pk=entry.pk)  # its words were already without personal data
    assert kept.submitted_by is None


def test_your_data_page_says_truly_what_happens_to_guide_entries(client, resident):
    client.force_login(resident)
    page = client.get(reverse("my_data")).text
    assert "because it was published without your name" not in page
    assert "published in the practice guide stays, without your name" in page
    assert "still waiting to be checked by a moderator is deleted" in page
    assert "what you shared in the practice guide while signed in" in page


def test_the_admin_cannot_list_entries_by_who_shared_them(client, admin_user, resident):
    submit(title="Mine", submitted_by=resident)
    client.force_login(admin_user)
    changelist = reverse("admin:learning_entry_changelist")

    for lookup in ["submitted_by", "submitted_by__id__exact", "submitted_by__email"]:
        response = client.get(changelist, {lookup: resident.pk})
        # Django refuses a lookup the admin does not allow (DisallowedModelAdminLookup).
        assert response.status_code == 400, lookup
        assert "Mine" not in response.text


def test_the_admin_shows_entries_read_only(client, admin_user):
    entry = submit(text="Call 07700 900461")
    client.force_login(admin_user)
    assert client.get(reverse("admin:learning_entry_changelist")).status_code == 200
    page = client.get(reverse("admin:learning_entry_change", args=[entry.pk])).content.decode()
    assert "07700 900461" in page
    assert 'name="text"' not in page  # shown, not editable
    assert client.get(reverse("admin:learning_entry_add")).status_code == 403
    response = client.post(
        reverse("admin:learning_entry_change", args=[entry.pk]), {"text": "changed"}
    )
    assert response.status_code == 403
    entry.refresh_from_db()
    assert entry.text == "Call 07700 900461"


def test_entries_shared_from_another_address_they_confirmed_are_theirs(resident):
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=resident, email="rita.old@example.org", verified=True)
    EmailAddress.objects.create(user=resident, email="not.yet@example.org", verified=False)
    submit(title="From my old address", contact_email="Rita.Old@example.org")
    unconfirmed = submit(
        title="From an address anyone could add", contact_email="not.yet@example.org"
    )

    data = privacy.export(resident)
    privacy.erase(resident)

    titles = [item["title"] for item in data["entries_awaiting_moderation"]]
    assert titles == ["From my old address"]
    assert list(Entry.objects.values_list("pk", flat=True)) == [unconfirmed.pk]
