"""Find and hide personal details in free text before it is shared or stored for learning.

The Co-production Hub keeps notes, stories and feedback written by people who use adult
social care, their carers and staff. Before that text is reused (for example in a
"what we learned" summary) we want to hide details that identify someone. This module does
that with rules, not with a trained model, so it is fast, predictable and easy to check.

How it works
------------
``scan(text, known_names)`` runs one small detector per kind of detail and returns
``Finding`` objects (kind, start, end). ``redact(text, findings)`` swaps each finding for a
plain-English label such as ``[name]`` or ``[phone number]``.

* Email addresses: a regular expression for ``something@domain.tld``.
* Phone numbers: the ``phonenumbers`` library (Google's libphonenumber) finds number-like
  runs with region "GB". We keep a match only if it is written the way people write phone
  numbers (starting with 0, +44, 0044 or another "+" country code) and the library says it
  is a possible number. We deliberately use "possible" rather than "valid" for UK numbers
  so that numbers in ranges not yet allocated, including Ofcom's drama ranges such as
  07700 900123, are still hidden: for privacy a missed number is worse than an extra one.
* Postcodes: one regular expression that follows the Royal Mail letter rules for each
  position (for example the two letters at the end never include C, I, K, M, O or V).
* NHS numbers: ten digits (optionally 3-3-4 with spaces or dashes) that pass the NHS
  modulus 11 check digit. Ten-digit runs that fail the check are left alone.
* National Insurance numbers: two letters, six digits and an optional A-D suffix, using
  HMRC's rules about which prefix letters are never issued.
* Dates of birth: a date is only treated as a date of birth when a cue such as "born",
  "DOB", "D.O.B", "date of birth" or "birthday" comes just before it. Only the date itself
  is flagged; the cue word is left in place so the sentence still reads naturally
  ("DOB: [date of birth]"). Ordinary dates (meetings, sessions) are not touched.
* Street addresses: a house or flat number, one to three capitalised words and a street
  word such as Road, Lane or Close ("12 Acacia Avenue", "Flat 3, 45 High Street").
* Names, in two ways:
    - people known to the hub (``known_names``) are matched in full, by first name alone,
      or as title plus surname ("Mrs Shah"), ignoring case and accents;
    - otherwise, a capitalised word that is in our bundled list of common UK given names
      (``learning/data/given_names.txt``), together with a following capitalised surname
      if there is one ("John Smith"). Given names that are also ordinary words, months or
      places ("May", "Will", "Grace", "Victoria") are only flagged when the words around
      them show they refer to a person: a title before them, a surname after them, or a
      word like "said", "asked" or "who" after them.

When two findings overlap we keep the longer one, and on a tie the more specific kind
(so "12 Victoria Road" is one address, not an address plus a name).

Limits (please read before relying on this)
-------------------------------------------
* This is a safety net, not a guarantee. A person still needs to read text before it is
  published.
* Names not in the list and not known to the hub are missed unless they follow a title
  ("Mrs Okonkwo"). Surnames on their own ("Shah agreed") are not found.
* Names written in capitals only ("JOHN") are found only if they are known to the hub.
* Capitalised words in headings can be mistaken for surnames after a given name
  ("Bill Payments" is read as a person).
* Addresses without a house number ("the flat on Mill Lane"), towns and building names on
  their own are not found. Free-text descriptions ("the blue house by the church") are not.
* Dates of birth written without a cue ("she is 72 and was born ... well, 3/3/52") or with
  the cue far away from the date are missed; ages are not treated as personal details.
* Numbers that happen to pass the NHS check digit are flagged even if they are something
  else (about one in eleven random ten-digit numbers passes).

The module must stay free of Django imports so it can be tested and reused on its own.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import phonenumbers

# ---------------------------------------------------------------------------
# Public interface
# ---------------------------------------------------------------------------

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


def scan(text: str, known_names: Iterable[str] = ()) -> list[Finding]:
    """Return the personal details found in ``text``, sorted by position, never overlapping."""
    if not text:
        return []
    candidates: list[Finding] = []
    candidates += _find_emails(text)
    candidates += _find_phone_numbers(text)
    candidates += _find_postcodes(text)
    candidates += _find_nhs_numbers(text)
    candidates += _find_ni_numbers(text)
    candidates += _find_dates_of_birth(text)
    candidates += _find_addresses(text)
    candidates += _find_known_names(text, tuple(known_names))
    candidates += _find_common_names(text)
    return _resolve_overlaps(candidates)


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


def _resolve_overlaps(candidates: list[Finding]) -> list[Finding]:
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


# ---------------------------------------------------------------------------
# Email addresses
# ---------------------------------------------------------------------------

_EMAIL_RE = re.compile(
    r"(?<![\w.%+'-])"
    r"[\w.%+'-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}"
    r"(?![\w-])"
)


def _find_emails(text: str) -> Iterator[Finding]:
    for match in _EMAIL_RE.finditer(text):
        yield Finding("email", match.start(), match.end())


# ---------------------------------------------------------------------------
# Phone numbers
# ---------------------------------------------------------------------------


def _find_phone_numbers(text: str) -> Iterator[Finding]:
    matcher = phonenumbers.PhoneNumberMatcher(text, "GB", leniency=phonenumbers.Leniency.POSSIBLE)
    for match in matcher:
        if _is_written_like_a_phone_number(match.raw_string, match.number):
            yield Finding("phone", match.start, match.end)


def _is_written_like_a_phone_number(raw: str, number: phonenumbers.PhoneNumber) -> bool:
    # The matcher is generous: with "possible" leniency it will happily return money
    # (12.50), years (2024) or reference numbers. Real written phone numbers start with
    # the UK trunk prefix 0, or with an international prefix (+ or 00).
    written = raw.lstrip("( ")
    national_digits = phonenumbers.national_significant_number(number)
    if written.startswith("+") or written.startswith("00"):
        if number.country_code == 44:
            return phonenumbers.is_possible_number(number) and len(national_digits) >= 9
        return phonenumbers.is_valid_number(number)
    if not written.startswith("0") or number.country_code != 44:
        return False
    if phonenumbers.is_valid_number(number):
        return True  # includes short but real numbers such as 0800 1111
    # Unallocated ranges (e.g. drama numbers) are still hidden if they have a full length;
    # this also rules out dates such as 03.03.1952, which are too short.
    return phonenumbers.is_possible_number(number) and len(national_digits) >= 9


# ---------------------------------------------------------------------------
# Postcodes
# ---------------------------------------------------------------------------

# Royal Mail rules, position by position:
#   1st letter: any except Q V X
#   2nd letter (when there are two): any except I J Z
#   letter after the digit in A9A outward codes: A B C D E F G H J K P S T U W
#   letter after the digit in AA9A outward codes: A B E H M N P R V W X Y
#   inward code: a digit then two letters, never C I K M O V
_PC_FIRST = "A-PR-UWYZ"
_PC_SECOND = "A-HK-Y"
_PC_THIRD_A9A = "ABCDEFGHJKPSTUW"
_PC_FOURTH_AA9A = "ABEHMNPRVWXY"
_PC_INWARD_LETTER = "ABD-HJLNP-UW-Z"

_POSTCODE_RE = re.compile(
    rf"""
    (?<![^\W_])                      # not glued to a letter or digit before
    (?:
        GIR\s?0AA
      | (?:
            [{_PC_FIRST}][0-9][{_PC_THIRD_A9A}]          # A9A
          | [{_PC_FIRST}][{_PC_SECOND}][0-9][{_PC_FOURTH_AA9A}]  # AA9A
          | [{_PC_FIRST}][{_PC_SECOND}][0-9]{{1,2}}       # AA9, AA99
          | [{_PC_FIRST}][0-9]{{1,2}}                     # A9, A99
        )
        \s?[0-9][{_PC_INWARD_LETTER}]{{2}}
    )
    (?![^\W_])                       # not glued to a letter or digit after
    """,
    re.IGNORECASE | re.VERBOSE,
)


def _find_postcodes(text: str) -> Iterator[Finding]:
    for match in _POSTCODE_RE.finditer(text):
        yield Finding("postcode", match.start(), match.end())


# ---------------------------------------------------------------------------
# NHS numbers
# ---------------------------------------------------------------------------

_NHS_RE = re.compile(
    r"(?<![\d])(?<!\d[ .-])"  # not the tail of a longer number
    r"(\d{3})([ .-]?)(\d{3})\2(\d{4})"  # same separator both times: 943 476 5919
    r"(?!\d)(?![ .-]\d)"
)


def nhs_check_digit(first_nine_digits: str) -> int | None:
    """Return the NHS modulus 11 check digit for nine digits, or None if none is possible."""
    weights = range(10, 1, -1)
    total = sum(int(d) * w for d, w in zip(first_nine_digits, weights, strict=True))
    check = 11 - (total % 11)
    if check == 11:
        return 0
    if check == 10:
        return None  # such numbers are never issued
    return check


def is_valid_nhs_number(digits: str) -> bool:
    """True when ``digits`` (ten digits, no separators) has a correct NHS check digit."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    return nhs_check_digit(digits[:9]) == int(digits[9])


