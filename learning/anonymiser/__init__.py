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
  A bracket round the whole number is left in the text ("Ring Mary ([phone number])"); one
  round part of it ("(0161) 496 0000") is hidden with it.
* Postcodes: one regular expression that follows the Royal Mail letter rules for each
  position (for example the two letters at the end never include C, I, K, M, O or V).
* NHS numbers: ten digits (optionally 3-3-4 with spaces or dashes, or grouped any way
  straight after the word "NHS") that pass the NHS modulus 11 check digit. Ten-digit runs
  that fail the check are left alone.
* National Insurance numbers: two letters, six digits and an optional A-D suffix, using
  HMRC's rules about which prefix letters are never issued.
* Dates of birth: a date is only treated as a date of birth when a cue such as "born",
  "DOB", "D.O.B", "date of birth" or "birthday" comes just before it. Only the date itself
  is flagged; the cue word is left in place so the sentence still reads naturally
  ("DOB: [date of birth]"). Ordinary dates (meetings, sessions) are not touched.
* Street addresses: a house or flat number, one to three capitalised words and a street
  word such as Road, Lane or Close ("12 Acacia Avenue", "Flat 3, 45 High Street"); in lower
  case, one or two words and a word that is hardly ever anything but a street ("14 mill
  lane").
* Names, in three ways:
    - people known to the hub (``known_names``) are matched in full or as title plus
      surname ("Mrs Shah"), ignoring case and accents, or by first name or surname alone
      when it is written with a capital ("Don", but not "I don't"; "Nwosu gave me a lift").
      A surname that is also an everyday word (``words.SURNAMES_THAT_ARE_WORDS``, and the
      months and days: "Price", "Green", "May") needs more than a capital at the start of
      a sentence: "the price", "Green is my favourite colour" and
      "in May" are left alone, "Green said" and "I asked Price" are not. The names are
      looked up word by word in prebuilt sets, so a hub with 100,000 accounts scans as fast
      as one with ten;
    - a capitalised word that is in our bundled list of common UK given names
      (``learning/data/given_names.txt``), together with a following capitalised surname
      if there is one ("John Smith"). Given names that are also ordinary words, months or
      places ("May", "Will", "Grace", "Victoria") are only flagged when the words around
      them show they refer to a person: a title before them, a surname after them, a
      family or carer word before them ("my husband Bill"), or a word like "said", "asked"
      or "who" after them;
    - any capitalised word after a title ("Councillor Okafor", "Sister Mbeki"), or after a
      family or carer word ("my carer Ngozi"). Titles that are never ordinary words also
      count in lower case, before a lower-case surname too ("mrs okonkwo rang").

When two findings overlap we keep the longer one, and on a tie the more specific kind
(so "12 Victoria Road" is one address, not an address plus a name).

Limits (please read before relying on this)
-------------------------------------------
* This is a safety net, not a guarantee. A person still needs to read text before it is
  published.
* Names not in the list and not known to the hub are missed unless they follow a title
  ("Mrs Okonkwo") or a family or carer word ("my neighbour Okafor"). Surnames on their own
  ("Shah agreed") are found only for people the hub knows, and a known surname that is a
  common word is missed at the start of a sentence ("Green gave me a lift").
* Names written in capitals only ("JOHN") are found only if they are known to the hub.
* Capitalised words in headings can be mistaken for surnames after a given name
  ("Bill Payments" is read as a person).
* Addresses without a house number ("the flat on Mill Lane"), towns and building names on
  their own are not found, nor lower-case addresses on rarer street words ("14 oak
  close"). Free-text descriptions ("the blue house by the church") are not.
* Dates of birth written without a cue ("she is 72 and was born ... well, 3/3/52") or with
  the cue far away from the date are missed; ages are not treated as personal details.
* Numbers that happen to pass the NHS check digit are flagged even if they are something
  else (about one in eleven random ten-digit numbers passes).

The package must stay free of Django imports so it can be tested and reused on its own.

The package is split by area: ``patterns`` (the fixed-shape details), ``words`` (splitting
and folding words, titles and cue words), ``names`` (names from the bundled list, titles and
family words) and ``known_names`` (the look-up of people the hub knows).
"""

from __future__ import annotations

from collections.abc import Iterable

from .findings import KIND_LABELS, KINDS, Finding, redact, resolve_overlaps
from .known_names import find_known_names
from .names import find_common_names, given_names
from .patterns import (
    STREET_SUFFIXES,
    find_addresses,
    find_dates_of_birth,
    find_emails,
    find_nhs_numbers,
    find_ni_numbers,
    find_phone_numbers,
    find_postcodes,
    is_valid_nhs_number,
    nhs_check_digit,
)
from .words import AMBIGUOUS_GIVEN_NAMES, MONTHS_AND_DAYS, TITLES, tokens

__all__ = [
    "AMBIGUOUS_GIVEN_NAMES",
    "KINDS",
    "KIND_LABELS",
    "MONTHS_AND_DAYS",
    "STREET_SUFFIXES",
    "TITLES",
    "Finding",
    "given_names",
    "is_valid_nhs_number",
    "nhs_check_digit",
    "redact",
    "scan",
]


def scan(text: str, known_names: Iterable[str] = ()) -> list[Finding]:
    """Return the personal details found in ``text``, sorted by position, never overlapping."""
    if not text:
        return []
    words = tokens(text)
    candidates: list[Finding] = []
    candidates += find_emails(text)
    candidates += find_phone_numbers(text)
    candidates += find_postcodes(text)
    candidates += find_nhs_numbers(text)
    candidates += find_ni_numbers(text)
    candidates += find_dates_of_birth(text)
    candidates += find_addresses(text)
    candidates += find_known_names(text, words, tuple(known_names))
    candidates += find_common_names(text, words)
    return resolve_overlaps(candidates)
