"""Every page in the hub, opened in the browser by someone allowed to see it, passes axe
(WCAG 2.2 AA) and fits a 320px screen.

The journeys check the pages people pass through on the way to something; this checks
the rest too, so no page is left out. Which pages exist, and who may see each, comes from
the permission matrix (tests/hub/permission_matrix.txt) and its world of records: a new
page is checked as soon as it has a row there. Each page is opened as the first role in the
matrix that may see it (a visitor before a resident before staff), so public pages are
checked as the public sees them.
"""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.hub.permission_world import ROLES, build_world
from tests.hub.test_permission_matrix import read_matrix

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _pages_and_who_sees_them():
    for name, codes in sorted(read_matrix().items()):
        role = next((role for role in ROLES if codes[role] == "200"), None)
        if role:
            yield name, role


def _cookie_for(user, url):
    client = Client()
    client.force_login(user)
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": url,
    }


def test_every_page_passes_axe_and_fits_320px(page, axe, fits_320, live_server):
    people, kwargs = build_world()
    checked = []
    for name, role in _pages_and_who_sees_them():
        url = reverse(name, kwargs=kwargs.get(name))
        page.context.clear_cookies()
        if role != "visitor":
            page.context.add_cookies([_cookie_for(getattr(people, role), live_server.url)])
        response = page.request.get(url)
        if not response.headers.get("content-type", "").startswith("text/html"):
            continue  # a download or feed
        page.goto(url)
        axe(page)
        fits_320()
        checked.append(name)
    # The matrix's world has pages of every app: a broken world would check almost nothing.
    assert len(checked) > 60, checked