def _find_nhs_numbers(text: str) -> Iterator[Finding]:
    for match in _NHS_RE.finditer(text):
        digits = match.group(1) + match.group(3) + match.group(4)
        if is_valid_nhs_number(digits):
            yield Finding("nhs_number", match.start(), match.end())


# ---------------------------------------------------------------------------
# National Insurance numbers
# ---------------------------------------------------------------------------

# HMRC never issues D F I Q U V as the first letter, D F I O Q U V as the second,
# nor the prefixes BG GB KN NK NT TN ZZ.
_NI_RE = re.compile(
    r"""
    (?<![^\W_])
    (?P<prefix>(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z])
    (?P<gap>\s?)
    \d{2}\s?\d{2}\s?\d{2}
    (?:\s?(?P<suffix>[A-D]))?
    (?![^\W_])
    """,
    re.IGNORECASE | re.VERBOSE,
)


def _find_ni_numbers(text: str) -> Iterator[Finding]:
    for match in _NI_RE.finditer(text):
        # In lower case, "at 123456" or "on 123456" look like NI numbers. Lower-case
        # prefixes are only trusted when written as one block ("ab123456c") or with a suffix.
        lower_case = not match.group("prefix").isupper()
        if lower_case and match.group("gap") and not match.group("suffix"):
            continue
        yield Finding("ni_number", match.start(), match.end())


