"""Every URL in the hub, requested as every role, against records owned by someone else.

The expected status codes are in permission_matrix.txt, one row per URL name. A new URL
without a row fails the test, so nobody can add a page without deciding who may see it.
After a deliberate change, regenerate the file with UPDATE_PERMISSION_MATRIX=1 and review
the diff line by line.

Codes: 200 page shown; login = sent to sign in; 302 other redirect (an address that only
acts on a form's post sends anything else to the page its button is on); 403 refused; 404
hidden (outsiders must not learn the record exists); 405 a request method it never takes.
"""

import os
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.downloads import close_download

from .permission_world import ROLES, build_world

MATRIX = Path(__file__).with_name("permission_matrix.txt")
# Third-party pages with their own tests and rules: Django's admin site (staff flag and
# model permissions) and allauth's account pages (tests/hub/test_accounts.py).
SKIPPED_NAMESPACES = {"admin"}
SKIPPED_PREFIXES = ("accounts/",)


def url_names():
    def walk(patterns, prefix="", namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                yield prefix + str(pattern.pattern), name

    for route, name in walk(get_resolver().url_patterns):
        if name.split(":")[0] in SKIPPED_NAMESPACES or route.startswith(SKIPPED_PREFIXES):
            continue
        yield name


def read_matrix():
    expected = {}
    for line in MATRIX.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, *codes = line.split()
            expected[name] = dict(zip(ROLES, codes, strict=True))
    return expected


def status_of(response):
    if response.status_code == 302 and response["Location"].startswith("/accounts/login/"):
        return "login"
    return str(response.status_code)


@pytest.mark.django_db
def test_every_url_gives_each_role_the_expected_status(client, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path, "base_url": None},
        },
    }
    people, kwargs = build_world()
    names = sorted(set(url_names()))
    actual = {}
    for name in names:
        url = reverse(name, kwargs=kwargs.get(name))
        actual[name] = {}
        for role in ROLES:
            client.logout()
            if role != "visitor":
                client.force_login(getattr(people, role))
            response = client.get(url)
            close_download(response)
            actual[name][role] = status_of(response)

    if os.environ.get("UPDATE_PERMISSION_MATRIX") == "1":
        width = max(map(len, names)) + 2
        header = "# " + "url name".ljust(width - 2) + " ".join(r[:12].ljust(13) for r in ROLES)
        rows = [
            name.ljust(width) + " ".join(actual[name][r].ljust(13) for r in ROLES) for name in names
        ]
        MATRIX.write_text(
            __doc__.strip().replace("\n", "\n# ").join(["# ", "\n"])
            + "\n"
            + header.rstrip()
            + "\n"
            + "\n".join(row.rstrip() for row in rows)
            + "\n"
        )
        pytest.skip("permission_matrix.txt rewritten; review the diff")

    expected = read_matrix()
    missing = [name for name in names if name not in expected]
    assert not missing, f"Add these URLs to {MATRIX.name}: {missing}"
    differences = [
        f"{name} as {role}: expected {expected[name][role]}, got {actual[name][role]}"
        for name in names
        for role in ROLES
        if expected[name][role] != actual[name][role]
    ]
    assert not differences, "\n".join(differences)
