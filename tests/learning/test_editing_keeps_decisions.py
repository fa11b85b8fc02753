"""Editing an entry scans it again. A moderator's earlier decisions carry over only when it is
plain which words they were about, so an edit never shows a name that was kept hidden."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from learning import services
from learning.models import Entry
from tests.factories import UserFactory

from .factories import submit

pytestmark = pytest.mark.django_db

# "Alice Brown" twice: the person (keep hidden) and a building named after her (not personal).
PERSON = "Alice Brown came to every session."
MIDDLE = (
    " She always spoke up for the carers in the group, and made sure that anyone coming "
    "for the first time had somebody to sit with and a cup of tea."
)
BUILDING = " We met at the Alice Brown centre, which has a hearing loop."


@pytest.fixture
def entry(moderator):
    UserFactory(display_name="Alice Brown")
    cache.clear()  # the scanner's list of known names is kept for a minute
    entry = submit(title="Carers group", text=PERSON + MIDDLE + BUILDING)
    person, building = entry.findings.order_by("start")
    assert person.snippet == building.snippet == "Alice Brown"
    services.resolve_findings(
        entry, by=moderator, resolutions={person.pk: "redact", building.pk: "not_personal"}
    )
    return entry


def _decisions(entry):
    return [(f.snippet, f.resolution) for f in entry.findings.order_by("start")]


def _edit(client, entry, text):
    return client.post(
        reverse("learning:edit", args=[entry.pk]),
        {
            "kind": entry.kind,
            "title": entry.title,
            "text": text,
            "outcome": entry.outcome,
            "level": "",
            "step": "",
            "principle": "",
            "topic": "",
            "project": "",
            "note": "",
        },
    )


def test_an_edit_next_to_a_hidden_name_asks_again_rather_than_showing_it(client, moderator, entry):
    client.force_login(moderator)
    edited = "Alice Brown came to every single session." + MIDDLE + BUILDING
    assert _edit(client, entry, edited).status_code == 302

    # The person's name had the same words as the building's: which decision applies is not
    # plain, so it is hidden and waits for the moderator again.
    person = entry.findings.order_by("start").first()
    assert person.resolution == "pending"
    page = client.get(entry.get_moderation_url()).content.decode()
    # The preview of how it will look hides it.
    assert '<mark class="hub-highlight">[name]</mark> came to every single session.' in page
    assert "1 still needs a decision" in page
    with pytest.raises(services.LearningError, match="1 still needs a decision"):
        services.publish_entry(entry, by=moderator)
    entry.refresh_from_db()
    assert entry.status == Entry.Status.SUBMITTED


def test_publishing_after_an_edit_never_shows_a_name_that_was_kept_hidden(client, moderator, entry):
    client.force_login(moderator)
    _edit(client, entry, "Alice Brown came to every single session." + MIDDLE + BUILDING)
    # The moderator decides only what is still open, keeping it hidden.
    pending = entry.findings.filter(resolution="pending")
    services.resolve_findings(
        entry,
        by=moderator,
        resolutions=dict.fromkeys(pending.values_list("pk", flat=True), "redact"),
    )
    services.publish_entry(entry, by=moderator)
    page = client.get(Entry.objects.get(pk=entry.pk).get_absolute_url()).content.decode()
    assert "[name] came to every single session." in page
    assert "Alice Brown came" not in page


def test_decisions_carry_over_when_the_words_around_them_are_unchanged(moderator, entry):
    edited = PERSON + MIDDLE.replace("for the carers", "for carers") + BUILDING
    services.edit_entry(entry, by=moderator, title=entry.title, text=edited)
    assert _decisions(entry) == [("Alice Brown", "redact"), ("Alice Brown", "not_personal")]


def test_decisions_follow_their_words_when_text_is_added_before_them(moderator, entry):
    edited = "This is from the spring.\n\n" + PERSON + MIDDLE + BUILDING
    services.edit_entry(entry, by=moderator, title=entry.title, text=edited)
    person, building = entry.findings.order_by("start")
    # The building's words and the text around them moved but did not change.
    assert building.resolution == "not_personal"
    # The person's name now has new words just before it: it is asked again, never shown.
    assert person.resolution == "pending"


def test_a_decision_made_the_same_way_everywhere_still_carries_over(moderator):
    entry = submit(text="Call 07700 900461 on Monday or 07700 900461 on Tuesday.")
    for finding in entry.findings.all():
        services.resolve_findings(entry, by=moderator, resolutions={finding.pk: "redact"})
    services.edit_entry(
        entry, by=moderator, title=entry.title, text="Ring 07700 900461 on any weekday."
    )
    assert _decisions(entry) == [("07700 900461", "redact")]


def test_words_shown_in_one_place_are_not_shown_when_they_turn_up_where_one_was_hidden(
    moderator, entry
):
    # Only the person's sentence is left: its name was kept hidden, and must stay hidden.
    services.edit_entry(entry, by=moderator, title=entry.title, text=PERSON + MIDDLE)
    assert _decisions(entry) == [("Alice Brown", "redact")]