# ---------------------------------------------------------------------------
# Dates of birth
# ---------------------------------------------------------------------------

_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?)"
)
_WEEKDAY = r"(?:Mon|Tues|Tue|Wednes|Wed|Thurs|Thu|Fri|Satur|Sat|Sun)(?:day)?"
_DAY = r"[0-3]?\d(?:st|nd|rd|th)?"
_DATE = rf"""
    (?:
        \d{{4}}[-/.][01]?\d[-/.][0-3]?\d                     # 1952-03-03
      | [0-3]?\d[/.-][01]?\d[/.-](?:\d{{4}}|\d{{2}})         # 03/03/1952, 3.3.52
      | {_DAY}\s+(?:of\s+)?{_MONTH}(?:,?\s+(?:\d{{4}}|'?\d{{2}}))?  # 3rd of March 1952
      | {_DAY}(?P<sep>[-/.]){_MONTH}(?P=sep)(?:\d{{4}}|\d{{2}})  # 3-Mar-1952, 3/Mar/52
      | {_MONTH}\s+(?:\d{{4}}|{_DAY}(?:,?\s+\d{{4}})?)       # March 3, 1952 / March 1952
      | (?:19|20)\d{{2}}       # a year of birth ("born in 1952") is identifying enough
    )
    (?![^\W_])
"""
_DOB_CUE = r"""
    (?:
        date\s+of\s+birth
      | birth\s?date
      | birthday
      | born
      | d\.?\s?o\.?\s?b\b\.?
    )
"""
# Small connecting words allowed between the cue and the date: "born on the 3rd of ...",
# "birthday is 12 June", "DOB: 03/03/1952".
_DOB_GAP = rf"""
    [\s:=,\-–—]*
    (?:(?:is|was|on|in|of|falls\s+on)\s+){{0,2}}
    (?:the\s+)?
    (?:{_WEEKDAY},?\s+)?
"""
_DOB_RE = re.compile(
    rf"(?<![^\W_]){_DOB_CUE}{_DOB_GAP}(?P<date>{_DATE})",
    re.IGNORECASE | re.VERBOSE,
)
# The cue may also come straight after the date: "3 March 1952 (DOB)".
_DATE_THEN_CUE_RE = re.compile(
    rf"(?<![^\W_])(?P<date>{_DATE})\s*\(\s*(?:DOB|D\.O\.B\.?|date\s+of\s+birth)\s*\)",
    re.IGNORECASE | re.VERBOSE,
)


