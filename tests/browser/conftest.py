"""Playwright (sync API) driving Debian's Chromium, with axe-core for accessibility checks.

Chromium is found at CHROMIUM_PATH or /usr/bin/chromium. Without it these tests are skipped,
unless REQUIRE_BROWSER=1 (CI sets it), when a missing browser is a failure.
"""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run
# inside one unless told that this is deliberate. The test code itself is synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(config, items):
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("REQUIRE_BROWSER") == "1":
        raise pytest.UsageError(f"REQUIRE_BROWSER=1 but there is no Chromium at {CHROMIUM}")
    skip = pytest.mark.skip(reason=f"no Chromium at {CHROMIUM}; set CHROMIUM_PATH")
    for item in items:
        item.add_marker(skip)


def pytest_configure(config):
    # Every test in tests/browser is a browser test.
    config.addinivalue_line("markers", "browser: drives Chromium")
    config.addinivalue_line(
        "markers",
        "page_answers_with(status): a page the test opens answers with this status, which "
        "the browser logs as a console error; the test expects it",
    )


@pytest.fixture(scope="session")
def _playwright():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(_playwright):
    browser = _playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def page(browser, live_server, request):
    # bypass_csp lets the test inject axe-core; the hub's own pages never need it.
    context = browser.new_context(base_url=live_server.url, bypass_csp=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    console_errors = []
    page.on(
        "console", lambda message: message.type == "error" and console_errors.append(message.text)
    )
    yield page
    context.close()
    expected = request.node.get_closest_marker("page_answers_with")
    if expected:
        status = f"the server responded with a status of {expected.args[0]} "
        console_errors = [error for error in console_errors if status not in error]
    assert not console_errors, f"JavaScript errors in the browser: {console_errors}"


@pytest.fixture
def axe():
    """Call `axe(page)` to assert that the current page has no WCAG 2.2 AA violations, and
    nothing outside a landmark."""
    script = AXE_JS.read_text()

    def check(page):
        page.add_script_tag(content=script)
        # Plus "region": everything on the page sits in a landmark, so people moving between
        # landmarks with a screen reader miss nothing (a best practice, not a WCAG rule).
        result = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
            " rules: {region: {enabled: true}}})",
            AXE_TAGS,
        )
        problems = [
            f"{violation['id']}: {violation['help']} "
            f"({', '.join(node['target'][0] for node in violation['nodes'][:3])})"
            for violation in result["violations"]
        ]
        assert not problems, f"axe found problems on {page.url}:\n" + "\n".join(problems)

    return check


@pytest.fixture
def fits_320(page):
    """Call `fits_320()` to assert the current page has no sideways scrolling at 320px;
    `fits_320(tables=True)` also asserts each table's columns fit, with none hidden off to
    the side of its scrolling box."""

    def check(*, tables=False):
        page.set_viewport_size({"width": 320, "height": 800})
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px at 320px wide"
        # A wide table may scroll in its box, but its caption must be readable without that.
        assert page.evaluate(
            "[...document.querySelectorAll('.hub-table-wrapper caption')].every("
            "c => c.getBoundingClientRect().width <= c.closest('.hub-table-wrapper').clientWidth)"
        ), f"a table's caption on {page.url} is wider than the screen at 320px"
        if tables:
            assert page.evaluate(
                "[...document.querySelectorAll('.hub-table-wrapper')].every("
                "w => w.scrollWidth <= w.clientWidth)"
            ), f"a table on {page.url} scrolls sideways at 320px wide"
        page.set_viewport_size({"width": 1280, "height": 800})

    return check


@pytest.fixture
def sign_in(page):
    """Call `sign_in(user)` to sign in through the real form."""
    from tests.factories import PASSWORD

    def do(user, password=PASSWORD):
        page.goto("/accounts/login/")
        page.get_by_label("Email address").fill(user.email)
        page.get_by_label("Password", exact=True).fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()

    return do
