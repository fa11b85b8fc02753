"""Words and the word lists the name detectors share: splitting text into words, folding
them for comparison, titles, and the words around a name that show a person is meant."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Titles that are never ordinary words count in any case: "mrs okonkwo", "DR KELLY".
ABBREVIATED_TITLES = ("Mr", "Mrs", "Ms", "Mx", "Dr", "Prof", "Rev", "Cllr")
# Titles that are also ordinary words count only when capitalised: "my sister helps" and
# "I miss the bus" are not about "Sister Okafor" or "Miss Patel".
WORD_TITLES = (
    "Miss",
    "Professor",
    "Sir",
    "Dame",
    "Councillor",
    "Nurse",
    "Sister",
    "Father",
    "Lord",
    "Lady",
)
TITLES = ABBREVIATED_TITLES + WORD_TITLES
TITLE_KEYS = frozenset(title.casefold() for title in TITLES)
_ABBREVIATED_TITLE_KEYS = frozenset(title.casefold() for title in ABBREVIATED_TITLES)

# A word: letters in any alphabet, with inner apostrophes or hyphens (O'Neill, Mary-Jane).
_APOSTROPHES = "'’‘"
_HYPHENS = "-‐‑"
WORD_RE = re.compile(rf"[^\W\d_]+(?:[{_APOSTROPHES}\{_HYPHENS}][^\W\d_]+)*")
_POSSESSIVE_RE = re.compile(rf"[{_APOSTROPHES}]s$", re.IGNORECASE)

MONTHS_AND_DAYS = frozenset(
    "january february march april may june july august september october november december "
    "monday tuesday wednesday thursday friday saturday sunday".split()
)

# Given names that are also everyday words, months, days or places, and two-letter names
# that are also abbreviations or name particles ("Al-Anon", "Di Maria", "Mo" for Monday).
# Without context "we will meet in May" or "Mark the date" would lose their meaning, so
# these are only treated as names when the surrounding words show a person is meant.
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
    al di mo
    """.split()
)

# Words that follow a person's name: "Mark said", "Grace, who ...".
PERSON_VERBS_AFTER = frozenset(
    """
    said says told tells asked asks who whom whose explained explains mentioned mentions
    shared shares replied replies added adds agreed agrees suggested suggests thinks thought
    wrote writes emailed emails phoned phones rang felt feels wants wanted attended attends
    joined joins herself himself themself themselves
    """.split()
)
# Family, carers and the people around someone: in "my daughter Grace" or "my carer Sue"
# the next capitalised word is a person, even when it is also an ordinary word.
FAMILY_AND_CARER_CUES = frozenset(
    """
    mum mam mom mother dad father son daughter wife husband partner carer nan nana gran
    granny grandma grandmother grandad granddad grandpa grandfather grandson granddaughter
    auntie aunty aunt uncle brother sister cousin niece nephew neighbour neighbor friend
    stepson stepdaughter stepmum stepdad fiance fiancee boyfriend girlfriend
    councillor nurse doctor
    """.split()
)
# The people paid to support someone: "my social worker Okwuosa", "her PA Okwuosa". These
# words (and "advocate", also a verb) are ordinary on their own, so they count only with
# "my", "the" and so on just before the role: "my social worker", "a care worker", "our GP",
# but not "we advocate Change".
CARE_ROLE_CUES = frozenset(
    """
    worker workers keyworker assistant advocate pa ot gp therapist physio physiotherapist
    coordinator co-ordinator nurse doctor counsellor
    """.split()
)
_ROLE_DETERMINERS = frozenset("my our your his her their the a an".split())
# Words that come before a person's name: "Dear Grace", "Thanks, Will", "my husband Bill".
PERSON_CUES_BEFORE = frozenset("dear hi hello thanks named".split()) | FAMILY_AND_CARER_CUES
# "My carer Sue": a capitalised cue ("Carer Support Group") is more likely a heading.
_POSSESSIVE_DETERMINERS = frozenset("my our your his her their".split())

