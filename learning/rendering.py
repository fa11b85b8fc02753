"""Showing entries' text as HTML. Entries are plain text: nothing a person typed is ever
treated as HTML. Everything is escaped first; only our own tags are added afterwards.

People lay out a how-to guide the way they would in an email, so that layout is shown as
real structure, for screen readers as much as for the eye (WCAG 1.3.1):

- lines starting "- ", "* " or "• " are a bulleted list; "1. ", "2. " a numbered one. An
  indented line straight after an item carries on that item;
- a short line on its own (no full stop at the end) directly before a list or a paragraph
  is a sub-heading, "Before the meeting" say;
- everything else is paragraphs, split at blank lines, keeping single line breaks.

Nothing else is read as markup: no Markdown, so "2*3*4" or a file_name stays as typed. A
Markdown library with raw HTML turned off was the other way; it would read far more into
plain text than people mean (emphasis, links, code), still not find these headings, and
need a sanitiser after it. This file is the whole of the rules.
"""

import bisect
import re
from dataclasses import dataclass, field

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

# Checked on a line with its leading spaces removed. The marker needs a space after it, so
# "-5 degrees" and "*important*" stay text; three digits at most, so "2024. A good year"
# does not start a list.
BULLET = re.compile(r"[-*•]\s+")
NUMBERED = re.compile(r"(\d{1,3})\.\s+")

# A sub-heading is a short line: longer than this, it is a sentence.
HEADING_MAX_CHARACTERS = 80
# A line ending like this is a sentence or a lead-in ("You will need:"), not a heading.
SENTENCE_ENDINGS = ".,;:!…"
# Closing quotes and brackets are looked past: 'He said "stop."' ends with a full stop.
CLOSING_MARKS = "\"'”’»)"

LIST_CLASSES = {
    "bullet": ("ul", "govuk-list govuk-list--bullet"),
    "number": ("ol", "govuk-list govuk-list--number"),
}
# One size for every level, so the moderator's preview (where the headings sit under an h2
# and so are h3) looks just like the public page (where they are h2).
HEADING_CLASS = "govuk-heading-m"
HIGHLIGHT = '<mark class="hub-highlight">'


