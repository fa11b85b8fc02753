"""Detectors for personal details with a fixed shape: emails, phone numbers, postcodes, NHS
and National Insurance numbers, dates of birth and street addresses."""

from __future__ import annotations

import re
from collections.abc import Iterator

import phonenumbers

from .findings import Finding

# ---------------------------------------------------------------------------
# Email addresses
# ---------------------------------------------------------------------------

_EMAIL_RE = re.compile(
    r"(?<![\w.%+'-])"
    r"[\w.%+'-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}"
    r"(?![\w-])"
)


def find_emails(text: str) -> Iterator[Finding]:
    for match in _EMAIL_RE.finditer(text):
        yield Finding("email", match.start(), match.end())


# ---------------------------------------------------------------------------
# Phone numbers
# ---------------------------------------------------------------------------


_BRACKET_PAIRS = {"(": ")", "[": "]", "（": "）", "［": "］"}
# "+44 (0)20 7946 0000" sometimes comes back from the matcher as "(0)20 7946 0000", the
# country code left behind, when more numbers follow in the same sentence.
_COUNTRY_CODE_BEFORE_RE = re.compile(r"\+44\s?$")


def find_phone_numbers(text: str) -> Iterator[Finding]:
    matcher = phonenumbers.PhoneNumberMatcher(text, "GB", leniency=phonenumbers.Leniency.POSSIBLE)
    for match in matcher:
        start, end = _trim_punctuation(text, match.start, match.end)
        if _is_written_like_a_phone_number(text[start:end], match.number):
            if text.startswith("(0)", start):
                country_code = _COUNTRY_CODE_BEFORE_RE.search(text, max(0, start - 5), start)
                if country_code:
                    start = country_code.start()
            yield Finding("phone", start, end)


def _trim_punctuation(text: str, start: int, end: int) -> tuple[int, int]:
    """The match without punctuation at either end that is not part of the number.

    The matcher takes in an opening bracket before a number even when the bracket closes
    after it: in "Ring Mary (07700 900123) today" it returns "(07700 900123", and hiding
    that would leave "Ring [name] [phone number]) today". A bracket around part of the
    number ("(0161) 496 0000", "+44 (0)20 ...") is kept: it closes inside the match.
    """
    while start < end and not (text[start].isdigit() or text[start] == "+"):
        closing = _BRACKET_PAIRS.get(text[start])
        if closing and closing in text[start + 1 : end]:
            break
        start += 1
    while end > start and not text[end - 1].isdigit():
        end -= 1
    return start, end


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


def find_postcodes(text: str) -> Iterator[Finding]:
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
    if len(digits) != 10 or not (digits.isascii() and digits.isdigit()):
        return False
    return nhs_check_digit(digits[:9]) == int(digits[9])


# Straight after the word "NHS" people group the ten digits any way they like
# ("NHS number 943 4765919"); the cue makes any grouping safe to read as an NHS number.
_NHS_AFTER_CUE_RE = re.compile(
    r"(?<![^\W_])NHS(?:\s+(?:number|num|no\.?))?[\s:#=\-–]*(?:is\s+)?"
    r"(?P<number>\d(?:[ .\-]?\d){9})"
    r"(?![ .\-]?\d)",
    re.IGNORECASE,
)


def find_nhs_numbers(text: str) -> Iterator[Finding]:
    for match in _NHS_RE.finditer(text):
        digits = match.group(1) + match.group(3) + match.group(4)
        if is_valid_nhs_number(digits):
            yield Finding("nhs_number", match.start(), match.end())
    for match in _NHS_AFTER_CUE_RE.finditer(text):
        digits = re.sub(r"\D", "", match.group("number"))
        if is_valid_nhs_number(digits):
            yield Finding("nhs_number", match.start("number"), match.end("number"))


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


def find_ni_numbers(text: str) -> Iterator[Finding]:
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
      | [0-3]?\d\s[01]?\d\s(?:\d{{4}}|\d{{2}})               # 03 03 1952 (typed on a phone)
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


def find_dates_of_birth(text: str) -> Iterator[Finding]:
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


# Residents often type the whole address in lower case ("I live at 14 mill lane"). Lower-case
# words after a number are usually ordinary prose ("2 miles up the hill", "a 10 minute
# walk"), so this form takes only the street words that are hardly ever anything else and
# at most two plain words before them, none of them a small word or a unit.
_PLAIN_STREET_SUFFIXES = ("street", "road", "lane", "avenue", "crescent", "terrace", "mews")
_NOT_STREET_NAMES = (
    "the a an and or of for in on at to from by with into onto up down along across off over "
    "near past per each every my our your his her their this that these those one two three "
    "four five six seven eight nine ten more less minute minutes min mins hour hours mile "
    "miles yard yards metre metres meter meters km people bus buses car cars lane"
).split()
_PLAIN_STREET_WORD = rf"(?!(?:{'|'.join(_NOT_STREET_NAMES)})\s)[a-zà-öø-ÿ][a-zà-öø-ÿ'’\-]*"
_LOWER_CASE_ADDRESS_RE = re.compile(
    rf"""
    (?<![\w£$€.,:/])
    (?:
        {_FLAT}\s*,?\s+(?:{_HOUSE_NUMBER}\s*,?\s+)?
      | {_HOUSE_NUMBER}\s*,?\s+
    )
    (?:{_PLAIN_STREET_WORD}\s+){{1,2}}
    (?i:{"|".join(_PLAIN_STREET_SUFFIXES)})\b
    """,
    re.VERBOSE,
)


def find_addresses(text: str) -> Iterator[Finding]:
    for pattern in (_ADDRESS_RE, _LOWER_CASE_ADDRESS_RE):
        for match in pattern.finditer(text):
            yield Finding("address", match.start(), match.end())
