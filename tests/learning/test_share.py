"""Sharing at /guide/share/: anyone may share; bad input is explained and nothing is lost."""

import re

import pytest
from django.urls import reverse

from learning import throttle
from learning.models import Entry, Finding, ModerationEvent
from projects.models import Project, ServiceArea

pytestmark = pytest.mark.django_db

URL = reverse("learning:share")


def _form(**overrides):
    data = {
        "kind": "lesson",
        "title": "Paying people on the day",
        "text": "Paying travel costs on the day meant more people came back.",
        "outcome": "went_well",
        "level": "",
        "step": "",
        "principle": "",
        "topic": "",
        "project": "",
        "contact_email": "",
        "website": "",
    }
    data.update(overrides)
    return data


def _project(published=True, title="Carers strategy"):
    from tests.factories import UserFactory

    area, _ = ServiceArea.objects.get_or_create(name="Carers", slug="carers")
    return Project.objects.create(
        title=title,
        slug=title.lower().replace(" ", "-"),
        summary="A project",
        service_area=area,
        level="service",
        owner=UserFactory(),
        is_published=published,
    )


def test_a_visitor_sees_the_form_and_what_happens_next(client):
    response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "You do not need an account" in page
    assert "linked to your account" not in page
    assert "What happens next" in page
    assert "within 5 working days" in page
    # A new tab, so what was typed into the form is not lost.
    assert re.search(
        r'href="/projects/ladder/" target="_blank" rel="noopener noreferrer">'
        r"what the steps, levels and principles mean \(opens in new tab\)</a>",
        page,
    )


