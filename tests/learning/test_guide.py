"""Reading the guide at /guide/: published entries only, searched, filtered, paginated."""

import pytest
from django.urls import reverse

from learning.models import Entry
from projects.models import Project, ServiceArea
from tests.factories import UserFactory

from .factories import EntryFactory, PublishedEntryFactory

pytestmark = pytest.mark.django_db

LIST = reverse("learning:list")


def _project(**kwargs):
    area, _ = ServiceArea.objects.get_or_create(name="Carers", slug="carers")
    defaults = {
        "title": "Carers strategy",
        "slug": "carers-strategy",
        "summary": "A project",
        "service_area": area,
        "level": "service",
        "owner": UserFactory(),
        "is_published": True,
    }
    defaults.update(kwargs)
    return Project.objects.create(**defaults)


@pytest.mark.parametrize("status", ["submitted", "returned", "rejected", "withdrawn"])
def test_nothing_unmoderated_is_public(client, moderator, status):
    entry = EntryFactory(status=status, slug=f"secret-{status}", title=f"Secret {status}")
    assert client.get(reverse("learning:detail", args=[entry.slug])).status_code == 404
    assert f"Secret {status}" not in client.get(LIST).content.decode()
    assert f"Secret {status}" not in client.get(LIST, {"q": "Secret"}).content.decode()
    # Moderators see the public page exactly as the public does.
    client.force_login(moderator)
    assert client.get(reverse("learning:detail", args=[entry.slug])).status_code == 404


def test_an_unknown_entry_is_404(client):
    assert client.get(reverse("learning:detail", args=["no-such-entry-1"])).status_code == 404


