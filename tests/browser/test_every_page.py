"""Every page in the hub, opened in the browser by someone allowed to see it, passes axe
(WCAG 2.2 AA), fits a 320px screen, and shows where the keyboard is: each of its first
tab stops gets the yellow focus style (WCAG 2.4.7).

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


TAB_STOPS = 25
FOCUS_YELLOW = "rgb(255, 221, 0)"

# Whether the focused element shows the GOV.UK focus colour: on itself, or where GOV.UK
# draws it for that element (a radio's or checkbox's label, the text inside a summary).
FOCUS_SHOWN = """([yellow]) => {
    const el = document.activeElement;
    if (!el || el === document.body) return {where: "nothing focused", shown: false};
    // A part of the browser's own control (a date box's calendar button) has the focus, and
    // the browser's own ring.
    if (!el.matches(":focus")) return {where: "inside a browser control", shown: true};
    const places = [el, el.querySelector(".govuk-details__summary-text")];
    if (el.labels) places.push(...el.labels);
    const shows = (node, pseudo) => {
        if (!node) return false;
        const s = getComputedStyle(node, pseudo);
        return (s.outlineStyle !== "none" && s.outlineColor === yellow)
            || s.backgroundColor === yellow || s.boxShadow.includes(yellow)
            || s.borderColor === yellow;
    };
    const shown = places.some(n => shows(n, null) || shows(n, "::before") || shows(n, "::after"));
    const name = (el.innerText || el.value || el.name || el.id || "").trim().slice(0, 40);
    const own = getComputedStyle(el);
    const style = `${own.outlineStyle} ${own.outlineColor} ${own.boxShadow} ${own.backgroundColor}`;
    return {where: `${el.tagName.toLowerCase()} "${name}" (${style})`, shown};
}"""


def _focus_is_shown_at_each_tab_stop(page):
    page.evaluate("window.scrollTo(0, 0); document.activeElement && document.activeElement.blur()")
    for _ in range(TAB_STOPS):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUS_SHOWN, [FOCUS_YELLOW])
        if focus["where"] == "nothing focused":
            return  # past the last tab stop
        assert focus["shown"], f"{page.url}: no visible focus on {focus['where']}"


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
        _focus_is_shown_at_each_tab_stop(page)
        checked.append(name)
    # The matrix's world has pages of every app: a broken world would check almost nothing.
    assert len(checked) > 60, checked