def test_a_visitor_shares_and_it_waits_for_moderation_with_findings(client, personal_text):
    response = client.post(
        URL, _form(text=personal_text, topic="meetings", contact_email="me@example.org")
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("learning:share_done")
    entry = Entry.objects.get()
    assert entry.status == Entry.Status.SUBMITTED
    assert entry.text == personal_text
    assert entry.contact_email == "me@example.org"
    assert entry.submitted_by is None
    assert entry.topic == "meetings"
    found = {(f.kind, f.snippet) for f in entry.findings.all()}
    assert ("phone", "07700 900461") in found
    assert ("postcode", "LS2 7EX") in found
    assert ("name", "Jean Watson") in found
    assert all(f.resolution == Finding.Resolution.PENDING for f in entry.findings.all())
    event = entry.events.get()
    assert event.action == ModerationEvent.Action.SUBMITTED
    assert event.by is None  # the trail never says who wrote it

    done = client.get(response["Location"])
    assert "Thank you for sharing" in done.content.decode()
    assert "We never show who wrote it" in done.content.decode()


def test_names_of_people_known_to_the_hub_are_found(client, resident):
    # The resident fixture is called Rita Resident.
    client.post(URL, _form(text="Rita helped a lot with the agenda."))
    entry = Entry.objects.get()
    assert [(f.kind, f.snippet) for f in entry.findings.all()] == [("name", "Rita")]


def test_the_title_is_scanned_too(client):
    client.post(URL, _form(title="Call 07700 900461 about transport"))
    finding = Entry.objects.get().findings.get()
    assert (finding.field, finding.kind) == ("title", "phone")


def test_a_signed_in_person_is_linked_to_what_they_share(client, resident):
    client.force_login(resident)
    # The form says so, and how to share without the link.
    page = client.get(URL).text
    assert "what you share is linked to your account" in page
    assert "To share without the link, sign out first" in page
    client.post(URL, _form())
    assert Entry.objects.get().submitted_by == resident
    # ...but the trail still does not record who wrote it.
    assert Entry.objects.get().events.get().by is None


def test_a_filled_in_bot_trap_is_silently_dropped(client):
    response = client.post(URL, _form(website="http://spam.example"))
    assert response.status_code == 302
    assert response["Location"] == reverse("learning:share_done")
    assert not Entry.objects.exists()


def test_the_bot_trap_is_hidden_from_people(client):
    page = client.get(URL).content.decode()
    assert 'class="hub-honeypot"' in page
    assert 'tabindex="-1"' in page


def test_visitors_are_rate_limited_with_a_clear_message_and_keep_what_they_typed(client):
    limit = int(throttle.VISITOR_RATE.split("/")[0])
    for n in range(limit):
        assert client.post(URL, _form(title=f"Entry {n}")).status_code == 302
    response = client.post(URL, _form(title="One too many", text="Words I typed"))
    assert response.status_code == 429
    page = response.content.decode()
    assert "You have shared a lot in a short time" in page
    assert "try again in" in page
    assert "What you typed is still here" in page
    assert "One too many" in page
    assert "Words I typed" in page
    assert Entry.objects.count() == limit


def test_mistakes_in_the_form_do_not_count_towards_the_limit(client):
    limit = int(throttle.VISITOR_RATE.split("/")[0])
    for _ in range(limit + 2):
        client.post(URL, _form(title=""))
    assert client.post(URL, _form()).status_code == 302


def test_signed_in_people_have_their_own_limit(client, resident):
    limit = int(throttle.VISITOR_RATE.split("/")[0])
    for n in range(limit):
        assert client.post(URL, _form(title=f"Entry {n}")).status_code == 302
    assert client.post(URL, _form(title="One too many")).status_code == 429
    # Signing in on the same connection counts them by account, not by the busy address.
    client.force_login(resident)
    assert client.post(URL, _form(title="Mine")).status_code == 302


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("text", "", "Write what you want to share"),
        ("text", "   \n  ", "Write what you want to share"),
        ("title", "", "Enter a title"),
        ("kind", "", "Choose what you are sharing"),
        ("outcome", "", "Choose how it went"),
        ("text", "x" * 20_001, "must be 20,000 characters or fewer. It has 20,001 now"),
        ("title", "t" * 151, "must be 150 characters or fewer"),
        ("text", "Binary\x00data here", "not ordinary text"),
        ("text", "PK\x03\x04\x14\x00\x06\x00 zipped", "not ordinary text"),
        ("title", "A title\x07", "not ordinary text"),
        ("contact_email", "not-an-email", "Enter an email address in the right format"),
        ("topic", "astrology", "Choose a topic from the list"),
        ("step", "9", "Choose a step from the list"),
    ],
)
def test_bad_input_is_explained_and_nothing_typed_is_lost(client, field, value, message):
    data = _form(title="My title stays", text="My words stay")
    data[field] = value
    response = client.post(URL, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert message in page
    assert page.count("<title>Error: ") == 1
    if field != "title":
        assert "My title stays" in page
    if field != "text":
        assert "My words stay" in page
    assert not Entry.objects.exists()


def test_exactly_20000_characters_is_accepted(client):
    assert client.post(URL, _form(text="y" * 20_000)).status_code == 302
    assert len(Entry.objects.get().text) == 20_000


def test_line_breaks_are_kept_and_made_consistent(client):
    client.post(URL, _form(text="First line\r\nSecond line\r\n\r\nNew paragraph\ttabbed"))
    assert Entry.objects.get().text == "First line\nSecond line\n\nNew paragraph\ttabbed"


def test_only_published_projects_are_offered(client):
    published = _project(title="Published plan")
    draft = _project(published=False, title="Secret draft")
    page = client.get(URL).content.decode()
    assert "Published plan" in page
    assert "Secret draft" not in page
    response = client.post(URL, _form(project=str(draft.pk)))
    assert "Choose a project from the list" in response.content.decode()
    client.post(URL, _form(project=str(published.pk)))
    assert Entry.objects.get().project == published


def test_html_typed_in_is_kept_as_text_and_shown_escaped(client):
    client.post(URL, _form(title="<b>Bold</b>", text="<script>alert(1)</script>"))
    entry = Entry.objects.get()
    assert entry.text == "<script>alert(1)</script>"


def test_the_tags_are_explained_in_plain_words(client):
    page = client.get(URL).text
    assert "These tags help people find what you shared" in page
    assert "Whose decisions was it about?" in page
    assert "Decisions about a person&#x27;s own care and support." in page
    assert "Consultation: you give your views and the council decides" in page
    assert "Reciprocity: " in page
    assert "Step of participation" not in page and "1. Coercion" not in page


def test_the_character_count_writes_the_limit_as_people_read_it(client):
    page = client.get(URL).text
    assert "You can enter up to 20,000 characters" in page
    assert 'data-maxlength="20000"' in page  # the script still reads a plain number


def test_a_drop_in_on_shared_wi_fi_is_not_turned_away(client):
    # A dozen or so people at one venue share one address.
    for n in range(15):
        assert client.post(URL, _form(title=f"Entry {n}")).status_code == 302


def test_the_bot_trap_still_works_at_the_higher_limit(client):
    assert client.post(URL, _form(website="http://spam.example")).status_code == 302
    assert not Entry.objects.exists()
