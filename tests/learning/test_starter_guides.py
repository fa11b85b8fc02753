"""The how-to guides every hub starts with (SPEC 4.4), published on deployment."""

import pytest
from django.core.management import call_command

from learning import services, starter_guides
from learning.models import Entry

pytestmark = pytest.mark.django_db

TITLES = {
    "How to run an accessible meeting",
    "Paying people for their time",
    "Choosing the honest step",
    "Working Together for Change in eight stages",
}


def test_a_new_hub_gets_the_four_how_to_guides_once(client):
    call_command("add_starter_guides")
    call_command("add_starter_guides")

    published = Entry.objects.filter(status=Entry.Status.PUBLISHED)
    assert set(published.values_list("title", flat=True)) == TITLES
    assert published.count() == 4
    assert all(entry.kind == Entry.Kind.HOW_TO for entry in published)
    page = client.get("/guide/?q=accessible+meeting").text
    assert "How to run an accessible meeting" in page


def test_a_guide_the_council_withdrew_or_deleted_does_not_come_back():
    starter_guides.add_missing()
    meeting = Entry.objects.get(title="How to run an accessible meeting")
    services.withdraw_entry(meeting, by=None, note="We wrote our own.")
    Entry.objects.get(title="Paying people for their time").delete()

    assert starter_guides.add_missing() == []
    assert not Entry.objects.filter(title="Paying people for their time").exists()


def test_the_guides_keep_their_paragraphs_and_lists():
    (meeting, *_) = starter_guides.add_missing()

    assert "Most of\nthe work" not in meeting.text  # a wrapped line is one paragraph
    assert "\n- Ask each person what they need" in meeting.text
