"""An entry's text is plain text laid out as people type it; the pages show that layout as
real headings, lists and paragraphs (WCAG 1.3.1), and never let HTML through."""

import pytest
from django.urls import reverse

from learning import starter_guides
from learning.models import Finding
from learning.rendering import entry_html, highlighted, highlighted_line

from .factories import PublishedEntryFactory, submit

BULLETS = '<ul class="govuk-list govuk-list--bullet">'
NUMBERS = '<ol class="govuk-list govuk-list--number">'


def _finding(text, words, kind="name", resolution=Finding.Resolution.PENDING):
    start = text.index(words)
    return Finding(kind=kind, start=start, end=start + len(words), resolution=resolution)


# --- Escaping ------------------------------------------------------------------------------


def test_html_and_markdown_typed_in_an_entry_are_shown_as_typed():
    html = entry_html(
        "<script>alert(1)</script>\n\n"
        '- <a href="https://example.org">link</a> & more\n\n'
        "# Not a heading, **not bold**, 2*3*4 and a file_name_here."
    )
    assert "<script>" not in html and "<a href" not in html
    link = "&lt;a href=&quot;https://example.org&quot;&gt;link&lt;/a&gt;"
    assert f"<li>{link} &amp; more</li>" in html
    assert "<p># Not a heading, **not bold**, 2*3*4 and a file_name_here.</p>" in html


def test_a_heading_or_list_item_made_of_html_is_escaped_too():
    html = entry_html("<b>Before</b>\n- <i>one</i>\n1. <u>two</u>")
    assert html == (
        '<h2 class="govuk-heading-m">&lt;b&gt;Before&lt;/b&gt;</h2>\n'
        f"{BULLETS}<li>&lt;i&gt;one&lt;/i&gt;</li></ul>\n"
        f"{NUMBERS}<li>&lt;u&gt;two&lt;/u&gt;</li></ol>"
    )


# --- Lists ---------------------------------------------------------------------------------


def test_lines_starting_with_a_dash_or_star_are_one_bulleted_list():
    html = entry_html("We brought:\n- tea\n* biscuits\n• cake, pasted from a document")
    assert html == (
        "<p>We brought:</p>\n"
        f"{BULLETS}<li>tea</li><li>biscuits</li><li>cake, pasted from a document</li></ul>"
    )


def test_a_dash_without_a_space_is_not_a_list():
    assert entry_html("-5 degrees outside\n*important*") == (
        "<p>-5 degrees outside<br>*important*</p>"
    )


def test_lines_starting_with_a_number_and_full_stop_are_a_numbered_list():
    html = entry_html("1. Prepare\n2. Collect\n3. Theme")
    assert html == f"{NUMBERS}<li>Prepare</li><li>Collect</li><li>Theme</li></ol>"


def test_a_numbered_list_carried_on_after_a_paragraph_keeps_its_numbers():
    html = entry_html("1. Prepare\n2. Collect\n\nA break for lunch.\n\n3. Theme\n4. Understand")
    assert '<ol class="govuk-list govuk-list--number" start="3"><li>Theme</li>' in html


def test_a_year_at_the_start_of_a_line_is_not_a_list():
    assert entry_html("2024. A good year for us.") == "<p>2024. A good year for us.</p>"


def test_an_indented_line_carries_on_the_list_item_above():
    html = entry_html("- Book interpreters early,\n  and offer to pay\n- Send papers")
    assert html == (
        f"{BULLETS}<li>Book interpreters early,<br>and offer to pay</li><li>Send papers</li></ul>"
    )


def test_a_line_that_is_not_indented_ends_the_list():
    html = entry_html("- tea\n- biscuits\nIt was enough for everyone.")
    assert html == (
        f"{BULLETS}<li>tea</li><li>biscuits</li></ul>\n<p>It was enough for everyone.</p>"
    )


def test_a_numbered_list_straight_after_a_bulleted_one_is_a_list_of_its_own():
    html = entry_html("- tea\n1. first")
    assert html == f"{BULLETS}<li>tea</li></ul>\n{NUMBERS}<li>first</li></ol>"


# --- Headings ------------------------------------------------------------------------------