def _find_dates_of_birth(text: str) -> Iterator[Finding]:
    for pattern in (_DOB_RE, _DATE_THEN_CUE_RE):
        for match in pattern.finditer(text):
            yield Finding("date_of_birth", match.start("date"), match.end("date"))


# ---------------------------------------------------------------------------
# Street addresses
# ---------------------------------------------------------------------------

_UPPER = "A-ZÀ-ÖØ-Þ"
_LETTER = "A-Za-zÀ-ÖØ-öø-ÿ"

STREET_SUFFIXES = (
    "Street St Road Rd Avenue Ave Lane Ln Close Cl Drive Dr Way Crescent Cres Place Pl "
    "Gardens Gdns Court Ct Terrace Terr Tce Grove Gr Walk Hill Row Square Sq Mews Park "
    "Rise View Vale Green Parade Boulevard Embankment Esplanade Promenade Quay Wharf Yard "
    "Gate Croft Fold Meadow Meadows Chase Brow Bank Heights End Fields Wood Hollow Dale "
    "Garth Approach Circus Drove Broadway Highway Passage Villas Cottages Buildings "
    "Mansions House Lodge Grange Wynd Loan Brae Ridge Glade Copse Orchard"
).split()

_HOUSE_NUMBER = r"\d{1,4}[A-Za-z]?(?:\s?[-–]\s?\d{1,4}[A-Za-z]?)?"
_FLAT = r"(?i:flat|apartment|apt\.?|unit|maisonette)\s+\d{1,4}[A-Za-z]?"
_STREET_WORD = rf"[{_UPPER}][{_LETTER}'’\-]*\.?"
# Longest first so that "Street" is tried before "St".
_SUFFIX = "(?:" + "|".join(sorted(STREET_SUFFIXES, key=len, reverse=True)) + ")"

_ADDRESS_RE = re.compile(
    rf"""
    (?<![\w£$€.,:/])               # not the middle of a number, price or reference
    (?:
        {_FLAT}\s*,?\s+(?:{_HOUSE_NUMBER}\s*,?\s+)?   # Flat 3, 45 ...
      | {_HOUSE_NUMBER}\s*,?\s+                       # 221b ...
    )
    (?:{_STREET_WORD}\s+){{1,3}}
    (?i:{_SUFFIX})\b               # the street word may be any case: "12 Acacia avenue"
    """,
    re.VERBOSE,
)


def _find_addresses(text: str) -> Iterator[Finding]:
    for match in _ADDRESS_RE.finditer(text):
        yield Finding("address", match.start(), match.end())


# ---------------------------------------------------------------------------
# Names: shared helpers
# ---------------------------------------------------------------------------

TITLES = ("Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Prof", "Professor", "Sir", "Dame", "Rev", "Cllr")
_TITLE_KEYS = {title.casefold() for title in TITLES}
_TITLE_PATTERN = r"(?:" + "|".join(TITLES) + r")\.?"

# A word: letters in any alphabet, with inner apostrophes or hyphens (O'Neill, Mary-Jane).
_WORD_RE = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
_POSSESSIVE_RE = re.compile(r"['’]s$", re.IGNORECASE)

MONTHS_AND_DAYS = frozenset(
    "january february march april may june july august september october november december "
    "monday tuesday wednesday thursday friday saturday sunday".split()
)

# Given names that are also everyday words, months, days or places. Without context
# "we will meet in May" or "Mark the date" would lose their meaning, so these are only
# treated as names when the surrounding words show a person is meant.
AMBIGUOUS_GIVEN_NAMES = frozenset(
    """
    may june april august will bill grace hope faith joy rose lily mark frank pat sue amber
    dawn iris penny summer autumn brook brooke chase max guy ray jack rob drew sky skye
    victoria chester jersey florence sydney charlotte paris georgia india jordan austin
    devon kerry shannon eden holly ivy poppy daisy violet hazel olive heather fern willow
    jasmine ruby pearl jade crystal robin wren jay angel christian marina norman carol eve
    gene sandy sunny rich miles wade lance cliff glen dean dale harmony patience prudence
    constance mercy charity honor precious blessing nick bob harley mason taylor hunter
    parker harper piper river phoenix bailey rowan sonny earl cecil stanley lincoln
    chelsea madison bella grant iona
    """.split()
)

