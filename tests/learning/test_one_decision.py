"""The moderation page is one form: the choices about findings are saved with the decision,
all or nothing, and an error shows every choice again."""

import re

import pytest
from django.urls import reverse

from learning.models import Entry, ModerationEvent

from .factories import submit

pytestmark = pytest.mark.django_db


def _choices(entry, resolution="redact"):
    return {f"finding_{f.pk}": resolution for f in entry.findings.all()}


def _checked(page) -> set[str]:
    """The finding radios ticked on the page, as "name=value"."""
    return {
        f"{name}={value}"
        for name, value in re.findall(
            r'<input[^>]*name="(finding_\d+)"[^>]*value="(\w+)"[^>]*checked', page
        )
    }


def test_the_page_has_one_form_for_choices_and_decision(client, moderator, personal_text):
    entry = submit(text=personal_text)
    client.force_login(moderator)
    page = client.get(entry.get_moderation_url()).text
    form = page.split(f'action="{reverse("learning:decide", args=[entry.pk])}"')[1]
    form = form.split("</form>")[0]
    assert 'name="finding_' in form and 'name="decision"' in form


def test_choosing_everything_then_confirming_publishes(client, moderator, personal_text):
    entry = submit(text=personal_text)
    client.force_login(moderator)
    response = client.post(
        reverse("learning:decide", args=[entry.pk]),
        {**_choices(entry), "decision": "publish", "note": ""},
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == Entry.Status.PUBLISHED
    assert "[name] drove us" in entry.text and "[phone number]" in entry.text
    actions = list(entry.events.values_list("action", flat=True))
    assert actions == ["submitted", "resolved", "published"]


def test_if_the_decision_fails_no_choice_is_saved_and_every_choice_is_shown(
    client, moderator, personal_text
):
    entry = submit(text=personal_text)
    findings = list(entry.findings.all())
    chosen = {f"finding_{findings[0].pk}": "not_personal", f"finding_{findings[1].pk}": "redact"}
    client.force_login(moderator)
    response = client.post(
        reverse("learning:decide", args=[entry.pk]), {**chosen, "decision": "publish"}
    )
    page = response.text
    assert response.status_code == 200
    assert "1 still needs a decision" in page
    assert _checked(page) == {f"{k}={v}" for k, v in chosen.items()}
    entry.refresh_from_db()
    assert entry.status == Entry.Status.SUBMITTED
    assert set(entry.findings.values_list("resolution", flat=True)) == {
        "pending"
    }  # nothing half-saved
    assert not entry.events.filter(action=ModerationEvent.Action.RESOLVED).exists()


def test_a_form_error_keeps_every_choice(client, moderator, personal_text):
    entry = submit(text=personal_text)
    chosen = _choices(entry, "not_personal")
    client.force_login(moderator)
    response = client.post(reverse("learning:decide", args=[entry.pk]), chosen)  # no decision
    assert "Choose what to do with this entry" in response.text
    assert _checked(response.text) == {f"{k}={v}" for k, v in chosen.items()}


def test_rejecting_needs_no_choices(client, moderator, personal_text):
    entry = submit(text=personal_text)
    client.force_login(moderator)
    response = client.post(reverse("learning:decide", args=[entry.pk]), {"decision": "reject"})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == Entry.Status.REJECTED