def test_a_short_line_before_a_list_is_a_heading():
    html = entry_html("Before the meeting\n- Ask what people need")
    assert html.startswith('<h2 class="govuk-heading-m">Before the meeting</h2>\n<ul')


def test_a_short_line_on_its_own_before_a_paragraph_is_a_heading():
    html = entry_html("What went wrong?\n\nNobody told the driver the time.")
    assert html == (
        '<h2 class="govuk-heading-m">What went wrong?</h2>\n<p>Nobody told the driver the time.</p>'
    )


def test_the_heading_level_follows_the_page():
    assert entry_html("On the day\n- Start on time", heading_level=3).startswith(
        '<h3 class="govuk-heading-m">On the day</h3>'
    )
    with pytest.raises(ValueError):
        entry_html("On the day\n- Start on time", heading_level=1)


@pytest.mark.parametrize(
    "text",
    [
        "It went well.\n\nPeople came back.",  # a sentence
        "You will need:\n- a pen",  # a lead-in to a list
        'He said "stop."\n\nSo we did.',  # a sentence in quotes
        f"{'A long line that reads like the start of a paragraph, ' * 2}\n\nMore text here.",
        "Thanks\n\nJean",  # a closing line and a signature: nothing follows to be headed
        "Dear team\nWe met on Tuesday and it went well.",  # not on a line of its own
        "The last line of all",
        "2024\n\nA good year for us.",  # no letters
    ],
)
def test_other_lines_are_not_headings(text):
    assert "<h2" not in entry_html(text)


def test_of_two_heading_like_lines_only_the_one_above_the_list_is_a_heading():
    assert entry_html("Part one\n\nBefore the meeting\n- tea") == (
        "<p>Part one</p>\n"
        '<h2 class="govuk-heading-m">Before the meeting</h2>\n'
        f"{BULLETS}<li>tea</li></ul>"
    )


# --- Paragraphs and line ends --------------------------------------------------------------


def test_paragraphs_split_at_blank_lines_and_keep_their_line_breaks():
    html = entry_html("First line\nsecond line of it.\n\n   \n\nAnother paragraph.")
    assert html == "<p>First line<br>second line of it.</p>\n<p>Another paragraph.</p>"


def test_windows_and_old_mac_line_ends_lay_out_the_same():
    unix = "Before the meeting\n- tea\n- biscuits\n\nIt went well.\nWe will do it again."
    assert entry_html(unix.replace("\n", "\r\n")) == entry_html(unix)
    assert entry_html(unix.replace("\n", "\r")) == entry_html(unix)
    assert "\r" not in entry_html(unix.replace("\n", "\r\n"))


def test_nothing_written_shows_nothing():
    assert entry_html("") == ""
    assert entry_html("\n \n") == ""


def test_mixed_content_reads_in_order():
    text = (
        "An accessible meeting is one where everybody can take part.\n\n"
        "Before the meeting\n"
        "- Ask each person what they need.\n"
        "- Choose a step-free venue.\n\n"
        "On the day\n"
        "1. Agree how the meeting will work.\n"
        "2. Take a break every hour.\n"
        "Ask people what could have been better."
    )
    assert entry_html(text) == (
        "<p>An accessible meeting is one where everybody can take part.</p>\n"
        '<h2 class="govuk-heading-m">Before the meeting</h2>\n'
        f"{BULLETS}<li>Ask each person what they need.</li>"
        "<li>Choose a step-free venue.</li></ul>\n"
        '<h2 class="govuk-heading-m">On the day</h2>\n'
        f"{NUMBERS}<li>Agree how the meeting will work.</li>"
        "<li>Take a break every hour.</li></ol>\n"
        "<p>Ask people what could have been better.</p>"
    )


def test_every_starter_guide_gets_headings_and_lists():
    for guide in starter_guides.GUIDES:
        html = entry_html(starter_guides.as_typed(guide["text"]))
        assert html.count("<h2") >= 1, guide["title"]
        assert "<li>" in html and "- " not in html, guide["title"]
        assert "  " not in html, guide["title"]  # the file's indents are not kept


# --- The moderator's preview: highlighted findings in the layout ----------------------------