# Words that follow a person's name: "Mark said", "Grace, who ...".
_PERSON_VERBS_AFTER = frozenset(
    """
    said says told tells asked asks who whom whose explained explains mentioned mentions
    shared shares replied replies added adds agreed agrees suggested suggests thinks thought
    wrote writes emailed emails phoned phones rang felt feels wants wanted attended attends
    joined joins herself himself themself themselves
    """.split()
)
# Words that come before a person's name: "Dear Grace", "Thanks, Will".
_PERSON_CUES_BEFORE = frozenset("dear hi hello thanks named".split())

# Small words that never continue a name ("Priya And ...", "John I think").
_STOPWORDS = frozenset(
    """
    the a an and or but nor of for in on at to from by with as is are was were be been has
    have had do does did not no yes if so it its this that these those there here then than
    i we you he she they me us him her them my our your his their also
    """.split()
)
# A given name followed by one of these is a place, not a person: "John Street",
# "Victoria Road", "Charlotte Square". The name is then skipped entirely.
_STREET_ONLY_WORDS = frozenset(
    """
    street st road rd avenue ave drive crescent place square terrace mews gardens station
    way parade rise grove walk view estate centre center hospital surgery school college
    university library
    """.split()
)
# Capitalised words that follow a given name in the names of events, organisations and
# venues but are not surnames: "Grace Period", "Summer Fair", "Christian Aid", "Chester Zoo".
_EVENT_WORDS = frozenset(
    """
    week weekend month year holiday holidays term period festival fair meeting meetings
    session sessions event events party team group club cafe café market update newsletter
    report service services project programme board forum network hub council county city
    town village zoo aid palace news museum theatre cinema gallery trust foundation charity
    society association partnership alliance cathedral abbey arena stadium airport pool
    leisure shop store restaurant hotel pub inn bar ward unit clinic practice pharmacy
    ambulance infirmary hospice
    """.split()
)
# Words that are real surnames but also name places or days ("Sarah Hall" but
# "Victoria Hall", "Doris Day" but "May Day"). They count as a surname only after a given
# name that is not itself an ordinary word.
_PLACE_LIKE_SURNAMES = frozenset(
    """
    day hall park church green wood hill lane house bank banks field fields court close
    brook dale gate bridge ford well wells row lodge grange cross garden
    """.split()
)
_NEVER_SURNAMES = _STOPWORDS | _STREET_ONLY_WORDS | _EVENT_WORDS | MONTHS_AND_DAYS

# Lower-case words that sit inside a name: "Ludwig van Beethoven", "Omar al Farouk".
_NAME_PARTICLES = frozenset(
    "de da di du del della van von der den le la bin binti bint al el ap".split()
)


def _fold(word: str) -> str:
    """Lower-case a word and drop accents so that "Siobhán" and "siobhan" compare equal."""
    decomposed = unicodedata.normalize("NFD", word)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


@functools.lru_cache(maxsize=1)
def given_names() -> frozenset[str]:
    """The bundled list of common UK given names, folded for comparison. Loaded once."""
    path = Path(__file__).with_name("data") / "given_names.txt"
    names = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            names.add(_fold(line))
    return frozenset(names)


def _is_capitalised(word: str) -> bool:
    # "Priya" or "McDonald", but not "NHS" (an acronym) and not "priya".
    return word[:1].isupper() and not (len(word) > 1 and word.isupper())


def _strip_possessive(word: str) -> tuple[str, bool]:
    match = _POSSESSIVE_RE.search(word)
    if match and len(word) > 2:
        return word[: match.start()], True
    return word, False


def _is_sentence_start(text: str, position: int) -> bool:
    # Only the last few characters matter; slicing keeps long texts fast.
    before = text[max(0, position - 80) : position].rstrip(" \t\"'“‘(")
    return not before or before[-1] in ".!?\n:;•-–—*"


@dataclass
class _Token:
    word: str
    start: int
    end: int


