"""Showing entries' text as HTML. Entries are plain text: nothing a person typed is ever
treated as HTML. Everything is escaped first; only our own tags are added afterwards."""

from django.utils.html import escape, format_html, linebreaks
from django.utils.safestring import SafeString, mark_safe


def highlighted(text: str, findings) -> SafeString:
    """The moderator's preview: each finding replaced by its label and highlighted.

    Findings marked "not personal data" are shown as written. Paragraphs and line breaks
    are kept.
    """
    hidden = sorted((f for f in findings if f.hides_text), key=lambda f: (f.start, -f.end))
    pieces = []
    position = 0
    for finding in hidden:
        if finding.start < position:
            continue  # findings never overlap; this only guards against bad data
        pieces.append(escape(text[position : finding.start]))
        pieces.append(format_html('<mark class="hub-highlight">{}</mark>', finding.label))
        position = finding.end
    pieces.append(escape(text[position:]))
    # Labels never contain line breaks, so no <mark> is split across paragraphs.
    return mark_safe(linebreaks("".join(pieces), autoescape=False))  # noqa: S308 - escaped above


def highlighted_line(text: str, findings) -> SafeString:
    """The same for a one-line value (the title): no paragraphs."""
    html = highlighted(text.replace("\n", " "), findings)
    return mark_safe(html.removeprefix("<p>").removesuffix("</p>"))  # noqa: S308 - escaped above


# How much of the surrounding text to show around a finding, in characters each side.
CONTEXT_CHARACTERS = 40


def in_context(text: str, finding) -> SafeString:
    """What was found, in bold, with a few words either side, for the moderator to judge."""
    start = max(0, finding.start - CONTEXT_CHARACTERS)
    end = min(len(text), finding.end + CONTEXT_CHARACTERS)
    before = ("…" if start else "") + text[start : finding.start]
    after = text[finding.end : end] + ("…" if end < len(text) else "")
    return format_html(
        "{}<strong>{}</strong>{}",
        before.replace("\n", " "),
        text[finding.start : finding.end],
        after.replace("\n", " "),
    )
