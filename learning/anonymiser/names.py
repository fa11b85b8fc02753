"""Names of people the hub does not know: common given names from the bundled list (also
typed in lower case or capitals, unless they are ordinary words too), any capitalised word
after a title ("Mrs Okonkwo"), and any after a family or carer word ("my carer Ngozi")."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path

from .findings import Finding
from .words import (
    AMBIGUOUS_GIVEN_NAMES,
    MONTHS_AND_DAYS,
    NAME_PARTICLES,
    NEVER_SURNAMES,
    PERSON_VERBS_AFTER,
    STREET_ONLY_WORDS,
    Token,
    fold,
    has_person_context,
    is_capitalised,
    is_title,
    looks_like_surname,
    only_spaces_between,
    person_cue_before,
    strip_possessive,
    title_before,
)

_GIVEN_NAMES_FILE = Path(__file__).parent.parent / "data" / "given_names.txt"

# Given names that are also everyday words when written in lower case ("special ed", "a
# prem baby", "basil and thyme"): not flagged in lower case unless a family word comes first.
LOWER_CASE_WORDS = frozenset(
    "ed jo ken lee les meg peg basil ling kay dom bev flo prem aria matt".split()
)

# Written all in lower case, only these titles are sure to be a title before a lower-case
# surname ("mrs okonkwo rang"); "ms" is also multiple sclerosis.
_LOWER_CASE_SURNAME_TITLES = frozenset("mr mrs mx dr cllr".split())


@functools.lru_cache(maxsize=1)
def given_names() -> frozenset[str]:
    """The bundled list of common UK given names, folded for comparison. Loaded once."""
    names = set()
    for line in _GIVEN_NAMES_FILE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            names.add(fold(line))
    return frozenset(names)


def find_common_names(text: str, tokens: list[Token]) -> Iterator[Finding]:
    names = given_names()
    index = 0
    while index < len(tokens):
        finding, next_index = _name_at(text, tokens, index, names)
        if finding is not None:
            yield finding
        index = next_index


def _is_given_name(word: str, names: frozenset[str], *, glued: bool = False) -> bool:
    if word.islower() or _shouted(word):
        return not glued and _is_plainly_a_name(word, names)
    if not is_capitalised(word):
        return False
    if fold(word) in names:
        return True
    # Double-barrelled first names: "Mary-Jane", "Jean-Luc". Not a two-letter first part:
    # "Mo-Fri" is Monday to Friday and "Al-Anon" a charity, not Mo or Al.
    first_part = word.split("-")[0]
    return first_part != word and len(first_part) > 2 and fold(first_part) in names


def _glued(text: str, token: Token) -> bool:
    # "priya2" is a user name, "x-priya" part of something longer: without a capital to
    # say otherwise, not a person.
    before = text[token.start - 1 : token.start]
    after = text[token.end : token.end + 1]
    return any(char.isdigit() or char in "-_@." for char in before) or any(
        char.isdigit() or char in "-_@" for char in after
    )


def _shouted(word: str) -> bool:
    # "SARAH was upset": a name in capitals, written for emphasis or in a heading.
    return len(word) > 2 and word.isupper()


def _is_plainly_a_name(word: str, names: frozenset[str]) -> bool:
    """A given name typed in lower case ("i spoke to john") or in capitals ("SARAH"): people
    write quickly, and the name is just as personal. Only names that are not also ordinary
    words, as a capital letter is no longer there to tell them apart; "my son jack" is
    found through the family word before it (`_cued_name_at`)."""
    folded = fold(word)
    return (
        folded in names
        and folded not in AMBIGUOUS_GIVEN_NAMES
        and folded not in LOWER_CASE_WORDS
        and folded not in MONTHS_AND_DAYS
    )


def _surname_chain(text: str, tokens: list[Token], index: int, strict: bool) -> int:
    """Index of the last surname-like token after tokens[index] (index itself if none).

    Takes at most two words, so "Mary Ann Smith" and "Omar al Farouk" are one name.
    """
    last = index
    position = index + 1
    while position < len(tokens) and position - index <= 2:
        previous, current = tokens[position - 1], tokens[position]
        if strip_possessive(previous.word)[1]:
            break  # "Priya's Mum": the name ended at the possessive
        if not only_spaces_between(text, previous, current):
            break
        if fold(current.word) in NAME_PARTICLES and position + 1 < len(tokens):
            following = tokens[position + 1]
            if only_spaces_between(text, current, following) and looks_like_surname(following.word):
                last = position + 1
                position += 2
                continue
            break
        if not looks_like_surname(current.word, after_ordinary_word=strict):
            break
        last = position
        position += 1
        # "Will Priya come?" is fine to flag, but stop at the second word after an
        # ordinary-word name so a heading cannot run on and on.
        if strict:
            break
    return last


def _followed_by_street_word(text: str, tokens: list[Token], index: int) -> bool:
    if index + 1 >= len(tokens):
        return False
    following = tokens[index + 1]
    if not only_spaces_between(text, tokens[index], following):
        return False
    return following.word[:1].isupper() and fold(following.word) in STREET_ONLY_WORDS


def _name_at(
    text: str, tokens: list[Token], index: int, names: frozenset[str]
) -> tuple[Finding | None, int]:
    """The name starting at tokens[index], if any, and the index to carry on from."""
    token = tokens[index]
    if is_title(token.word):
        return _titled_name_at(text, tokens, index)

    core, possessive = strip_possessive(token.word)
    if not _is_given_name(core, names, glued=_glued(text, token)):
        return _cued_name_at(text, tokens, index)
    # "St John Ambulance", "St Mary's": a saint's name is part of a place or charity.
    if index > 0 and fold(tokens[index - 1].word) in ("st", "saint"):
        return None, index + 1
    # "Victoria Road", "John Street": a place named after someone, not a person.
    if not possessive and _followed_by_street_word(text, tokens, index):
        return None, index + 1

    ordinary_word = fold(core) in AMBIGUOUS_GIVEN_NAMES
    last = _surname_chain(text, tokens, index, strict=ordinary_word)
    if ordinary_word and last == index and not has_person_context(text, tokens, index, possessive):
        return None, index + 1
    return _name_finding(token.start, tokens[last]), last + 1


def _cued_name_at(text: str, tokens: list[Token], index: int) -> tuple[Finding | None, int]:
    # "My carer Ngozi comes": after a family or carer word, a capitalised word is a person
    # even when it is not in our list of given names; so is a given name in lower case,
    # even one that is also an ordinary word ("my son jack").
    if person_cue_before(text, tokens, index) is None:
        return None, index + 1
    word = strip_possessive(tokens[index].word)[0]
    lower_case_name = word.islower() and fold(word) in given_names()
    if not (lower_case_name or looks_like_surname(tokens[index].word)):
        return None, index + 1
    last = _surname_chain(text, tokens, index, strict=False)
    return _name_finding(tokens[index].start, tokens[last]), last + 1


def _titled_name_at(text: str, tokens: list[Token], index: int) -> tuple[Finding | None, int]:
    # "Mrs Okonkwo", "Dr Kelly", "Mr John Smith": a title followed by a capitalised word
    # is a person even when the surname is not a given name we know.
    if index + 1 >= len(tokens) or title_before(text, tokens, index + 1) is None:
        return None, index + 1
    if fold(tokens[index + 1].word) in NAME_PARTICLES:  # "Mr de Souza"
        last = _surname_chain(text, tokens, index, strict=False)
        if last == index:
            return None, index + 1
        return _name_finding(tokens[index].start, tokens[last]), last + 1
    surname, _ = strip_possessive(tokens[index + 1].word)
    folded = fold(surname)
    # After a title even a month or an ordinary word is a surname: "Mrs May", "Mr Bill".
    if folded in NEVER_SURNAMES - MONTHS_AND_DAYS:
        return None, index + 1
    if is_capitalised(surname):
        last = _surname_chain(text, tokens, index + 1, strict=False)
        return _name_finding(tokens[index].start, tokens[last]), last + 1
    if _is_lower_case_surname(tokens[index].word, surname):
        return _name_finding(tokens[index].start, tokens[index + 1]), index + 2
    return None, index + 1


def _is_lower_case_surname(title: str, surname: str) -> bool:
    # "mrs okonkwo from the day centre rang me": typed all in lower case, but still a person.
    # Only one word is taken: the words after it are as likely to be the rest of the sentence.
    return (
        fold(title) in _LOWER_CASE_SURNAME_TITLES
        and surname.islower()
        and len(surname) > 1
        and fold(surname) not in PERSON_VERBS_AFTER
    )


def _name_finding(start: int, last: Token) -> Finding:
    core, possessive = strip_possessive(last.word)
    end = last.start + len(core) if possessive else last.end
    return Finding("name", start, end)