def _one_kind_of_line_break(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


@dataclass
class _Text:
    """The text to show, and the parts of it to highlight: (start, end) pairs, in order and
    not overlapping. The parts are the labels standing in for personal data, so a line or
    list marker never cuts one; `html` copes if one ever did."""

    text: str
    marks: list[tuple[int, int]] = field(default_factory=list)

    def html(self, start: int, end: int) -> str:
        """text[start:end], escaped, with the highlights in it."""
        pieces = []
        position = start
        first = bisect.bisect_right(self.marks, (start, start))
        if first and self.marks[first - 1][1] > start:
            first -= 1  # a highlight that began before `start` and runs into it
        for mark_start, mark_end in self.marks[first:]:
            if mark_start >= end:
                break
            mark_start, mark_end = max(mark_start, position), min(mark_end, end)
            pieces.append(escape(self.text[position:mark_start]))
            pieces.append(f"{HIGHLIGHT}{escape(self.text[mark_start:mark_end])}</mark>")
            position = mark_end
        pieces.append(escape(self.text[position:end]))
        return "".join(pieces)


@dataclass
class _Paragraph:
    lines: list[tuple[int, int]]


@dataclass
class _List:
    kind: str  # "bullet" or "number"
    first_number: int
    items: list[list[tuple[int, int]]]


def _parse(text: str) -> list:
    """Paragraphs and lists, each holding (start, end) spans of `text`, in reading order."""
    blocks = []
    paragraph = listing = None
    position = 0
    for line in text.split("\n"):
        line_start, position = position, position + len(line) + 1
        stripped = line.strip()
        if not stripped:  # a blank line ends whatever was open
            paragraph = listing = None
            continue
        start = line_start + len(line) - len(line.lstrip())
        end = start + len(stripped)
        bullet, numbered = BULLET.match(stripped), NUMBERED.match(stripped)
        marker = bullet or numbered
        if marker:
            kind = "bullet" if bullet else "number"
            item = [(start + marker.end(), end)]
            if listing is None or listing.kind != kind:
                number = int(numbered.group(1)) if numbered else 1
                listing = _List(kind, number, [])
                blocks.append(listing)
            listing.items.append(item)
            paragraph = None
        elif listing is not None and line[:1].isspace():
            listing.items[-1].append((start, end))  # an item carried on to the next line
        else:
            listing = None
            if paragraph is None:
                paragraph = _Paragraph([])
                blocks.append(paragraph)
            paragraph.lines.append((start, end))
    return blocks


def _looks_like_a_heading(text: str, block) -> bool:
    if not isinstance(block, _Paragraph) or len(block.lines) != 1:
        return False
    start, end = block.lines[0]
    line = text[start:end]
    last = line.rstrip(CLOSING_MARKS)[-1:]
    return (
        len(line) <= HEADING_MAX_CHARACTERS
        and last not in SENTENCE_ENDINGS
        and any(character.isalpha() for character in line)
    )


def _is_heading(text: str, block, following) -> bool:
    """A heading-like line counts only when something it heads comes next: a list, or a
    paragraph that is not itself heading-like. So a closing "Thanks" is a paragraph, and so
    is "Thanks" above a signature ("Jean")."""
    if following is None or not _looks_like_a_heading(text, block):
        return False
    return isinstance(following, _List) or not _looks_like_a_heading(text, following)


def _render(text: _Text, heading_level: int) -> SafeString:
    if not 2 <= heading_level <= 6:
        raise ValueError(f"Sub-headings in an entry cannot be h{heading_level}")
    blocks = _parse(text.text)
    html = []
    for number, block in enumerate(blocks):
        following = blocks[number + 1] if number + 1 < len(blocks) else None
        if _is_heading(text.text, block, following):
            start, end = block.lines[0]
            tag = f"h{heading_level}"
            html.append(f'<{tag} class="{HEADING_CLASS}">{text.html(start, end)}</{tag}>')
        elif isinstance(block, _Paragraph):
            html.append(f"<p>{'<br>'.join(text.html(*line) for line in block.lines)}</p>")
        else:
            tag, css = LIST_CLASSES[block.kind]
            # A list that carries on after a paragraph ("3. ", "4. ") keeps its numbers.
            numbering = f' start="{block.first_number}"' if block.first_number != 1 else ""
            items = "".join(
                f"<li>{'<br>'.join(text.html(*line) for line in item)}</li>" for item in block.items
            )
            html.append(f'<{tag} class="{css}"{numbering}>{items}</{tag}>')
    return mark_safe("\n".join(html))  # noqa: S308 - every piece of text is escaped by _Text.html


def entry_html(text: str, *, heading_level: int = 2) -> SafeString:
    """An entry's text laid out as HTML. `heading_level` is the level its sub-headings take
    on the page: one below the heading the text sits under (2 under the page's h1)."""
    return _render(_Text(_one_kind_of_line_break(text)), heading_level)


def _with_labels(text: str, findings) -> _Text:
    """The text as it will be published, each hidden finding replaced by its label, and
    where the labels are. The layout is read from this, as it will be from the published
    text, so the preview is laid out just as the public page will be."""
    hidden = sorted((f for f in findings if f.hides_text), key=lambda f: (f.start, -f.end))
    pieces = []
    marks = []
    length = position = 0
    for finding in hidden:
        if finding.start < position:
            continue  # findings never overlap; this only guards against bad data
        # Line breaks are made one kind piece by piece, so the positions stay right.
        before = _one_kind_of_line_break(text[position : finding.start])
        label = finding.label
        pieces += [before, label]
        marks.append((length + len(before), length + len(before) + len(label)))
        length += len(before) + len(label)
        position = finding.end
    pieces.append(_one_kind_of_line_break(text[position:]))
    return _Text("".join(pieces), marks)


def highlighted(text: str, findings, *, heading_level: int = 3) -> SafeString:
    """The moderator's preview: each finding replaced by its label and highlighted, laid out
    as on the public page. Findings marked "not personal data" are shown as written."""
    return _render(_with_labels(text, findings), heading_level)


def highlighted_line(text: str, findings) -> SafeString:
    """The same for a one-line value (the title): no paragraphs, lists or headings."""
    labelled = _with_labels(text.replace("\r", " ").replace("\n", " "), findings)
    return mark_safe(labelled.html(0, len(labelled.text)))  # noqa: S308 - escaped by html()


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