# Small words that never continue a name ("Priya And ...", "John I think").
STOPWORDS = frozenset(
    """
    the a an and or but nor of for in on at to from by with as is are was were be been has
    have had do does did not no yes if so it its this that these those there here then than
    i we you he she they me us him her them my our your his their also
    """.split()
)
# A given name followed by one of these is a place, not a person: "John Street",
# "Victoria Road", "Charlotte Square". The name is then skipped entirely.
STREET_ONLY_WORDS = frozenset(
    """
    street st road rd avenue ave drive crescent place square terrace mews gardens station
    way parade rise grove walk view estate centre center hospital surgery school college
    university library
    """.split()
)
# Capitalised words that follow a given name or a title in the names of events,
# organisations, venues and roles but are not surnames: "Grace Period", "Summer Fair",
# "Christian Aid", "Chester Zoo", "Lord Mayor", "Carer Support", "Nurse Practitioner".
_EVENT_WORDS = frozenset(
    """
    week weekend month year holiday holidays term period festival fair meeting meetings
    session sessions event events party team group club cafe café market update newsletter
    report service services project programme board forum network hub council county city
    town village zoo aid palace news museum theatre cinema gallery trust foundation charity
    society association partnership alliance cathedral abbey arena stadium airport pool
    leisure shop store restaurant hotel pub inn bar ward unit clinic practice pharmacy
    ambulance infirmary hospice support worker workers mayor mayoress practitioner manager
    christmas chapel appointment appointments appt
    """.split()
)
# Words that are real surnames but also name places or days ("Sarah Hall" but
# "Victoria Hall", "Doris Day" but "May Day"). They count as a surname only after a given
# name that is not itself an ordinary word.
PLACE_LIKE_SURNAMES = frozenset(
    """
    day hall park church green wood hill lane house bank banks field fields court close
    brook dale gate bridge ford well wells row lodge grange cross garden
    """.split()
)
NEVER_SURNAMES = STOPWORDS | STREET_ONLY_WORDS | _EVENT_WORDS | MONTHS_AND_DAYS

# Lower-case words that sit inside a name: "Ludwig van Beethoven", "Omar al Farouk".
NAME_PARTICLES = frozenset(
    "de da di du del della van von der den le la bin binti bint al el ap".split()
)

# British surnames that are also everyday words. A known person's surname on its own is
# flagged wherever it starts with a capital, but one of these only when the words around it
# show a person is meant: "the price", "Green is my favourite colour" and "PRICE LIST" are
# not people. A surname missing here is flagged more often, never less: the moderator marks
# a wrong finding in one click, while a name missed is published.
SURNAMES_THAT_ARE_WORDS = frozenset(
    """
    archer baker ball banks barber bell best bird bishop black bond bone bones booth brand
    bright brook brooks brown buck bull burns bush butler cannon card carpenter carter cash
    castle chambers chance chandler chapel church clay cook cooper cotton craft crane cross
    crow dale day dean dear dove drake duke earl east english farmer field fields finch
    fisher ford forest foot fowler fox french friend frost gale gardener gentle gill glover
    gold golding good green grey gray guy hale hall hammer hand hands hardy hart hay head heath
    hill holly honey hood hope horn hunt hunter jolly joy judge keen king knight lake lamb
    lane little lock long lord love lucky marsh mark marks mason mayor meek mill mills moon
    moss nail nash nightingale noble north oak orange page park parks parsons partridge
    peacock pike pipe plant pond pool pope porter potter power price proud rain ransom read ready
    reed rice rich ridge rivers rock root roper rose rush sage salt savage sawyer seal sharp
    shepherd short silver slater smith snow south sparks sparrow spencer spicer spring stark
    steel steward stone storm street strong summer swan sweet swift tall tanner thatcher
    tidy tinker tower trim tucker turner vale vine wake walker wall ward warren waters
    weaver well wells west wheat white wild wing winter wise wolf wood woods worth wren
    young
    """.split()
)


# Letters with a stroke have no Unicode decomposition, so they are folded by hand; the
# apostrophes and hyphens people type are folded to one of each.
_FOLD_TABLE = str.maketrans(
    {"ł": "l", "ø": "o", "đ": "d", "ħ": "h", "ı": "i", "’": "'", "‘": "'", "‐": "-", "‑": "-"}
)


def fold(word: str) -> str:
    """Lower-case a word and drop accents so that "Siobhán" and "siobhan" compare equal."""
    if word.isascii():
        return word.lower()  # the same as casefold() for ASCII, and most words are ASCII
    decomposed = unicodedata.normalize("NFD", word)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return plain.casefold().translate(_FOLD_TABLE)


def is_capitalised(word: str) -> bool:
    # "Priya" or "McDonald", but not "NHS" (an acronym) and not "priya".
    return word[:1].isupper() and not (len(word) > 1 and word.isupper())


def strip_possessive(word: str) -> tuple[str, bool]:
    match = _POSSESSIVE_RE.search(word)
    if match and len(word) > 2:
        return word[: match.start()], True
    return word, False


def is_title(word: str) -> bool:
    folded = fold(word)
    if folded in _ABBREVIATED_TITLE_KEYS:
        return True
    return folded in TITLE_KEYS and word[0].isupper()


def is_sentence_start(text: str, position: int) -> bool:
    # Only the last few characters matter; slicing keeps long texts fast.
    before = text[max(0, position - 80) : position].rstrip(" \t\"'“‘(")
    return not before or before[-1] in ".!?\n:;•-–—*"


