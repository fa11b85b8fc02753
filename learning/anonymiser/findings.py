"""What the scanner reports: a kind of personal detail and where it is in the text."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

KINDS = (
    "email",
    "phone",
    "postcode",
    "nhs_number",
    "ni_number",
    "date_of_birth",
    "address",
    "name",
)

KIND_LABELS = {
    "email": "[email address]",
    "phone": "[phone number]",
    "postcode": "[postcode]",
    "nhs_number": "[NHS number]",
    "ni_number": "[National Insurance number]",
    "date_of_birth": "[date of birth]",
    "address": "[address]",
    "name": "[name]",
}

# When two findings cover exactly the same amount of text, the kind listed first wins.
# Kinds with a checksum or a strict format come first because they are the least
# likely to be a coincidence.
_SPECIFICITY = (
    "email",
    "nhs_number",
    "ni_number",
    "postcode",
    "date_of_birth",
    "phone",
    "address",
    "name",
)
_SPECIFICITY_RANK = {kind: rank for rank, kind in enumerate(_SPECIFICITY)}


@dataclass(frozen=True)
class Finding:
    """One personal detail found in a text: ``text[start:end]`` is exactly what was found."""

    kind: str
    start: int
    end: int

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]


def redact(text: str, findings: Iterable[Finding]) -> str:
    """Replace each finding's span of ``text`` with its label, leaving everything else as is.

    Overlapping findings are tolerated: the one that starts first is used.
    """
    pieces: list[str] = []
    position = 0
    for finding in sorted(findings, key=lambda f: (f.start, -f.end)):
        if finding.start < position:
            continue
        pieces.append(text[position : finding.start])
        pieces.append(finding.label)
        position = finding.end
    pieces.append(text[position:])
    return "".join(pieces)


def resolve_overlaps(candidates: list[Finding]) -> list[Finding]:
    """The candidates to report: sorted by position and never overlapping."""
    # Longest first, then most specific; a candidate is kept only if it does not touch
    # anything already kept. Duplicates from different detectors collapse naturally.
    ordered = sorted(
        candidates,
        key=lambda f: (-(f.end - f.start), _SPECIFICITY_RANK[f.kind], f.start),
    )
    kept: list[Finding] = []
    for candidate in ordered:
        if candidate.end <= candidate.start:
            continue
        if all(candidate.end <= k.start or candidate.start >= k.end for k in kept):
            kept.append(candidate)
    return sorted(kept, key=lambda f: f.start)