def test_a_published_entry_is_public_and_does_not_say_who_wrote_it(client, resident):
    entry = PublishedEntryFactory(
        title="Paying on the day", text="It went well.\n\nPeople came back.", topic="payment"
    )
    response = client.get(entry.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert "Paying on the day" in page
    assert "<p>It went well.</p>" in page and "<p>People came back.</p>" in page
    assert "Paying people and expenses" in page
    assert resident.display_name not in page


def test_html_in_entries_is_never_rendered(client):
    entry = PublishedEntryFactory(
        title="<i>Italic</i> title", text="<script>alert(1)</script>\n<a href='x'>link</a>"
    )
    for url in (entry.get_absolute_url(), LIST):
        page = client.get(url).content.decode()
        assert "<script>alert(1)" not in page
        assert "<i>Italic</i>" not in page
        assert "<a href='x'>" not in page
        assert "&lt;i&gt;Italic&lt;/i&gt; title" in page
    assert (
        "&lt;script&gt;alert(1)&lt;/script&gt;<br>&lt;a href=&#x27;x&#x27;&gt;"
        in client.get(entry.get_absolute_url()).content.decode()
    )


def test_the_list_counts_and_paginates(client):
    for n in range(25):
        PublishedEntryFactory(title=f"Entry {n:02}")
    first = client.get(LIST).content.decode()
    assert "25 entries" in first
    assert 'aria-label="Page 2"' in first
    second = client.get(LIST, {"page": "2"}).content.decode()
    assert second.count('class="hub-card"') == 5
    # A page number out of range shows the last page instead of an error.
    assert client.get(LIST, {"page": "99"}).status_code == 200
    assert client.get(LIST, {"page": "abc"}).status_code == 200


def test_tag_filters(client):
    PublishedEntryFactory(title="About paying", topic="payment", outcome="went_well")
    PublishedEntryFactory(title="About meetings", topic="meetings", outcome="not_well", step=4)
    page = client.get(LIST, {"topic": "payment"}).content.decode()
    assert "About paying" in page and "About meetings" not in page
    assert "1 entry found" in page
    # The tags are the ladder's words; the page that explains them is one link away.
    assert 'href="/projects/ladder/">What the steps, levels and principles mean</a>' in page
    page = client.get(LIST, {"outcome": "not_well", "step": "4"}).content.decode()
    assert "About meetings" in page and "About paying" not in page
    # A bad filter value is explained and ignored.
    response = client.get(LIST, {"topic": "astrology"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Choose a topic from the list" in page
    assert "About paying" in page and "About meetings" in page


def test_search_finds_words_in_the_title_or_text(client):
    PublishedEntryFactory(title="Hearing loops", text="Check the loop works before people arrive.")
    PublishedEntryFactory(title="Transport", text="Book taxis early for the hearing clinic.")
    PublishedEntryFactory(title="Refreshments", text="Tea and biscuits.")
    page = client.get(LIST, {"q": "hearing"}).content.decode()
    assert "2 entries found for “hearing”" in page
    assert "Hearing loops" in page and "Transport" in page and "Refreshments" not in page
    assert page.index("Hearing loops") < page.index("Transport")  # the title match first
    nothing = client.get(LIST, {"q": "zebra crossing"}).content.decode()
    assert "0 entries found" in nothing and "check the spelling" in nothing


def test_search_in_the_page_title(client):
    page = client.get(LIST, {"q": "loops"}).content.decode()
    assert "<title>Search results for “loops” – Practice guide" in page


@pytest.mark.postgres
def test_a_title_match_outranks_a_body_match_on_postgresql(client):
    body = PublishedEntryFactory(
        title="Notes from the panel",
        text="We talked about respite for a long time, and respite came up again later.",
    )
    title = PublishedEntryFactory(title="Respite", text="Short notes from the panel.")
    ranked = list(Entry.objects.published().search("respite"))
    assert ranked == [title, body]
    assert ranked[0].rank > ranked[1].rank
    page = client.get(LIST, {"q": "respite"}).content.decode()
    assert page.index(title.get_absolute_url()) < page.index(body.get_absolute_url())


@pytest.mark.postgres
def test_postgresql_search_matches_word_forms_and_phrases(client):
    entry = PublishedEntryFactory(title="Paying people", text="Payments were made on the day.")
    assert list(Entry.objects.published().search("payment")) == [entry]
    assert list(Entry.objects.published().search('"on the day"')) == [entry]
    assert list(Entry.objects.published().search("payment -day")) == []


@pytest.mark.postgres
def test_the_search_vector_follows_edits(client):
    entry = PublishedEntryFactory(title="Old words", text="Nothing here")
    Entry.objects.filter(pk=entry.pk).update(title="Fresh words")
    assert list(Entry.objects.published().search("fresh")) == [entry]
    assert list(Entry.objects.published().search("old")) == []


def test_related_entries_share_tags(client):
    entry = PublishedEntryFactory(title="Main", topic="payment", principle="reciprocity")
    both = PublishedEntryFactory(title="Shares both", topic="payment", principle="reciprocity")
    one = PublishedEntryFactory(title="Shares one", topic="payment")
    PublishedEntryFactory(title="Shares none", topic="meetings")
    EntryFactory(title="Unpublished twin", topic="payment", principle="reciprocity")
    assert list(Entry.objects.related_to(entry)) == [both, one]
    page = client.get(entry.get_absolute_url()).content.decode()
    assert "Shares both" in page and "Shares one" in page
    assert "Shares none" not in page and "Unpublished twin" not in page


def test_an_entry_without_tags_has_no_related_entries(client):
    entry = PublishedEntryFactory()
    PublishedEntryFactory()
    assert not Entry.objects.related_to(entry).exists()
    page = client.get(entry.get_absolute_url()).content.decode()
    assert "There are no related entries yet" in page


def test_entries_about_a_project(client):
    project = _project()
    other = _project(title="Other", slug="other")
    about = PublishedEntryFactory(title="About the strategy", project=project)
    PublishedEntryFactory(title="About something else", project=other)
    EntryFactory(title="Waiting", project=project)
    assert list(Entry.objects.published().about_project(project)) == [about]
    page = client.get(about.get_absolute_url()).content.decode()
    assert project.get_absolute_url() in page


def test_the_project_fragment_lists_entries(rf):
    from django.template.loader import render_to_string

    project = _project()
    entry = PublishedEntryFactory(title="What we learned here", project=project)
    html = render_to_string(
        "learning/_partials/project_entries.html",
        {"guide_entries": Entry.objects.published().about_project(project).newest_first()},
    )
    assert "What we learned" in html and entry.get_absolute_url() in html
    empty = render_to_string("learning/_partials/project_entries.html", {"guide_entries": []})
    assert empty.strip() == ""


def test_the_guide_is_in_the_header(client):
    assert f'href="{LIST}"' in client.get(LIST).content.decode()


@pytest.mark.parametrize("query", ["the", "& | ! ( ) :* <->", "'", '"unclosed', "%_", "x" * 200])
def test_odd_searches_never_fail(client, query):
    PublishedEntryFactory(title="Something", text="Anything at all")
    response = client.get(LIST, {"q": query})
    assert response.status_code == 200
    assert "found for" in response.content.decode()


# --- Entries about one project (the "see all" link on a project page) -------------------------


def test_the_guide_narrows_to_one_published_project(client):
    project = _project()
    other = _project(title="Other", slug="other")
    PublishedEntryFactory(title="About the strategy", project=project, topic="payment")
    PublishedEntryFactory(title="Also about the strategy", project=project)
    PublishedEntryFactory(title="About something else", project=other, topic="payment")
    EntryFactory(title="Waiting for a moderator", project=project)

    response = client.get(LIST, {"project": "carers-strategy"})

    page = response.content.decode()
    assert [e.title for e in response.context["entries"]] == [
        "Also about the strategy",
        "About the strategy",
    ]
    assert "2 entries found" in page
    assert "Showing entries about" in page and project.get_absolute_url() in page
    assert "<title>Carers strategy – Practice guide" in page
    # Searching and filtering from there stay within the project.
    assert '<input type="hidden" name="project" value="carers-strategy">' in page
    narrowed = client.get(LIST, {"project": "carers-strategy", "topic": "payment"})
    assert [e.title for e in narrowed.context["entries"]] == ["About the strategy"]


@pytest.mark.parametrize("slug", ["no-such-project", "bad\x00slug", "x" * 300, "draft-plan"])
def test_an_unknown_or_hidden_project_shows_every_entry_and_says_so(client, staff, slug):
    draft = _project(title="Secret draft plan", slug="draft-plan", is_published=False)
    PublishedEntryFactory(title="Written while it was public", project=draft)
    PublishedEntryFactory(title="About something else")
    client.force_login(staff)  # even staff, who can see the draft, get no list of it here

    response = client.get(LIST, {"project": slug})

    assert response.status_code == 200
    page = response.content.decode()
    assert "We could not find that project" in page
    assert "Secret draft plan" not in page
    assert len(response.context["entries"]) == 2


def test_narrowing_to_a_project_costs_the_same_queries_however_many_entries(
    client, django_assert_max_num_queries
):
    project = _project()
    PublishedEntryFactory.create_batch(2, project=project)
    client.get(LIST, {"project": project.slug})  # warm the session and known-name caches
    with django_assert_max_num_queries(5):
        assert client.get(LIST, {"project": project.slug}).status_code == 200
    PublishedEntryFactory.create_batch(40, project=project)
    with django_assert_max_num_queries(5):
        assert client.get(LIST, {"project": project.slug}).status_code == 200


@pytest.mark.parametrize(
    "query, message",
    [
        ("q=" + "a" * 300, "Search words must be 200 characters or fewer"),
        ("q=care%00home", "Search words must only include letters, numbers and punctuation"),
    ],
)
def test_search_errors_are_in_plain_words(client, query, message):
    page = client.get(f"{reverse('learning:list')}?{query}").text
    assert message in page
    assert "Ensure this value" not in page and "Null characters" not in page


def test_a_phone_user_can_skip_the_filters_to_the_results(client):
    page = client.get(reverse("learning:list")).text
    assert '<a class="govuk-link" href="#results-heading">Skip to the results</a>' in page
    assert 'id="results-heading"' in page
    # Searching opens at the results too (with a mistake, hub.mjs brings the summary first).
    assert f'action="{reverse("learning:list")}#results-heading"' in page