@dataclass
class Token:
    word: str
    start: int
    end: int


def tokens(text: str) -> list[Token]:
    return [Token(m.group(), m.start(), m.end()) for m in WORD_RE.finditer(text)]


def only_spaces_between(text: str, left: Token, right: Token) -> bool:
    gap = text[left.end : right.start]
    return 0 < len(gap) <= 2 and gap.strip(" \t") == ""


def loosely_joined(text: str, left: Token, right: Token) -> bool:
    # Allows a comma: "Thanks, Grace" or "Mark, who".
    gap = text[left.end : right.start]
    return 0 < len(gap) <= 3 and gap.replace(",", "").strip(" \t") == ""


def looks_like_surname(word: str, after_ordinary_word: bool = False) -> bool:
    """True for a capitalised word that could be a surname ("Shah", "O'Neill", "McDonald").

    After a given name that is also an ordinary word ("Rose", "May") we are stricter:
    "Rose Court" and "May Day" are places and days, not people.
    """
    core, _ = strip_possessive(word)
    if len(core) < 2 or not is_capitalised(core):
        return False
    folded = fold(core)
    if folded in NEVER_SURNAMES:
        return False
    return not (after_ordinary_word and folded in PLACE_LIKE_SURNAMES)


def title_before(text: str, tokens: list[Token], index: int) -> Token | None:
    """The title token ("Mr", "Dr.", "mrs") directly before tokens[index], if there is one."""
    if index == 0:
        return None
    previous = tokens[index - 1]
    gap = text[previous.end : tokens[index].start]
    if is_title(previous.word) and 0 < len(gap) <= 3 and gap.strip(" .") == "":
        return previous
    return None


def person_cue_before(text: str, tokens: list[Token], index: int) -> Token | None:
    """The family or carer word directly before tokens[index] ("my carer Sue"), if any.

    A capitalised cue counts only after "my", "our" and so on, so a heading such as
    "Carer Support Group" is not read as a carer called Support.
    """
    if index == 0:
        return None
    cue = tokens[index - 1]
    if not loosely_joined(text, cue, tokens[index]):
        return None
    if fold(cue.word) in CARE_ROLE_CUES:
        # A capitalised role ("The Support Worker Awards") is likely a heading unless it is
        # someone's own: "My Social Worker Okwuosa". "PA", "GP", "OT" are always in capitals.
        heading_like = cue.word[0].isupper() and not cue.word.isupper()
        determiners = _POSSESSIVE_DETERMINERS if heading_like else _ROLE_DETERMINERS
        if _role_after_determiner(tokens, index - 1, determiners):
            return cue
        return None
    if fold(cue.word) not in FAMILY_AND_CARER_CUES:
        return None
    if cue.word[0].islower():
        return cue
    if index >= 2 and fold(tokens[index - 2].word) in _POSSESSIVE_DETERMINERS:
        return cue
    return None


def _role_after_determiner(tokens: list[Token], cue_index: int, determiners) -> bool:
    """True if one of `determiners` ("my", "the" ...) comes one or two words before the role
    word at cue_index: "my PA", "my social worker", "a personal assistant"."""
    before = [fold(t.word) for t in tokens[max(0, cue_index - 2) : cue_index]]
    return any(word in determiners for word in before)


def has_person_context(text: str, tokens: list[Token], index: int, possessive: bool) -> bool:
    """True when the words around tokens[index] show that a person is meant."""
    word = fold(strip_possessive(tokens[index].word)[0])
    # "June's meeting" is about a month, so a possessive is no evidence for months.
    if possessive and word not in MONTHS_AND_DAYS:
        return True
    if title_before(text, tokens, index) is not None:
        return True
    if index > 0:
        previous = tokens[index - 1]
        if loosely_joined(text, previous, tokens[index]) and fold(previous.word) in (
            PERSON_CUES_BEFORE
        ):
            return True
    if index + 1 < len(tokens) and not possessive:
        following = tokens[index + 1]
        if (
            loosely_joined(text, tokens[index], following)
            and following.word.casefold() in PERSON_VERBS_AFTER
        ):
            return True
    return False


def in_title_case_run(text: str, tokens: list[Token], index: int) -> bool:
    neighbours = []
    if index > 0 and only_spaces_between(text, tokens[index - 1], tokens[index]):
        neighbours.append(tokens[index - 1].word)
    if index + 1 < len(tokens) and only_spaces_between(text, tokens[index], tokens[index + 1]):
        neighbours.append(tokens[index + 1].word)
    return any(w[0].isupper() and w != "I" for w in neighbours)
