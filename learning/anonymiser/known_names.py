"""Names of people the hub knows about (users and contacts), found by looking words up.

A hub can have 100,000 accounts. Instead of one regular expression with every name in it
(which took over a minute to build and seconds to run at that size), the known names are
folded into sets once, and the text's words are looked up in them: a full name is a run of
two or more words in ``full_names``, "Mrs Shah" is a title then a word in ``surnames``, and
a first name on its own is a capitalised word in ``first_names``. Each word costs a few set
look-ups, however many names there are.

A known person's surname on its own ("Nwosu gave me a lift") is a capitalised word in
``surnames``. Surnames that are also everyday words ("Price", "Green", "May") need
more: the words around them must show a person is meant, as for first names that are words.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass

from .findings import Finding
from .words import (
    AMBIGUOUS_GIVEN_NAMES,
    MONTHS_AND_DAYS,
    SURNAMES_THAT_ARE_WORDS,
    TITLE_KEYS,
    WORD_RE,
    Token,
    fold,
    has_person_context,
    in_title_case_run,
    is_sentence_start,
    is_title,
    strip_possessive,
)

# Building the index for a few hundred names takes a millisecond or two, so small lists
# (the insight survey passes each session's people) are built on every scan and do not
# push the hub-wide list out of the cache.
_SMALLEST_CACHED = 500
_HYPHENS = "-‐‑"


@dataclass(frozen=True)
class KnownNameIndex:
    """Folded known names, ready for look-ups."""

    full_names: frozenset[tuple[str, ...]]  # every word, and first plus last word
    first_words: frozenset[str]  # the first word of each entry in full_names
    longest: int  # the most words in an entry of full_names
    surnames: frozenset[str]
    first_names: frozenset[str]

    @classmethod
    def build(cls, known_names: tuple[str, ...]) -> KnownNameIndex:
        full_names: set[tuple[str, ...]] = set()
        surnames: set[str] = set()
        first_names: set[str] = set()
        for name in known_names:
            # Folding is letter by letter, so folding the whole name once is the same as
            # folding each word, and a good deal quicker for 100,000 names.
            words = WORD_RE.findall(fold(name))
            while words and words[0] in TITLE_KEYS:
                words = words[1:]
            if not words:
                continue
            if len(words) > 1:
                full_names.add(tuple(words))
                full_names.add((words[0], words[-1]))  # middle names left out
                surnames.add(words[-1])
            if len(words[0]) > 1:  # an initial alone ("J.") is too vague
                first_names.add(words[0])
        return cls(
            full_names=frozenset(full_names),
            first_words=frozenset(words[0] for words in full_names),
            longest=max((len(words) for words in full_names), default=0),
            surnames=frozenset(surnames),
            first_names=frozenset(first_names),
        )


@functools.lru_cache(maxsize=4)
def _cached_index(known_names: tuple[str, ...]) -> KnownNameIndex:
    return KnownNameIndex.build(known_names)


def known_name_index(known_names: tuple[str, ...]) -> KnownNameIndex:
    if len(known_names) < _SMALLEST_CACHED:
        return KnownNameIndex.build(known_names)
    return _cached_index(known_names)


def find_known_names(
    text: str, tokens: list[Token], known_names: tuple[str, ...]
) -> Iterator[Finding]:
    if not known_names:
        return
    index = known_name_index(known_names)
    folded = [fold(token.word) for token in tokens]
    for position, token in enumerate(tokens):
        if not _stands_alone(text, token.start, token.end):
            continue
        title = _title_before(text, tokens, position)
        start = title.start if title is not None else token.start
        if folded[position] in index.first_words:
            end = _full_name_end(text, tokens, folded, position, index)
            if end is not None:
                yield Finding("name", start, end)
        if is_title(token.word) and position + 1 < len(tokens):
            surname = tokens[position + 1]
            if (
                _title_before(text, tokens, position + 1) is token
                and fold(strip_possessive(surname.word)[0]) in index.surnames
            ):
                yield Finding("name", token.start, _end_without_possessive(surname))
        core = fold(strip_possessive(token.word)[0])
        if core in index.first_names and (
            title is not None or _known_first_name_is_a_person(text, tokens, position)
        ):
            yield Finding("name", start, _end_without_possessive(token))
        if core in index.surnames and _known_surname_is_a_person(text, tokens, position):
            yield Finding("name", token.start, _end_without_possessive(token))


def _stands_alone(text: str, start: int, end: int) -> bool:
    # A word glued to digits, underscores or a hyphen ("Priya2", "x_priya", "-Priya") is a
    # user name or a reference, not a person's name in prose.
    before = text[start - 1 : start]
    if before and (before.isalnum() or before == "_" or before in _HYPHENS):
        return False
    after = text[end : end + 2]
    if after[:1] and (after[:1].isalnum() or after[:1] == "_"):
        return False
    return not (after[:1] in _HYPHENS and after[1:2].isalnum())


def _title_before(text: str, tokens: list[Token], position: int) -> Token | None:
    """A title ("Mrs", "dr.") just before tokens[position]: "Mrs Shah" or "dr. Kelly"."""
    if position == 0:
        return None
    previous = tokens[position - 1]
    gap = text[previous.end : tokens[position].start]
    if not is_title(previous.word) or not _stands_alone(text, previous.start, previous.end):
        return None
    if gap.startswith("."):
        gap = gap[1:]
    return previous if gap and gap.isspace() else None


def _full_name_end(
    text: str, tokens: list[Token], folded: list[str], position: int, index: KnownNameIndex
) -> int | None:
    """Where the longest known full name starting at tokens[position] ends, if there is one."""
    last_possible = min(position + index.longest, len(tokens)) - 1
    run_end = position
    # The run of words written like one name: only spaces between them, or an initial's dot.
    while run_end < last_possible and _joined_in_a_name(text, tokens[run_end], tokens[run_end + 1]):
        run_end += 1
    for last in range(run_end, position, -1):
        words = tuple(folded[position:last])
        final = tokens[last]
        if not _stands_alone(text, final.start, final.end):
            continue
        if (*words, folded[last]) in index.full_names:
            return final.end
        if (*words, fold(strip_possessive(final.word)[0])) in index.full_names:
            return _end_without_possessive(final)  # "Priya Shah's mum"
    return None


def _joined_in_a_name(text: str, left: Token, right: Token) -> bool:
    gap = text[left.end : right.start]
    if len(left.word) == 1 and gap.startswith("."):  # "J. Smith"
        gap = gap[1:]
    return bool(gap) and gap.isspace()


def _end_without_possessive(token: Token) -> int:
    core, possessive = strip_possessive(token.word)
    return token.start + len(core) if possessive else token.end


def _known_first_name_is_a_person(text: str, tokens: list[Token], position: int) -> bool:
    word = strip_possessive(tokens[position].word)[0]
    # Written on its own, a known first name must start with a capital: with a member
    # called Don, Kit or Matt, "I don't", "welcome kit" and "matt paper" are not them.
    if not word[0].isupper():
        return False
    folded = fold(word)
    if folded not in AMBIGUOUS_GIVEN_NAMES:
        return True
    # A hub member called Will or May: "I will bring" and "meet in May" are not about them.
    possessive = strip_possessive(tokens[position].word)[1]
    if has_person_context(text, tokens, position, possessive):
        return True
    if folded in MONTHS_AND_DAYS:
        return False
    # A capitalised "Grace" in the middle of ordinary prose is most likely the person we
    # know; at the start of a sentence or inside a Title Case Heading it is no evidence.
    if is_sentence_start(text, tokens[position].start):
        return False
    return not in_title_case_run(text, tokens, position)


def _known_surname_is_a_person(text: str, tokens: list[Token], position: int) -> bool:
    """A known person's surname written on its own: "Nwosu gave me a lift", "ask Okafor".

    People often call each other by surname alone. A surname that is not also an everyday
    word (words.SURNAMES_THAT_ARE_WORDS) counts wherever it starts with a capital, even at
    the start of a sentence. One that is a word ("Price", "Green", "May") needs a capital
    that is not explained otherwise: not "the price", not "Green is my favourite colour" at
    the start of a sentence, not the month "in May", and not a Title Case Heading; "Green
    said" or "ask Green" still count.
    """
    word, possessive = strip_possessive(tokens[position].word)
    if len(word) < 2 or not word[0].isupper():
        return False
    folded = fold(word)
    shouted = word.isupper()
    if folded not in SURNAMES_THAT_ARE_WORDS and folded not in MONTHS_AND_DAYS:
        return True  # "Nwosu", "O'Neill", and in capitals "NWOSU" too
    if shouted:
        return False  # "PRICE LIST": a heading, not a person
    if has_person_context(text, tokens, position, possessive):
        return True
    if folded in MONTHS_AND_DAYS or is_sentence_start(text, tokens[position].start):
        return False
    return not in_title_case_run(text, tokens, position)