def _tokens(text: str) -> list[_Token]:
    return [_Token(m.group(), m.start(), m.end()) for m in _WORD_RE.finditer(text)]


def _only_spaces_between(text: str, left: _Token, right: _Token) -> bool:
    gap = text[left.end : right.start]
    return 0 < len(gap) <= 2 and gap.strip(" \t") == ""


def _loosely_joined(text: str, left: _Token, right: _Token) -> bool:
    # Allows a comma: "Thanks, Grace" or "Mark, who".
    gap = text[left.end : right.start]
    return 0 < len(gap) <= 3 and gap.replace(",", "").strip(" \t") == ""


def _looks_like_surname(word: str, after_ordinary_word: bool = False) -> bool:
    """True for a capitalised word that could be a surname ("Shah", "O'Neill", "McDonald").

    After a given name that is also an ordinary word ("Rose", "May") we are stricter:
    "Rose Court" and "May Day" are places and days, not people.
    """
    core, _ = _strip_possessive(word)
    if len(core) < 2 or not _is_capitalised(core):
        return False
    folded = _fold(core)
    if folded in _NEVER_SURNAMES:
        return False
    return not (after_ordinary_word and folded in _PLACE_LIKE_SURNAMES)


def _title_before(text: str, tokens: list[_Token], index: int) -> _Token | None:
    """The title token ("Mr", "Dr.") directly before tokens[index], if there is one."""
    if index == 0:
        return None
    previous = tokens[index - 1]
    gap = text[previous.end : tokens[index].start]
    is_title = _fold(previous.word) in _TITLE_KEYS and previous.word[0].isupper()
    if is_title and 0 < len(gap) <= 3 and gap.strip(" .") == "":
        return previous
    return None


def _has_person_context(text: str, tokens: list[_Token], index: int, possessive: bool) -> bool:
    """True when the words around tokens[index] show that a person is meant."""
    word = _fold(_strip_possessive(tokens[index].word)[0])
    # "June's meeting" is about a month, so a possessive is no evidence for months.
    if possessive and word not in MONTHS_AND_DAYS:
        return True
    if _title_before(text, tokens, index) is not None:
        return True
    if index > 0:
        previous = tokens[index - 1]
        if (
            _loosely_joined(text, previous, tokens[index])
            and _fold(previous.word) in _PERSON_CUES_BEFORE
        ):
            return True
    if index + 1 < len(tokens) and not possessive:
        following = tokens[index + 1]
        if (
            _loosely_joined(text, tokens[index], following)
            and following.word.casefold() in _PERSON_VERBS_AFTER
        ):
            return True
    return False


# ---------------------------------------------------------------------------
# Names of people the hub knows about
# ---------------------------------------------------------------------------


def _build_accent_variants() -> dict[str, str]:
    """Map each plain letter to itself plus its accented forms: "a" -> "aàáâãäåā...".

    Built from the Latin-1 and Latin Extended-A/B blocks, which cover the accents used in
    names common in the UK (Irish fadas, Polish, Romanian, Turkish, Portuguese...).
    """
    variants: dict[str, set[str]] = {}
    for code_point in range(0xC0, 0x250):
        ch = chr(code_point).lower()
        plain = _fold(ch)
        if len(plain) == 1 and plain.isascii() and plain.isalpha() and ch != plain:
            variants.setdefault(plain, set()).add(ch)
    # Letters with a stroke have no decomposition, so add them by hand.
    for plain, ch in (("l", "ł"), ("o", "ø"), ("d", "đ"), ("h", "ħ")):
        variants.setdefault(plain, set()).add(ch)
    return {plain: plain + "".join(sorted(chars)) for plain, chars in variants.items()}


_ACCENT_VARIANTS = _build_accent_variants()


def _accent_tolerant(word: str) -> str:
    """Regex for a word that ignores accents: "Siobhán" also matches "Siobhan" and back."""
    parts = []
    for ch in unicodedata.normalize("NFC", word):
        if ch in "'’‘`":
            parts.append("['’‘`]")
        elif ch in "-‐‑":
            parts.append("[-‐‑]")
        else:
            plain = _fold(ch)
            if plain in _ACCENT_VARIANTS:
                parts.append(f"[{_ACCENT_VARIANTS[plain]}]")
            else:
                parts.append(re.escape(ch))
    return "".join(parts)


