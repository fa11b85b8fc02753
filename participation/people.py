"""Finding a person again: staff booking someone onto a session, or claiming for them.

People added without an email address (participation.services._add_person) have a hidden
placeholder one, so an email search alone could never find them again: every booking made
them a new account. Staff may therefore also search by name or phone number, but only among
people they already work with (`known_to`): staff must not browse the residents' list. A
full email address still finds anyone, as it always has; the person's details then show only
if staff already work with them.

Each result carries enough to tell two people of the same name apart without showing their
contact details: the last 3 digits of the phone number, the first half of the postcode and
the sessions they were on with this member of staff.
"""

import re
from dataclasses import dataclass, field

import phonenumbers
from django.db.models import Exists, OuterRef, Prefetch, Q, Value
from django.db.models.functions import Replace
from django.utils import formats
from django.utils.timezone import localtime

from coprod_hub.lib.forms import UK_POSTCODE
from coprod_hub.users.models import User

from .models import SignUp
from .permissions import opportunities_run_by

# Enough for a name shared by a few people; staff type more of it to narrow a long list.
MOST_SHOWN = 20
# The sessions shown under each person, latest first.
SESSIONS_SHOWN = 3
# Fewer digits than this match too many numbers to be a phone search.
FEWEST_PHONE_DIGITS = 3
# Fewer characters than this is not a search (one letter is in most names).
SHORTEST_SEARCH = 2


@dataclass
class Found:
    person: User
    known: bool  # staff already work with them: their details may be shown
    phone_ends: str = ""  # the last 3 digits, or ""
    postcode_area: str = ""  # the postcode's first half ("AT1"), or ""
    sessions: list = field(default_factory=list)  # up to SESSIONS_SHOWN, latest first
    more_sessions: int = 0

    @property
    def pk(self) -> int:
        return self.person.pk

    @property
    def summary(self) -> str:
        return in_words(self)


@dataclass
class Search:
    text: str
    by_email: bool
    people: list[Found]
    more: bool  # more than MOST_SHOWN matched: only the first are in `people`

    def get(self, pk) -> Found | None:
        return next((found for found in self.people if str(found.pk) == str(pk)), None)


def _with_staff(user) -> Q:
    """Sign-ups that make a working relationship: a place, past or present, on a session
    this member of staff may run, or one they booked themselves."""
    return Q(opportunity__in=opportunities_run_by(user).values("pk")) | Q(signed_up_by=user)


def known_to(user):
    """Active people this member of staff already works with (see `_with_staff`)."""
    together = SignUp.objects.filter(_with_staff(user), resident=OuterRef("pk"))
    return User.objects.filter(Exists(together), is_active=True)


def _digits(phone: str) -> str:
    """A phone number's digits as written in the UK ("01632960001"), whether typed with
    spaces, dashes or +44."""
    try:
        number = phonenumbers.parse(phone, "GB")
    except phonenumbers.NumberParseException:
        number = None
    if number is not None and phonenumbers.is_possible_number(number):
        phone = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return re.sub(r"\D", "", phone)


def _phone_digits_in_database():
    # Profiles keep numbers as clean_uk_phone writes them ("01632 960001"); older ones may
    # have other separators. The digits alone compare with `_digits`.
    expression = "profile__phone"
    for separator in (" ", "-", "(", ")", "."):
        expression = Replace(expression, Value(separator), Value(""))
    return expression


def _looks_like_phone(text: str) -> bool:
    return not re.search(r"[^\d\s()+.-]", text) and len(_digits(text)) >= FEWEST_PHONE_DIGITS


def find(user, text: str) -> Search:
    """People matching `text`: an email address (anyone, exactly), a phone number or part of
    one, or words of their name (people `user` works with). Two queries, however many match:
    the people with their profiles, and their sessions with this member of staff."""
    text = " ".join(text.split())
    by_email = "@" in text
    people = User.objects.filter(is_active=True)
    if by_email:
        people = people.filter(email__iexact=text)
    elif _looks_like_phone(text):
        digits = _digits(text)
        people = known_to(user).alias(phone_digits=_phone_digits_in_database())
        people = people.filter(phone_digits__contains=digits)
    else:
        people = known_to(user)
        for word in text.split():
            people = people.filter(display_name__icontains=word)
    matches = list(_with_details(people, user)[: MOST_SHOWN + 1])
    return Search(
        text=text,
        by_email=by_email,
        people=[_found(person) for person in matches[:MOST_SHOWN]],
        more=len(matches) > MOST_SHOWN,
    )


def _with_details(people, user):
    """`people` in name order, with what `_found` shows about each, in two queries."""
    together = SignUp.objects.filter(_with_staff(user), resident=OuterRef("pk"))
    shared = (
        SignUp.objects.filter(_with_staff(user))
        .select_related("opportunity")
        .order_by("-opportunity__starts_at", "-pk")
    )
    return (
        people.annotate(known=Exists(together))
        .select_related("profile")
        .prefetch_related(Prefetch("signups", queryset=shared, to_attr="with_staff"))
        .order_by("display_name", "pk")
    )


def _found(person) -> Found:
    if not person.known:
        return Found(person=person, known=False)
    profile = getattr(person, "profile", None)
    phone = re.sub(r"\D", "", profile.phone) if profile else ""
    sessions = [signup.opportunity for signup in person.with_staff]
    return Found(
        person=person,
        known=True,
        phone_ends=phone[-3:] if len(phone) >= FEWEST_PHONE_DIGITS else "",
        postcode_area=postcode_area(profile.postal_address if profile else ""),
        sessions=sessions[:SESSIONS_SHOWN],
        more_sessions=max(len(sessions) - SESSIONS_SHOWN, 0),
    )


def in_words(found: Found) -> str:
    """What tells this person apart from others of the same name, as a sentence or two."""
    person = found.person
    if not found.known:
        return "Found by their email address. They have not had a place on sessions you run."
    said = []
    if found.phone_ends:
        said.append(f"Phone number ending {found.phone_ends}.")
    if found.postcode_area:
        said.append(f"Postcode starting {found.postcode_area}.")
    if not person.has_real_email:
        said.append("No email address.")
    if found.sessions:
        sessions = ", ".join(
            f"{session.title} ({formats.date_format(localtime(session.starts_at), 'j M Y')})"
            for session in found.sessions
        )
        more = f" and {found.more_sessions} more" if found.more_sessions else ""
        said.append(f"Sessions: {sessions}{more}.")
    return " ".join(said)


def postcode_area(address: str) -> str:
    """The first half of the last postcode in an address ("AT1" of "AT1 1AA"), or ""."""
    found = UK_POSTCODE.findall(address.upper())
    return found[-1][0] if found else ""


def same_name_and_phone(user, *, display_name: str, phone: str) -> list[Found]:
    """People `user` works with who have this name (whatever the capitals and spaces) and
    phone number: probably the person about to be added again. Two queries."""
    digits = _digits(phone) if phone else ""
    name = " ".join(display_name.split())
    if not digits or not name:
        return []
    matches = known_to(user).alias(phone_digits=_phone_digits_in_database())
    matches = matches.filter(display_name__iexact=name, phone_digits=digits)
    return [_found(person) for person in _with_details(matches, user)[:MOST_SHOWN]]
