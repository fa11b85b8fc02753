"""Every message the hub sends, read the way the people who get them would: queued by the
code that sends it in real life (every_message.py), then rendered as an e-mail (text and
HTML), in easy read, as a text message and as the staff call list's words.

These rules hold for every kind, so a new kind, or a new wording, is checked without a test
of its own.
"""

import re

import pytest
from django.conf import settings

from notifications.kinds import KIND_CATEGORIES, always_sent, category_for
from notifications.services import TEXT_MESSAGE_MAX
from notifications.tokens import read_unsubscribe_token

from .every_message import queue_every_kind, render_every_part

pytestmark = pytest.mark.django_db

# A council's address is longer than a laptop's; text message lengths depend on it.
SITE_URL = "https://coproduction.anytown.gov.uk"

# Workflow words staff use that mean nothing (or the wrong thing) to residents.
STAFF_WORDS = [
    "payment run",
    "draft",
    "status",
    "reimburs",
    "ledger",
    "workflow",
    "pending",
    "submitted",
    "PR-0",
    "opportunity_",
    "claim_",
]

# Two parts of a text message: long enough for the facts and a link, short enough to read.
TEXT_MESSAGE_PARTS = 2
TEXT_MESSAGE_LIMIT = 153 * TEXT_MESSAGE_PARTS
# An optional text's last line: how to stop them. It may add one part, never more.
STOP_LINE = re.compile(r"\nStop these texts: (?P<link>\S+)\Z")
STOP_LINE_LIMIT = 100

# Plain English: sentences of 20 words or fewer (an address or a number counts as a word);
# easy read, 15 or fewer.
LONGEST_SENTENCE = 20
LONGEST_EASY_READ_SENTENCE = 15


@pytest.fixture
def messages(settings, django_capture_on_commit_callbacks):
    settings.SITE_URL = SITE_URL
    queued = queue_every_kind(django_capture_on_commit_callbacks)
    return [render_every_part(kind, context) for kind, context in queued]


def _parts(message):
    """(name, text) for each plain-text form the message takes."""
    yield "subject", message.subject
    yield "e-mail", message.email_text
    yield "easy read", message.easy_read
    yield "text message", message.text_message
    yield "call list", message.call_list


URL = re.compile(r"https?://[^\s<>\"]+")


def _links(text):
    return [url.rstrip(".,)") for url in URL.findall(text)]


def _sentences(text):
    """Sentences of prose: links, and lines that are labels or lists, left out."""
    prose = URL.sub("LINK", text)
    for paragraph in re.split(r"\n\s*\n", prose):
        for line in paragraph.splitlines():
            for sentence in re.split(r"(?<=[.?!])\s+", line):
                words = sentence.split()
                if words:
                    yield sentence, len(words)


def test_every_kind_is_sent_by_the_code_that_sends_it(messages):
    assert {m.kind for m in messages} == set(KIND_CATEGORIES)


def test_every_subject_says_what_the_message_is_about_in_one_short_line(messages):
    for message in messages:
        subject = message.subject
        assert subject.strip(), message.kind
        assert len(subject) <= 80, (message.kind, subject)
        assert "\n" not in subject, message.kind
        assert not subject.endswith("."), (message.kind, subject)


def test_every_link_is_whole_so_it_opens_from_any_inbox_or_phone(messages):
    for message in messages:
        for name, text in _parts(message):
            # A path on its own ("/claims/") does not open from an e-mail or a text.
            relative = re.findall(r"(?:^|[\s(:])(/[\w-]+/\S*)", URL.sub("", text))
            assert not relative, (message.kind, name, relative)
            for link in _links(text):
                ours = "127.0.0.1" in link or "anytown.gov.uk" in link
                if ours:
                    assert link.startswith(SITE_URL + "/"), (message.kind, name, link)
        for href in re.findall(r'href="([^"]*)"', message.email_html):
            assert href.startswith(("https://", "http://", "mailto:")), (message.kind, href)


def test_the_html_e_mail_makes_every_link_clickable(messages):
    for message in messages:
        for link in _links(message.body):
            assert f'href="{link}' in message.email_html, (message.kind, link)