_KNOWN_LEFT = r"(?<![\w'’\-])"
_KNOWN_RIGHT = r"(?![\w])(?![\-‐‑]\w)"


@dataclass(frozen=True)
class _KnownNamePatterns:
    full: re.Pattern[str] | None
    title_surname: re.Pattern[str] | None
    first_only: re.Pattern[str] | None


def _split_known_name(name: str) -> list[str]:
    words = name.split()
    while words and _fold(words[0].rstrip(".")) in _TITLE_KEYS:
        words = words[1:]
    return words


def _alternation(patterns: set[str]) -> re.Pattern[str] | None:
    if not patterns:
        return None
    body = "|".join(sorted(patterns, key=len, reverse=True))
    return re.compile(rf"{_KNOWN_LEFT}(?:{body}){_KNOWN_RIGHT}", re.IGNORECASE)


@functools.lru_cache(maxsize=64)
def _known_name_patterns(known_names: tuple[str, ...]) -> _KnownNamePatterns:
    title = rf"(?:{_TITLE_PATTERN}\s+)"
    full, title_surname, first_only = set(), set(), set()
    for name in known_names:
        words = _split_known_name(name)
        if not words:
            continue
        parts = [_accent_tolerant(word) for word in words]
        if len(parts) > 1:
            full.add(title + "?" + r"\s+".join(parts))
            full.add(title + "?" + parts[0] + r"\s+" + parts[-1])  # skip middle names
            title_surname.add(title + parts[-1])
        if len(words[0].strip(".")) > 1:  # an initial alone ("J.") is too vague
            first_only.add(title + "?" + parts[0])
    return _KnownNamePatterns(
        _alternation(full), _alternation(title_surname), _alternation(first_only)
    )


def _find_known_names(text: str, known_names: tuple[str, ...]) -> Iterator[Finding]:
    if not known_names:
        return
    patterns = _known_name_patterns(known_names)
    for pattern in (patterns.full, patterns.title_surname):
        if pattern is not None:
            for match in pattern.finditer(text):
                yield Finding("name", match.start(), match.end())
    if patterns.first_only is None:
        return
    tokens: list[_Token] = []
    index_by_start: dict[int, int] = {}
    for match in patterns.first_only.finditer(text):
        if not tokens:
            tokens = _tokens(text)
            index_by_start = {token.start: i for i, token in enumerate(tokens)}
        if _known_first_name_is_a_person(text, tokens, index_by_start.get(match.start()), match):
            yield Finding("name", match.start(), match.end())


def _known_first_name_is_a_person(
    text: str, tokens: list[_Token], index: int | None, match: re.Match
) -> bool:
    words = _WORD_RE.findall(match.group())
    if len(words) > 1:
        return True  # written with a title: "Mrs Grace"
    word = words[0]
    if _fold(word) not in AMBIGUOUS_GIVEN_NAMES:
        return True
    # A hub member called Will or May: "I will bring" and "meet in May" are not about them.
    if not word[0].isupper():
        return False
    if index is None:
        return False
    possessive = _strip_possessive(tokens[index].word)[1]
    if _has_person_context(text, tokens, index, possessive):
        return True
    if _fold(word) in MONTHS_AND_DAYS:
        return False
    # A capitalised "Grace" in the middle of ordinary prose is most likely the person we
    # know; at the start of a sentence or inside a Title Case Heading it is no evidence.
    if _is_sentence_start(text, tokens[index].start):
        return False
    return not _in_title_case_run(text, tokens, index)


def _in_title_case_run(text: str, tokens: list[_Token], index: int) -> bool:
    neighbours = []
    if index > 0 and _only_spaces_between(text, tokens[index - 1], tokens[index]):
        neighbours.append(tokens[index - 1].word)
    if index + 1 < len(tokens) and _only_spaces_between(text, tokens[index], tokens[index + 1]):
        neighbours.append(tokens[index + 1].word)
    return any(w[0].isupper() and w != "I" for w in neighbours)


# ---------------------------------------------------------------------------
# Names from the bundled list of common given names
# ---------------------------------------------------------------------------


def _find_common_names(text: str) -> Iterator[Finding]:
    tokens = _tokens(text)
    names = given_names()
    index = 0
    while index < len(tokens):
        finding, next_index = _name_at(text, tokens, index, names)
        if finding is not None:
            yield finding
        index = next_index


