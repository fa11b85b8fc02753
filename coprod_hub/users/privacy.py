"""A person's data: download all of it, or erase it (UK GDPR rights of access and erasure).

Each app that holds personal data has a `privacy.py` with two functions:
- `export(user) -> dict`: what it holds about the person, as JSON-ready data;
- `erase(user) -> None`: remove personal data; financial records stay, pseudonymised, until
  the retention period ends;
and may have `erasure_blockers(user) -> list[NotYet]`: why the account cannot be erased yet
(money still to be paid to the person, projects they still run).
This module runs them all and takes care of the account itself.
"""

import io
import json
import logging
import re
import shutil
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from importlib import import_module
from importlib.util import find_spec

from allauth.account.models import EmailAddress
from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.admin.models import LogEntry as AdminLogEntry
from django.contrib.auth import SESSION_KEY
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.template.defaultfilters import date as format_date
from django.template.loader import render_to_string
from django.utils import timezone

from coprod_hub.audit import allow_privileged_change
from coprod_hub.lib.money import format_pounds

logger = logging.getLogger(__name__)

APP_MODULES = [
    # Payments first: it deletes unsent draft claims, so participation can then delete the
    # sign-ups they pointed to. Sent claims keep theirs, as financial records.
    "payments.privacy",
    "participation.privacy",
    "learning.privacy",
    "notifications.privacy",
    "insight.privacy",
    "projects.privacy",
]


def _app_modules():
    for name in APP_MODULES:
        if find_spec(name) is not None:
            yield name.split(".")[0], import_module(name)


def export_account(user) -> dict:
    return {
        "name": user.display_name,
        "email": user.email,
        "joined": user.date_joined,
        "last_signed_in": user.last_login,
        "roles": sorted(user.role_names),
        "email_addresses": list(
            EmailAddress.objects.filter(user=user).values("email", "verified", "primary")
        ),
        "access_needs_seen_by_staff": access_needs_seen(user),
    }


# How staff pages record a look at someone's access needs (coprod_hub.audit.log_access): on
# the person's place's page, about the person ("access needs"), with the session since it was
# recorded; on a session's page for staff, about the session, listing everyone whose needs it
# showed by account number ("access needs of person 4, person 12").
NEEDS_SEEN = "access needs"
NEEDS_SEEN_ON_SESSION = re.compile(r"^access needs of (.*)$")


def _role_of(person) -> str:
    if person is None:
        return "Member of staff"
    if person.is_superuser:
        return "Hub administrator"
    if person.is_commissioner:
        return "Commissioner"
    return "Staff running the session"


def access_needs_seen(user) -> list[dict]:
    """When staff saw the person's access needs, from the audit trail's access records: when,
    for which session, where, and who, by name and role. Names as well as roles, because the
    export already names the staff a person deals with (who booked their place, who agreed
    their taxi) and the person has a right to know who saw their special category data; the
    role says why they could. Three queries however many there are."""
    from participation.models import Opportunity, SignUp

    sessions_ct = ContentType.objects.get_for_model(Opportunity)
    their_sessions = SignUp.objects.filter(resident=user).values("opportunity_id")
    entries = (
        LogEntry.objects.filter(action=LogEntry.Action.ACCESS)
        .filter(
            Q(content_type=ContentType.objects.get_for_model(user), object_id=user.pk)
            | Q(content_type=sessions_ct, object_id__in=their_sessions)
        )
        .select_related("actor")
        .order_by("timestamp", "pk")
    )
    seen = []
    for entry in entries:
        what = ((entry.changes or {}).get("viewed") or [""])[0]
        if entry.content_type_id == sessions_ct.pk:
            listed = NEEDS_SEEN_ON_SESSION.match(what or "")
            if not listed or f"person {user.pk}" not in listed.group(1).split(", "):
                continue
            session_id, where = entry.object_id, "the session's page for staff"
        elif what == NEEDS_SEEN:
            session_id = (entry.additional_data or {}).get("session")
            where = "the page about your place"
        else:
            continue  # another record of a look (the call list shows no access needs)
        seen.append((entry, session_id, where))
    titles = dict(
        Opportunity.objects.filter(
            pk__in={session_id for _, session_id, _ in seen if session_id}
        ).values_list("pk", "title")
    )
    return [
        {
            "when": entry.timestamp,
            "session": titles.get(session_id, "Not recorded"),
            "where": where,
            "seen_by": str(entry.actor) if entry.actor else "Member of staff",
            "their_role": _role_of(entry.actor),
        }
        for entry, session_id, where in seen
    ]


