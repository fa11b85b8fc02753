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


# --- Links from the pages where staff do the job -------------------------------------------


def _links_to(page: str, entry) -> bool:
    return f'<a class="govuk-link" href="{entry.get_absolute_url()}">{entry.title}</a>' in page


def test_staff_find_each_guide_where_they_do_that_job(client, commissioner):
    from tests.participation.factories import ProjectFactory

    starter_guides.add_missing()
    guides = {entry.title: entry for entry in Entry.objects.all()}
    project = ProjectFactory(owner=commissioner)
    client.force_login(commissioner)

    step_form = client.get(f"/projects/{project.slug}/step/").text
    opportunity_form = client.get("/opportunities/new/").text
    policy = client.get("/payments/policy/").text

    assert _links_to(step_form, guides["Choosing the honest step"])
    assert _links_to(opportunity_form, guides["How to run an accessible meeting"])
    assert _links_to(policy, guides["Paying people for their time"])


def test_a_renamed_guide_is_still_linked_and_a_withdrawn_one_is_not(client, staff, moderator):
    starter_guides.add_missing()
    meeting = Entry.objects.get(title="How to run an accessible meeting")
    meeting = services.edit_entry(meeting, by=moderator, title="Running meetings everyone can join")
    services.publish_entry(meeting, by=moderator)  # a correction is checked again
    client.force_login(staff)

    renamed = client.get("/opportunities/new/").text
    step = Entry.objects.get(title="Choosing the honest step")
    services.withdraw_entry(step, by=moderator, note="We wrote our own.")

    assert _links_to(renamed, Entry.objects.get(pk=meeting.pk))
    assert starter_guides.published_guide(starter_guides.HONEST_STEP) is None


def test_no_link_before_the_guides_are_added(client, staff):
    client.force_login(staff)

    assert "Read our guide" not in client.get("/opportunities/new/").text