def _is_given_name(word: str, names: frozenset[str]) -> bool:
    if not _is_capitalised(word):
        return False
    if _fold(word) in names:
        return True
    # Double-barrelled first names: "Mary-Jane", "Jean-Luc".
    first_part = word.split("-")[0]
    return first_part != word and _fold(first_part) in names


def _surname_chain(text: str, tokens: list[_Token], index: int, strict: bool) -> int:
    """Index of the last surname-like token after tokens[index] (index itself if none).

    Takes at most two words, so "Mary Ann Smith" and "Omar al Farouk" are one name.
    """
    last = index
    position = index + 1
    while position < len(tokens) and position - index <= 2:
        previous, current = tokens[position - 1], tokens[position]
        if _strip_possessive(previous.word)[1]:
            break  # "Priya's Mum": the name ended at the possessive
        if not _only_spaces_between(text, previous, current):
            break
        if _fold(current.word) in _NAME_PARTICLES and position + 1 < len(tokens):
            following = tokens[position + 1]
            if _only_spaces_between(text, current, following) and _looks_like_surname(
                following.word
            ):
                last = position + 1
                position += 2
                continue
            break
        if not _looks_like_surname(current.word, after_ordinary_word=strict):
            break
        last = position
        position += 1
        # "Will Priya come?" is fine to flag, but stop at the second word after an
        # ordinary-word name so a heading cannot run on and on.
        if strict:
            break
    return last


def _followed_by_street_word(text: str, tokens: list[_Token], index: int) -> bool:
    if index + 1 >= len(tokens):
        return False
    following = tokens[index + 1]
    if not _only_spaces_between(text, tokens[index], following):
        return False
    return following.word[:1].isupper() and _fold(following.word) in _STREET_ONLY_WORDS


def _name_at(
    text: str, tokens: list[_Token], index: int, names: frozenset[str]
) -> tuple[Finding | None, int]:
    """The name starting at tokens[index], if any, and the index to carry on from."""
    token = tokens[index]
    if _fold(token.word) in _TITLE_KEYS and token.word[0].isupper():
        return _titled_name_at(text, tokens, index)

    core, possessive = _strip_possessive(token.word)
    if not _is_given_name(core, names):
        return None, index + 1
    # "St John Ambulance", "St Mary's": a saint's name is part of a place or charity.
    if index > 0 and _fold(tokens[index - 1].word) in ("st", "saint"):
        return None, index + 1
    # "Victoria Road", "John Street": a place named after someone, not a person.
    if not possessive and _followed_by_street_word(text, tokens, index):
        return None, index + 1

    ordinary_word = _fold(core) in AMBIGUOUS_GIVEN_NAMES
    last = _surname_chain(text, tokens, index, strict=ordinary_word)
    if ordinary_word and last == index and not _has_person_context(text, tokens, index, possessive):
        return None, index + 1
    return _name_finding(token.start, tokens[last]), last + 1


def _titled_name_at(text: str, tokens: list[_Token], index: int) -> tuple[Finding | None, int]:
    # "Mrs Okonkwo", "Dr Kelly", "Mr John Smith": a title followed by a capitalised word
    # is a person even when the surname is not a given name we know.
    if index + 1 >= len(tokens) or _title_before(text, tokens, index + 1) is None:
        return None, index + 1
    if _fold(tokens[index + 1].word) in _NAME_PARTICLES:  # "Mr de Souza"
        last = _surname_chain(text, tokens, index, strict=False)
        if last == index:
            return None, index + 1
        return _name_finding(tokens[index].start, tokens[last]), last + 1
    surname, _ = _strip_possessive(tokens[index + 1].word)
    # After a title even a month or an ordinary word is a surname: "Mrs May", "Mr Bill".
    if not _is_capitalised(surname) or _fold(surname) in _NEVER_SURNAMES - MONTHS_AND_DAYS:
        return None, index + 1
    last = _surname_chain(text, tokens, index + 1, strict=False)
    return _name_finding(tokens[index].start, tokens[last]), last + 1


def _name_finding(start: int, last: _Token) -> Finding:
    core, possessive = _strip_possessive(last.word)
    end = last.start + len(core) if possessive else last.end
    return Finding("name", start, end)