def collect(user) -> dict:
    data = {"account": export_account(user)}
    for app_label, module in _app_modules():
        data[app_label] = module.export(user)
    return data


def _readable(value, key=""):
    """A value as the site shows it to people: pounds, not pence; Yes and No, not True and
    False; "Tuesday 14 April 2026 at 7pm", not "7 p.m.". `key` is the value's name."""
    from participation.templatetags.participation import day_and_clock

    if isinstance(value, dict):
        # "claimed_pence" reads "Claimed": the amount beside it is in pounds now.
        return {str(k).removesuffix("_pence"): _readable(item, k) for k, item in value.items()}
    if isinstance(value, list | tuple):
        return [_readable(item, key) for item in value]
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if str(key).endswith("_pence"):
        return format_pounds(value)
    if isinstance(value, datetime):
        return day_and_clock(value)
    if isinstance(value, date):
        return format_date(value, "l j F Y")
    return value


def readable(data: dict) -> dict:
    """The export for the readable page in the download. The JSON beside it keeps the
    exact values (pence, true and false, full times), which programs need."""
    from participation.models import SignUp

    shown = _readable(data)
    # Sign-ups in the words people see on their own pages, not staff's ("Booked").
    words = {
        SignUp.Status.BOOKED.label: "You have a place",
        SignUp.Status.OFFERED.label: "A place is being held for you",
        SignUp.Status.WAITING.label: "You are on the waiting list",
    }
    for signup in shown.get("participation", {}).get("sign_ups", []):
        signup["status"] = words.get(signup["status"], signup["status"])
    return shown


# The readable page's headings: what each part holds, in the words of the pages people use,
# not the names of the parts of the program that keep it (the JSON keeps those).
SECTION_HEADINGS = {
    "account": "Your account",
    "participation": "Your profile, and the sessions you signed up for",
    "payments": "Your claims and payments",
    "learning": "What you shared in the practice guide",
    "notifications": "Messages we sent you, and what you asked us to stop",
    "insight": "Your survey answers and the optional questions about you",
    "projects": "Projects you run or help to run",
}


def build_zip(user) -> bytes:
    """A ZIP with everything as JSON, and a readable HTML summary of the same data."""
    data = collect(user)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "your-data.json", json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)
        )
        archive.writestr(
            "your-data.html",
            render_to_string(
                "users/data_summary.html",
                {
                    "sections": [
                        (SECTION_HEADINGS.get(name, name.capitalize()), content)
                        for name, content in readable(data).items()
                    ],
                    "person": user,
                    "exported_at": timezone.now(),
                },
            ),
        )
        # Files the person gave us (receipts), copied in as they are: an app's privacy module
        # may have `export_files(user)`, giving (name in the ZIP, function that opens it).
        for _, module in _app_modules():
            for name, open_file in getattr(module, "export_files", lambda user: ())(user):
                try:
                    with open_file() as source, archive.open(name, "w") as target:
                        shutil.copyfileobj(source, target)
                except FileNotFoundError:
                    logger.warning("A file for %s's data download is missing: %s", user.pk, name)
    return buffer.getvalue()


@dataclass(frozen=True)
class NotYet:
    """Why an account cannot be erased yet, said twice: to the person, on their own "Delete
    your account" page, and to an admin erasing it for them ("Not erased Ann Other: ...").
    `links`: (text, URL) of the pages where the person can put it right, listed under the
    reason on their own page."""

    to_person: str
    to_admin: str
    links: tuple[tuple[str, str], ...] = ()


def erasure_blockers(user) -> list[NotYet]:
    """Why this person's account cannot be erased yet; empty when it can."""
    return [
        reason
        for _, module in _app_modules()
        if hasattr(module, "erasure_blockers")
        for reason in module.erasure_blockers(user)
    ]


def erased_address(user) -> str:
    """The email address an erased account is left with: reserved, so never anyone's."""
    return f"erased-{user.pk}@erased.invalid"


def is_erased(user) -> bool:
    return user.email == erased_address(user)


def pseudonym(user) -> str:
    """What the audit trail and admin history call a person once erased: the account's number
    stays, so a record can still be matched to their kept financial records."""
    return f"Erased person {user.pk}"


