""" "Keep all undecided hidden": one click keeps every finding nobody has decided hidden, as
the scanner suggests, instead of one choice per finding before publishing. Each finding
records who decided and when, as when they are decided one by one."""

import re

import pytest
from django.urls import reverse

from coprod_hub.users.roles import Role
from learning import services
from learning.forms import ResolveFindingsForm
from learning.models import Entry, Finding, ModerationEvent
from tests.factories import UserFactory

from .factories import submit

pytestmark = pytest.mark.django_db

BUTTON = ResolveFindingsForm.KEEP_UNDECIDED_HIDDEN
# Eleven phone numbers: eleven findings, as in the audit.
ELEVEN = " ".join(f"Ring 07700 9004{n:02d} on day {n}." for n in range(1, 12))


@pytest.fixture
def entry():
    entry = submit(text=ELEVEN)
    assert entry.findings.count() == 11
    return entry


def _keep_undecided(client, entry, **choices):
    """Press the button, sending what the page would: its value and any radios chosen."""
    page = client.get(entry.get_moderation_url()).text
    value = re.search(rf'name="{BUTTON}" value="([\d ]*)"', page).group(1)
    return client.post(reverse("learning:resolve", args=[entry.pk]), {BUTTON: value, **choices})


def test_one_click_keeps_every_undecided_finding_hidden_and_then_it_can_be_published(
    client, moderator, entry
):
    client.force_login(moderator)
    response = _keep_undecided(client, entry)
    assert response.status_code == 302
    assert response["Location"] == entry.get_moderation_url()

    findings = list(entry.findings.all())
    assert {f.resolution for f in findings} == {Finding.Resolution.REDACT}
    # Recorded for each finding, as a choice made one by one is.
    assert all(f.resolved_by == moderator and f.resolved_at for f in findings)
    event = entry.events.get(action=ModerationEvent.Action.RESOLVED)
    assert event.by == moderator
    assert event.note == (
        "Kept hidden: 11. Not personal data: 0. Of those, 11 still undecided kept hidden at once."
    )

    page = client.get(entry.get_moderation_url()).text
    assert "Saved: everything that was still undecided is kept hidden" in page
    assert "still need" not in page and BUTTON not in page  # nothing left to decide

    response = client.post(
        reverse("learning:decide", args=[entry.pk]), {"decision": "publish", "note": ""}
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == Entry.Status.PUBLISHED
    assert entry.text.count("[phone number]") == 11 and "07700" not in entry.text


def test_choices_made_on_the_page_are_saved_with_it(client, moderator, entry):
    first, second, *_ = entry.findings.all()
    client.force_login(moderator)
    _keep_undecided(client, entry, **{f"finding_{first.pk}": "not_personal"})

    first.refresh_from_db()
    assert first.resolution == Finding.Resolution.NOT_PERSONAL
    assert set(entry.findings.exclude(pk=first.pk).values_list("resolution", flat=True)) == {
        Finding.Resolution.REDACT
    }
    assert entry.events.get(action=ModerationEvent.Action.RESOLVED).note == (
        "Kept hidden: 10. Not personal data: 1. Of those, 10 still undecided kept hidden at once."
    )


def test_a_decision_another_moderator_made_meanwhile_stands(client, moderator, entry):
    client.force_login(moderator)
    page = client.get(entry.get_moderation_url()).text
    value = re.search(rf'name="{BUTTON}" value="([\d ]*)"', page).group(1)
    # While the page is open, a colleague says the first one is not personal data.
    first = entry.findings.first()
    services.resolve_findings(
        entry,
        by=UserFactory(roles=[Role.MODERATOR]),
        resolutions={first.pk: Finding.Resolution.NOT_PERSONAL},
    )

    client.post(reverse("learning:resolve", args=[entry.pk]), {BUTTON: value})
    first.refresh_from_db()
    assert first.resolution == Finding.Resolution.NOT_PERSONAL
    assert entry.findings.filter(resolution=Finding.Resolution.REDACT).count() == 10


def test_if_the_text_changed_meanwhile_nothing_is_saved_and_the_error_summary_says_why(
    client, moderator, entry
):
    client.force_login(moderator)
    page = client.get(entry.get_moderation_url()).text
    value = re.search(rf'name="{BUTTON}" value="([\d ]*)"', page).group(1)
    # Someone edits the text while the page is open: new findings, never seen on this page.
    services.edit_entry(entry, by=moderator, text=f"{ELEVEN} Ring 07700 900499 too.")

    response = client.post(reverse("learning:resolve", args=[entry.pk]), {BUTTON: value})
    assert response.status_code == 200
    page = response.text
    assert '<div class="govuk-error-summary"' in page and "<title>Error:" in page
    assert "The text has changed since you opened it" in page
    # The summary's link goes to the first new finding's first choice, which is there.
    target = f"id_finding_{entry.findings.first().pk}_1"
    assert f'<li><a href="#{target}">The text has changed' in page and f'id="{target}"' in page
    assert set(entry.findings.values_list("resolution", flat=True)) == {Finding.Resolution.PENDING}
    assert not entry.events.filter(action=ModerationEvent.Action.RESOLVED).exists()


@pytest.mark.parametrize("value", ["12x", "-1", "٣", "99999999999999999999"])
def test_a_made_up_value_is_refused_with_the_error_summary(client, moderator, entry, value):
    client.force_login(moderator)
    response = client.post(reverse("learning:resolve", args=[entry.pk]), {BUTTON: value})
    assert response.status_code == 200
    assert "The text has changed since you opened it" in response.text
    assert not entry.findings.exclude(resolution=Finding.Resolution.PENDING).exists()


def test_a_bad_choice_sent_with_it_is_refused_and_nothing_is_saved(client, moderator, entry):
    first = entry.findings.first()
    client.force_login(moderator)
    response = _keep_undecided(client, entry, **{f"finding_{first.pk}": "publish_everything"})
    assert response.status_code == 200
    assert '<div class="govuk-error-summary"' in response.text
    assert "Choose whether to keep it hidden" in response.text
    assert not entry.findings.exclude(resolution=Finding.Resolution.PENDING).exists()


def test_an_entry_someone_already_decided_is_not_changed(
    client, moderator, another_moderator, entry
):
    client.force_login(moderator)
    page = client.get(entry.get_moderation_url()).text
    value = re.search(rf'name="{BUTTON}" value="([\d ]*)"', page).group(1)
    services.reject_entry(entry, by=another_moderator, note="")

    response = client.post(
        reverse("learning:resolve", args=[entry.pk]), {BUTTON: value}, follow=True
    )
    assert "already been dealt with" in response.text
    assert not Finding.objects.filter(entry=entry).exclude(resolution="pending").exists()


def test_the_button_comes_after_save_choices_only_and_only_while_something_is_undecided(
    client, moderator, entry
):
    client.force_login(moderator)
    page = client.get(entry.get_moderation_url()).text
    # Pressing Enter in a form uses its first button: that must not hide everything.
    assert page.index("Save choices only") < page.index("Keep all undecided hidden")
    ids = " ".join(str(pk) for pk in entry.findings.values_list("pk", flat=True))
    assert f'name="{BUTTON}" value="{ids}"' in page

    services.keep_undecided_hidden(entry, by=moderator)
    assert "Keep all undecided hidden" not in client.get(entry.get_moderation_url()).text


def test_only_moderators_can_use_it(client, staff, entry):
    client.force_login(staff)
    ids = " ".join(str(pk) for pk in entry.findings.values_list("pk", flat=True))
    response = client.post(reverse("learning:resolve", args=[entry.pk]), {BUTTON: ids})
    assert response.status_code == 403
    assert not entry.findings.exclude(resolution=Finding.Resolution.PENDING).exists()
