"""Every GET page in the hub, sent hostile query strings: never a server error.

Which pages exist, who may see each and the records they show come from the permission
matrix (tests/hub/permission_matrix.txt) and its world (tests/hub/permission_world.py): each
page is requested as the first role the matrix shows it to, so a new page is fuzzed as soon
as it has a row there. tests/security/test_fuzz_forms.py sends random input to the search
and filter forms on an empty database; this module sends a fixed list of nasty values to
every page, with records to show, so a failure names the page and the query at once.

Every page gets bad page numbers (words, 0, negative, huge, fractions, empty, sent twice),
each with every parameter any page reads set at once to something hostile (a NUL byte,
control characters, 5,000 characters, HTML, emoji and right-to-left text, a huge number,
an impossible date, an unknown choice, several values); unknown parameters; and query
strings that are not valid percent-encoding or UTF-8. A page that reads no parameters must
answer all of that as it does a plain request. The pages that do read parameters (`READS`)
also get more values (SQL, more numbers and dates), the page numbers on their own (the
nearest real page, as without one), and each parameter on its own, so a value cannot hide
behind another parameter's error.

Every response must be one of 200, 302, 400, 403, 404 or 405: the test client raises a
view's exception, which is recorded as a failure, and so does a template's undefined
variable. An HTML page must still have its <main> and must not echo the <script> it was
sent; a download is read to the end. Each request runs in a rolled-back savepoint, so a
database error cannot spoil the requests after it, and every failure of a page is listed
with the line of the hub's code it came from. About 2,900 requests: under a minute on
PostgreSQL, where NUL bytes and integer overflows bite.
"""

import logging
import traceback
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction
from django.test import override_settings
from django.urls import reverse

from coprod_hub.celery import app as celery_app
from tests.downloads import close_download
from tests.hub.permission_world import ROLES, build_world
from tests.hub.test_permission_matrix import read_matrix, url_names

from .test_fuzz_forms import QuickClient

pytestmark = pytest.mark.django_db

ALLOWED = {200, 302, 400, 403, 404, 405}
SCRIPT = '<script>alert("fuzz")</script>'

# Every query parameter some page reads (request.GET in the views and the filter forms).
PARAMETERS = [
    "page",
    "q",
    "search",
    "status",
    "format",
    "paid",
    "area",
    "topic",
    "sort",
    "kind",
    "project",
    "account",
    "tax_year",
    "from_date",
    "to_date",
    "start",
    "end",
    "level",
    "step",
    "access",
    "include_past",
    "service_area",
    "flag",
    "mine",
    "outcome",
    "principle",
    "email",
    "payment_run",
    "person",
    "table",
    "category",
    "venue",
    "next",
]

UNICODE = (
    "\U0001f469\U0001f3fd\u200d\U0001f9af \u202egpj.exe "
    "\u0645\u0631\u062d\u0628\u0627 \u05e9\u05dc\u05d5\u05dd"
)

# For ?page=: each page must show the nearest real page, as it does without one.
PAGE_NUMBERS = ["abc", "-1", "0", "9" * 23, "1.5", "", ["1", "2"], ["abc", "99"]]

# Sent to every page: each bad page number with every other parameter set at once to a
# hostile value. A page that reads none of them must answer as it does without them.
EVERYWHERE = [
    *zip(
        PAGE_NUMBERS,
        [
            "\x00",
            "\x01\x02\x07\x08\x1b[31mred\x7f\x0b\x0c\u0085\u2028",
            "\r\n\r\nSet-Cookie: stolen=1",
            "x" * 5000,
            SCRIPT,
            UNICODE,
            "9" * 40,
            "2026-02-30",
        ],
        strict=True,
    ),
    ("-" + "9" * 40, "no-such-choice"),
    # A parameter sent more than once: forms that want one value take the last.
    (["2", "\x00"], ["abc", "1", SCRIPT]),
]

UNKNOWN = {"utm_source": SCRIPT, "x" * 300: "1", "__proto__": "\x00", "\x00": "", "": "no name"}

# Query strings no form would send: broken percent-encoding, bytes that are not UTF-8,
# names without values.
RAW = ["q=%ff%fe%fd&page=%c0%af&step=%00", "%%%=%&=&&page&q"]