def test_findings_are_highlighted_inside_lists_and_headings():
    text = "Jean Watson\n- ring 07700 900461 first\n- Sam Jones brings tea"
    findings = [
        _finding(text, "Jean Watson"),
        _finding(text, "07700 900461", kind="phone"),
        _finding(text, "Sam Jones", resolution=Finding.Resolution.NOT_PERSONAL),
    ]
    html = highlighted(text, findings)
    assert html == (
        '<h3 class="govuk-heading-m"><mark class="hub-highlight">[name]</mark></h3>\n'
        f'{BULLETS}<li>ring <mark class="hub-highlight">[phone number]</mark> first</li>'
        "<li>Sam Jones brings tea</li></ul>"
    )
    for hidden in ("Jean", "Watson", "07700"):
        assert hidden not in html


def test_the_preview_is_laid_out_as_the_published_text_will_be():
    # A name across a line break is one finding: hidden, its label joins the two lines.
    text = "Thanks to Jean\r\nWatson and\r\n- tea\r\n- <b>cake</b>"
    finding = _finding(text, "Jean\r\nWatson")
    published = text[: finding.start] + "[name]" + text[finding.end :]
    preview = highlighted(text, [finding], heading_level=2)
    assert preview.replace('<mark class="hub-highlight">[name]</mark>', "[name]") == entry_html(
        published
    )
    assert "&lt;b&gt;cake&lt;/b&gt;" in preview


def test_html_round_a_finding_is_escaped():
    text = "<script>x</script> Call 07700 900461 <b>now</b>"
    html = highlighted(text, [_finding(text, "07700 900461", kind="phone")])
    assert html == (
        "<p>&lt;script&gt;x&lt;/script&gt; Call "
        '<mark class="hub-highlight">[phone number]</mark> &lt;b&gt;now&lt;/b&gt;</p>'
    )


def test_the_title_is_one_line_with_no_layout():
    title = "- Jean Watson's <lift>"
    html = highlighted_line(title, [_finding(title, "Jean Watson")])
    assert html == '- <mark class="hub-highlight">[name]</mark>&#x27;s &lt;lift&gt;'


# --- The pages -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_accessible_meeting_guide_has_headings_and_a_list_on_its_page(client):
    starter_guides.add_missing()
    guide = starter_guides.published_guide(starter_guides.MEETINGS)
    page = client.get(guide.get_absolute_url()).text
    assert '<h2 class="govuk-heading-m">Before the meeting</h2>' in page
    assert '<h2 class="govuk-heading-m">On the day</h2>' in page
    assert f"{BULLETS}<li>Ask each person what they need" in page
    assert "<br>- " not in page
    # One h1 on the page, then h2s: the outline has no gaps.
    assert page.count("<h1") == 1 and "<h3" not in page.split("About this entry")[0]


@pytest.mark.django_db
def test_the_moderation_preview_has_the_layout_with_findings_highlighted(client, moderator):
    entry = submit(
        text="We met every week.\n\nWho helped\n- Jean Watson drove us\n- call 07700 900461"
    )
    client.force_login(moderator)
    page = client.get(entry.get_moderation_url()).text
    preview = page.split('class="govuk-body hub-preview hub-break-words">')[1].split("</div>")[0]
    # Under the page's h2 "How it will look", so its heading is an h3.
    assert '<h3 class="govuk-heading-m">Who helped</h3>' in preview
    assert (
        f'{BULLETS}<li><mark class="hub-highlight">[name]</mark> drove us</li>'
        '<li>call <mark class="hub-highlight">[phone number]</mark></li></ul>'
    ) in preview
    assert "Jean Watson" not in preview
    # The findings still quote what was found, in its place in the raw text.
    assert "drove us - call <strong>07700 900461</strong>" in page


@pytest.mark.django_db
def test_a_decided_entrys_text_has_the_layout_on_the_moderation_page(client, moderator):
    entry = PublishedEntryFactory(text="Before the meeting\n- Book a hearing loop")
    client.force_login(moderator)
    page = client.get(entry.get_moderation_url()).text
    assert f'<h3 class="govuk-heading-m">Before the meeting</h3>\n{BULLETS}' in page
    assert reverse("learning:detail", args=[entry.slug]) in page
