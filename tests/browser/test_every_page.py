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


def test_the_taxis_page_passes_axe_with_a_note_refused_and_a_taxi_agreed(
    page, axe, fits_320, sign_in
):
    """The taxis page in the states the world above does not reach: someone without a taxi
    (a note box and an Agree button in the table), a note refused, and a taxi just agreed."""
    from datetime import timedelta

    from django.utils import timezone

    from coprod_hub.users.roles import Role
    from payments import services
    from payments.models import TaxiAgreement
    from tests.factories import UserFactory
    from tests.payments.factories import (
        OpportunityFactory,
        ProjectFactory,
        SignUpFactory,
        make_policy,
    )

    make_policy()
    owner = UserFactory(display_name="Owen Owner", roles=[Role.STAFF])
    session = OpportunityFactory(
        project=ProjectFactory(owner=owner),
        created_by=owner,
        starts_at=timezone.now() + timedelta(days=7),
        status="published",
    )
    agreed, waiting_for_one = (
        SignUpFactory(opportunity=session, attendance="", resident=UserFactory(display_name=n))
        for n in ("Ann Agreed", "Bo Without")
    )
    services.agree_taxi(agreed, by=owner, note="There and back from home")
    sign_in(owner)

    page.goto(reverse("payments:taxis", args=[session.pk]))
    axe(page)
    fits_320()
    _focus_is_shown_at_each_tab_stop(page)

    note = page.get_by_label("Note (optional) about the taxi for Bo Without")
    note.fill("x" * 201)
    page.get_by_role("button", name="Agree a taxi for Bo Without").click()
    page.wait_for_load_state()
    assert page.locator(".govuk-error-summary").is_visible()
    axe(page)
    fits_320()

    page.get_by_label("Note (optional) about the taxi for Bo Without").fill("To the bus station")
    page.get_by_role("button", name="Agree a taxi for Bo Without").click()
    page.wait_for_load_state()
    assert page.get_by_text("Taxi agreed for Bo Without.").is_visible()
    axe(page)
    assert TaxiAgreement.objects.live().filter(signup=waiting_for_one).exists()
