"""Admins can delete an entry (to act on a request to erase data) and the moderation trail
stays, detached from it; they can find it by the address the person gave or its reference."""

import pytest
from django.urls import reverse

from learning import privacy, services
from learning.models import Entry, ModerationEvent

from .factories import submit

pytestmark = pytest.mark.django_db


def test_an_admin_can_delete_an_entry_and_its_trail_stays(client, admin_user, moderator):
    entry = submit(title="Please erase me", contact_email="sharer@example.org")
    services.publish_entry(entry, by=moderator)
    client.force_login(admin_user)
    url = reverse("admin:learning_entry_delete", args=[entry.pk])
    page = client.get(url).text
    assert "doesn’t have permission" not in page and "doesn't have permission" not in page
    response = client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not Entry.objects.filter(pk=entry.pk).exists()
    trail = ModerationEvent.objects.filter(entry_reference=f"PG-{entry.pk}")
    assert list(trail.values_list("action", flat=True)) == ["submitted", "published", "deleted"]
    assert trail.get(action="deleted").by == admin_user
    assert not trail.filter(entry__isnull=False).exists()


def test_admins_can_delete_several_entries_at_once(client, admin_user):
    entries = [submit(title=f"Entry {n}") for n in range(2)]
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:learning_entry_changelist"),
        {"action": "delete_selected", "_selected_action": [e.pk for e in entries], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Entry.objects.exists()
    assert ModerationEvent.objects.filter(action="deleted").count() == 2


def test_erasing_an_account_keeps_a_record_of_the_deletion(resident):
    entry = submit(submitted_by=resident)
    privacy.erase(resident)
    assert not Entry.objects.exists()
    deleted = ModerationEvent.objects.get(action="deleted")
    assert deleted.entry_reference == entry.reference


@pytest.mark.parametrize("term", ["sharer@example.org", "SHARER@example.org"])
def test_admins_can_find_an_entry_by_the_address_left(client, admin_user, term):
    submit(title="The one to find", contact_email="sharer@example.org")
    submit(title="Another one")
    client.force_login(admin_user)
    page = client.get(reverse("admin:learning_entry_changelist"), {"q": term}).text
    assert "The one to find" in page and "Another one" not in page


def test_admins_can_find_an_entry_by_its_reference(client, admin_user):
    entry = submit(title="The one to find")
    submit(title="Another one")
    client.force_login(admin_user)
    changelist = reverse("admin:learning_entry_changelist")
    page = client.get(changelist, {"q": entry.reference}).text
    assert "The one to find" in page and "Another one" not in page


def test_view_on_site_never_goes_to_guide_none(client, admin_user, moderator):
    waiting = submit(title="Waiting")
    published = services.publish_entry(submit(title="Out there"), by=moderator)
    client.force_login(admin_user)
    page = client.get(reverse("admin:learning_entry_change", args=[waiting.pk])).text
    assert "/guide/None/" not in page
    assert f'href="{waiting.get_moderation_url()}"' in page
    page = client.get(reverse("admin:learning_entry_change", args=[published.pk])).text
    assert f'href="/guide/{published.slug}/"' in page


def test_the_admin_does_not_say_who_wrote_an_entry(client, admin_user, resident, moderator):
    entry = services.publish_entry(submit(submitted_by=resident), by=moderator)
    client.force_login(admin_user)
    page = client.get(reverse("admin:learning_entry_change", args=[entry.pk])).text
    assert resident.display_name not in page