def test_nothing_of_the_machinery_shows_through(messages):
    for message in messages:
        for name, text in _parts(message):
            where = (message.kind, name)
            for leak in ("None", "{{", "{%", "}}", "[]", "[<", "&#x27;", "&amp;", "&quot;"):
                assert leak not in text, (*where, leak, text)
            assert "\n\n\n" not in text, where
            assert "  " not in text, where
            assert not re.search(r"[ \t]$", text, re.MULTILINE), (*where, "space at a line's end")
            # A title ending in "?" or "!" takes no full stop or comma after it.
            assert not re.search(r"[?!][.,]", text), (*where, re.findall(r".{30}[?!][.,]", text))
            assert " ." not in text and " ," not in text, where


def test_residents_never_read_staff_words(messages):
    for message in messages:
        if not message.for_residents:
            continue
        for name, text in _parts(message):
            if name == "call list":
                continue  # read by staff, who pass on what it says in their own words
            # The unsubscribe link's token is not words anyone reads.
            words = URL.sub("LINK", text).lower()
            for word in STAFF_WORDS:
                assert word.lower() not in words, (message.kind, name, word)


def test_dates_times_and_money_are_written_as_the_pages_write_them(messages):
    for message in messages:
        for name, text in _parts(message):
            words = URL.sub("LINK", text)
            where = (message.kind, name)
            assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", words), where  # 2026-03-02
            assert not re.search(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b", words), where  # 2/3/2026
            assert not re.search(r"\b\d{1,2}:\d{2}(?!am|pm)\b", words), where  # 14:00
            assert not re.search(r"\b[ap]\.m\.|\d ?[AP]M\b", words), where  # 2 P.M.
            assert not re.search(r"£\d[\d,]*\.00\b", words), where  # £20.00 is £20
            assert not re.search(r"\bGBP\b|\d£|£ ", words), where


def test_no_sentence_is_too_long_to_follow(messages):
    for message in messages:
        for name, text in [("e-mail", message.body), ("easy read", message.easy_read)]:
            limit = LONGEST_SENTENCE if name == "e-mail" else LONGEST_EASY_READ_SENTENCE
            if name == "easy read" and not message.has_easy_read:
                continue
            for sentence, count in _sentences(text):
                assert count <= limit, (message.kind, name, count, sentence)


def test_every_message_for_residents_has_an_easy_read_version(messages):
    for message in messages:
        if message.for_residents and message.kind not in {
            # To people who shared in the practice guide, often without an account: plain
            # words already, and there is no profile to ask for easy read from.
            "guide_entry_published",
            "guide_entry_returned",
            "guide_entry_rejected",
        }:
            assert message.has_easy_read, message.kind
            assert message.easy_read.startswith("Hello"), message.kind


def test_every_text_message_is_short_and_stands_on_its_own(messages):
    for message in messages:
        text = message.text_message
        where = (message.kind, len(text), text)
        words = STOP_LINE.sub("", text)
        assert len(text) <= TEXT_MESSAGE_MAX, where
        assert len(words) <= TEXT_MESSAGE_LIMIT, where
        assert len(text) - len(words) <= STOP_LINE_LIMIT, where
        assert text.startswith(f"{settings.SITE_NAME}: "), where
        # Nothing that only makes sense in an e-mail.
        for email_only in ("Hello", "attached", "this email", "this e-mail", "below"):
            assert email_only not in text, (*where, email_only)


def test_an_optional_text_message_ends_with_a_link_that_stops_it(messages):
    for message in messages:
        stop = STOP_LINE.search(message.text_message)
        if always_sent(message.kind):
            # Like its e-mail: a link would not stop it.
            assert stop is None, message.kind
            continue
        assert stop, (message.kind, message.text_message)
        token = stop["link"].removeprefix(f"{SITE_URL}/unsubscribe/").removesuffix("/")
        assert read_unsubscribe_token(token) == (message.recipient_id, category_for(message.kind))


def test_every_text_message_carries_a_link_or_a_number_to_act_on(messages):
    for message in messages:
        text = message.text_message
        has_number = settings.SUPPORT_PHONE in text or re.search(r"\d{5} ?\d{3} ?\d{3}", text)
        assert _links(text) or has_number or settings.SUPPORT_EMAIL in text, message.kind


def test_an_e_mail_says_why_it_came_and_how_to_choose_what_comes(messages):
    for message in messages:
        assert "You get this because you" in message.email_text, message.kind
        assert ("Stop these messages: " in message.email_text) or (
            "We always send messages like this" in message.email_text
            or "you gave us this email address" in message.email_text
        ), message.kind