def addresses_of(user) -> set[str]:
    """The person's email addresses, in lower case: the account's, and every other one they
    confirmed (allauth keeps them). Not unconfirmed ones: anyone can add any address to
    their account, so those may be someone else's."""
    confirmed = EmailAddress.objects.filter(user=user, verified=True).values_list(
        "email", flat=True
    )
    return {address.lower() for address in [user.email, *confirmed] if address}


def names_of(user) -> set[str]:
    """Every name and email address the account has had, from the account and from its
    audit trail: records made before a change quote the old ones (`str(user)`). Call before
    the account is erased."""
    names = {user.display_name, user.email}
    changes = LogEntry.objects.get_for_object(user).values_list("changes", flat=True)
    for change in changes:
        if isinstance(change, dict):
            for field in ("display_name", "email"):
                names.update(change.get(field) or [])
    return {name for name in names if isinstance(name, str) and name.strip()}


def rename_in_admin_history(model, pks, name: str) -> None:
    """Django's admin history keeps each record's name as it was when changed there
    (object_repr); for a person's own records that is their name."""
    AdminLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(model),
        object_id__in=[str(pk) for pk in pks],
    ).update(object_repr=name)


def _end_sessions(user) -> None:
    """Delete every session the person is signed in to. The new password already stops them
    working, but each row holds the account id until it expires. Sessions are found by
    reading each one: Django keeps no index of sessions by person."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    if not hasattr(store, "get_model_class"):
        return  # sessions kept only in the cache or in cookies: no rows, and they expire
    theirs = str(user.pk)
    for session in store.get_model_class().objects.iterator():
        if session.get_decoded().get(SESSION_KEY) == theirs:
            # Through the store, so a copy in the cache goes too (cached_db).
            store(session_key=session.session_key).delete()


class NotErasedYet(Exception):
    """Erasing refused: something stops it (`reasons`) that came about after the page
    checked, such as a colleague handing the person a session meanwhile."""

    def __init__(self, reasons: list[NotYet]):
        super().__init__("; ".join(reason.to_admin for reason in reasons))
        self.reasons = reasons


@transaction.atomic
def erase(user) -> None:
    """Erase a person's data now. The account row stays only as a pseudonym that financial
    records point to; nothing in it identifies the person.

    Raises NotErasedYet, having changed nothing, if `erasure_blockers` finds a reason not to.
    The pages check before asking, but a colleague may hand the person a session or a project
    between that check and this transaction, and the person would be erased still running it,
    with nobody else to. So the person's row is locked first, as the administrator's "hand
    over first" check does (coprod_hub.users.handing_over), and checked again under the lock:
    a hand-over that locked it first has committed by then and is found; one that comes later
    waits, then finds they are no longer staff (`lock_and_check_staff`) and is refused.
    Sending a claim locks the row too (payments.services.claims.submit_claim): one sent first
    is found waiting to be paid; one sent later is refused, the account being erased.

    Whatever else locks the person's row takes it before any other row it locks
    (`handing_over.lock_account`): this locks it first, then their claims and the sessions
    they are booked on, and the other order could deadlock. FOR NO KEY UPDATE, as there:
    it waits for those, and they for it, but not for a row being added that points to the
    person (a message to everyone booked on a session, queued under the session's lock),
    which this would then wait for in turn, at the session: a deadlock of its own. Here
    erasing waits at the session for the message to be committed, then removes it with the
    rest of their messages."""
    model = user._meta.model
    list(model.objects.select_for_update(no_key=True).filter(pk=user.pk).values_list("pk"))
    if reasons := erasure_blockers(user):
        raise NotErasedYet(reasons)
    allow_privileged_change()
    for _, module in _app_modules():
        module.erase(user)
    EmailAddress.objects.filter(user=user).delete()
    _end_sessions(user)
    user.groups.clear()
    user.user_permissions.clear()
    user.email = erased_address(user)
    user.display_name = "Erased person"
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    # A new (unusable) password also ends every session the person had open.
    user.set_unusable_password()
    user.save()
    # The trail keeps what happened, but no longer names the person. Done last: taking
    # their roles and saving the account above add entries quoting the old name and email.
    about_them = LogEntry.objects.get_for_object(user)
    about_them.update(object_repr=pseudonym(user))
    # Field changes quote their name and email; records of exports and erasure do not.
    about_them.filter(action__in=[LogEntry.Action.CREATE, LogEntry.Action.UPDATE]).update(
        changes={}, changes_text=""
    )
    LogEntry.objects.filter(actor=user).update(actor_email=None, remote_addr=None, remote_port=None)
    rename_in_admin_history(user._meta.model, [user.pk], pseudonym(user))