# Sent, all parameters at once, to the pages that read parameters (`READS`) as well.
MORE = [
    "carers\x00' OR 1=1",
    "carers " * 715,
    "'; DROP TABLE x;--",
    "e" + "\u0301" * 300 + "\ufeff\u200b\u2060",
    "-1",
    "0",
    "1.5",
    "",
    "2147483648",
    "9223372036854775808",
    "1e400",
    "NaN",
    "\uff11\uff12",  # full-width digits
    "\u00b2",  # a digit to str.isdigit(), not to int()
    "99999-01-01",
    "0001-01-01",
    "9999-12-31",
    "31/02/2026",
    "31/12/9999",
    "1/1/10000",
    "/\\attacker.invalid/",
    " ",
    ["paid", "unpaid", "x" * 5000],
]

# Sent to each parameter a page reads on its own, so it cannot hide behind another's error
# (the ledger and the reports use no filter at all while any one of them is wrong).
SHARP = ["\x00", "x" * 5000, "9" * 40, "2026-02-30", ["1", "\x00"]]

# (URL name, parameters sent alongside, the parameters the page reads): each parameter is
# sent on its own with each SHARP value. A page is listed again with parameters (from the
# matrix's world) that send it down another path: the dashboard's CSV download, search
# ranking, one project's updates, one person's ledger.
DIRECTORY = ["q", "kind", "format", "paid", "topic", "from_date", "to_date", "access"]
DIRECTORY += ["area", "level", "step", "include_past", "project", "sort", "page"]
DASHBOARD = ["start", "end", "area", "level"]
LEDGER = ["search", "from_date", "to_date", "tax_year", "kind", "account", "project"]
LEDGER += ["payment_run", "person"]
PROJECTS = ["q", "level", "step", "service_area", "status", "page"]
GUIDE = ["q", "kind", "outcome", "level", "step", "principle", "topic", "project", "page"]
READS = [
    ("participation:directory", {}, DIRECTORY),
    ("participation:directory", {"q": "carers", "sort": "relevance"}, ["q", "page"]),
    ("participation:feed", {}, DIRECTORY),
    ("projects:list", {}, PROJECTS),
    ("projects:manage", {}, [*PROJECTS, "flag", "mine", "sort"]),
    ("projects:updates", {}, ["project", "page"]),
    ("projects:updates", {"project": "short-breaks"}, ["page"]),
    ("learning:list", {}, GUIDE),
    ("learning:list", {"project": "short-breaks"}, ["q", "page"]),
    ("learning:moderation", {}, ["status", "page"]),
    ("participation:staff_list", {}, ["status", "q", "page"]),
    ("participation:create", {}, ["project", "venue"]),
    ("participation:edit", {}, ["venue"]),
    ("participation:copy", {}, ["venue"]),
    ("participation:venue_create", {}, ["next"]),
    ("participation:venue_edit", {}, ["next"]),
    ("participation:interests", {}, ["next"]),
    ("participation:access_needs", {}, ["next"]),
    ("participation:contact", {}, ["next"]),
    ("payments:on_behalf", {}, ["q", "person", "page"]),
    ("payments:on_behalf", lambda people: {"q": people.resident.email}, ["person", "page"]),
    ("payments:review", {}, ["search", "status", "project", "flag", "page"]),
    ("payments:ledger", {}, [*LEDGER, "page"]),
    (
        "payments:ledger",
        lambda people: {"person": str(people.other_resident.pk)},
        ["search", "tax_year", "page"],
    ),
    ("payments:ledger_csv", {}, LEDGER),
    ("payments:report_people", {}, ["tax_year", "page"]),
    ("payments:report_people_csv", {}, ["tax_year"]),
    ("payments:report_days", {}, ["tax_year", "page"]),
    ("payments:report_days_csv", {}, ["tax_year"]),
    ("payments:add_expense_rule", {}, ["category"]),
    ("insight:dashboard", {}, [*DASHBOARD, "format", "table"]),
    ("insight:dashboard", {"format": "csv", "table": "ladder_steps"}, [*DASHBOARD, "table"]),
    ("insight:dashboard", {"area": "carers", "level": "service"}, ["start", "end"]),
    ("insight:comments", {}, [*DASHBOARD, "page"]),
    ("notifications:outbox", {}, ["status", "page"]),
]
READERS = {name for name, _, _ in READS}


def _pages_and_who_sees_them():
    """(URL name, the first role the matrix shows it to): pages nobody is shown (posts,
    redirects) have nothing to fuzz. A URL missing from the matrix fails that test."""
    matrix = read_matrix()
    for name in sorted(set(url_names()) & set(matrix)):
        role = next((role for role in ROLES if matrix[name][role] == "200"), None)
        if role:
            yield name, role


PAGES = list(_pages_and_who_sees_them())


def queries(name, people):
    """(query, whether the page must answer as it does without one) for the page `name`.
    A query is a dict for the test client, or the raw text after the "?"."""
    strict = name not in READERS
    for number, value in EVERYWHERE:
        yield {**dict.fromkeys(PARAMETERS, value), "page": number}, strict
    yield UNKNOWN, True
    for raw in RAW:
        yield raw, strict
    if strict:
        return
    for value in MORE:
        yield dict.fromkeys(PARAMETERS, value), False
    if any(page == name and "page" in reads for page, _, reads in READS):
        for number in PAGE_NUMBERS:
            yield {"page": number}, True
    for page, base, reads in READS:
        if page == name:
            base = base(people) if callable(base) else base
            for parameter in reads:
                for value in SHARP:
                    yield {**base, parameter: value}, False


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The matrix's world, made once for the module (it takes a few seconds) inside a
    transaction that is rolled back at the end; each test runs in a savepoint within it."""
    storages = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path_factory.mktemp("private"), "base_url": None},
        },
    }
    eager = celery_app.conf.task_always_eager
    # conftest's fixture for this is per test, and comes after a module's fixtures.
    celery_app.conf.task_always_eager = True
    try:
        with (
            django_db_blocker.unblock(),
            override_settings(STORAGES=storages),
            transaction.atomic(),
        ):
            yield build_world()
            transaction.set_rollback(True)
    finally:
        celery_app.conf.task_always_eager = eager


@pytest.fixture
def private_storage():
    """The world's receipts are in the module's folder (see `world`): tests/security's own
    folder for each test would hide them."""


# One client for the module: building its middleware takes longer than a request.
CLIENT = QuickClient()


def _where(error) -> str:
    """The innermost line of the hub's own code in a traceback."""
    root = str(Path(settings.BASE_DIR))
    frames = [
        frame
        for frame in traceback.extract_tb(error.__traceback__)
        if frame.filename.startswith(root) and "/.venv/" not in frame.filename
    ]
    if not frames:
        return "outside the hub's code"
    frame = frames[-1]
    return f"{Path(frame.filename).relative_to(root)}:{frame.lineno} in {frame.name}"


def _problem(response, expected) -> str | None:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    status = response.status_code
    if status not in ALLOWED or (expected and status != expected):
        where = f" to {response['Location']}" if status == 302 else ""
        return f"status {status}{where}" + (f", not {expected}" if expected else "")
    if status == 200 and response["Content-Type"].startswith("text/html"):
        text = body.decode(errors="replace")
        if "<main" not in text:
            return "an HTML page without <main>"
        if SCRIPT in text:
            return "the <script> sent in the query is on the page unescaped"
    return None


def _fetch(url, query, expected=None) -> tuple[int | None, str | None]:
    """(status, what went wrong or None) for one request, rolled back whatever it did."""
    try:
        with transaction.atomic():
            if isinstance(query, str):
                response = CLIENT.get(f"{url}?{query}")
            else:
                response = CLIENT.get(url, query)
            try:
                problem = _problem(response, expected)
            finally:
                close_download(response)
            transaction.set_rollback(True)
    except Exception as error:
        return None, f"{type(error).__name__}: {str(error)[:200]!r} at {_where(error)}"
    return response.status_code, problem


def _shown(query) -> str:
    text = query if isinstance(query, str) else repr(query)
    return text if len(text) < 160 else f"{text[:150]}... ({len(text)} characters)"


@pytest.mark.parametrize("name,role", PAGES, ids=[name for name, _ in PAGES])
def test_hostile_query_strings_never_break_the_page(world, name, role, caplog):
    people, kwargs = world
    url = reverse(name, kwargs=kwargs.get(name))
    CLIENT.cookies.clear()
    if role != "visitor":
        CLIENT.force_login(getattr(people, role))
    plain, problem = _fetch(url, {})
    assert not problem, f"{url} as {role}, with no query: {problem}"
    problems = []
    for query, strict in queries(name, people):
        caplog.clear()
        _, problem = _fetch(url, query, expected=plain if strict else None)
        # An error caught and logged, and the page shown anyway, is a failure too.
        logged = [r for r in caplog.records if r.levelno >= logging.ERROR]
        if logged and not problem:
            problem = f"logged by {logged[0].name}: {logged[0].getMessage()[:200]!r}"
        if problem:
            problems.append(f"{_shown(query)}: {problem}")
    assert not problems, f"{url} as {role}, {len(problems)} bad responses:\n" + "\n".join(problems)


def test_every_page_that_reads_parameters_is_fuzzed():
    """A page in READS that nobody is shown (renamed, or its matrix row changed) would be
    fuzzed with nothing of its own."""
    assert not READERS - {name for name, _ in PAGES}
