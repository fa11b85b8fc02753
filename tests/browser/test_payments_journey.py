"""A resident claims a fee and a bus fare; a commissioner returns it, then approves it; a
payment run is exported and confirmed; the resident sees it paid. Keyboard only."""

import csv
import io
import re
import tempfile
from pathlib import Path

import pytest
from django.utils import timezone

from payments import services as payment_services
from payments.models import Claim, LedgerEntry
from tests.factories import UserFactory
from tests.payments.conftest import PNG_BYTES
from tests.payments.factories import (
    OpportunityFactory,
    SignUpFactory,
    claim_in_state,
    make_policy,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Screenshots of the main pages, for people to look at after a run.
SHOTS = Path(tempfile.gettempdir()) / "payments"


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "private", "base_url": None},
        },
    }


def focused_is(locator) -> bool:
    return locator.evaluate("element => element === document.activeElement")


@pytest.fixture
def file_choosers(page):
    """File dialogs the page opens, caught from the start of the test. Playwright starts
    catching dialogs only once something listens, and it asks the browser without waiting
    for an answer; listening only as the key is pressed can lose that race, and the dialog
    then opens for real, where no test can reach it."""
    choosers = []
    page.on("filechooser", lambda chooser: choosers.append(chooser))
    return choosers


def choose_file_by_keyboard(page, file_choosers, path):
    """Open the focused file input with Space and choose `path`."""
    file_choosers.clear()
    page.keyboard.press("Space")
    for _ in range(100):
        if file_choosers:
            file_choosers.pop().set_files(str(path))
            return
        page.wait_for_timeout(100)
    raise AssertionError("Pressing Space on the file input opened no file dialog")


def tab_to(page, locator, *, limit=120):
    """Press Tab until `locator` has focus, as a keyboard user would."""
    locator.wait_for()
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused_is(locator):
            return
    raise AssertionError(f"Could not reach {locator} with the Tab key")


def activate(page, locator):
    """Tab to a link or button and press Enter; wait for the page it leads to."""
    tab_to(page, locator)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def choose(page, group_first, wanted):
    """Radios: Tab into the group, then arrow keys to the wanted option (selects it)."""
    tab_to(page, group_first)
    if focused_is(wanted):
        page.keyboard.press("Space")
    for _ in range(12):
        if wanted.is_checked():
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"Could not choose {wanted}")


def tick(page, checkbox):
    tab_to(page, checkbox)
    page.keyboard.press("Space")
    assert checkbox.is_checked()


def type_into(page, field, text):
    tab_to(page, field)
    page.keyboard.press("Control+a")
    page.keyboard.type(text)


def switch_to(page, sign_in, person):
    page.context.clear_cookies()
    sign_in(person)


def shot(page, name):
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_a_claim_goes_from_attendance_to_paid_by_keyboard(
    page, axe, fits_320, sign_in, tmp_path, file_choosers
):
    make_policy()
    resident = UserFactory(display_name="Priya Shah")
    commissioner = UserFactory(display_name="Martin Hughes", roles=["commissioner"])
    SignUpFactory(resident=resident, opportunity=OpportunityFactory(title="Day services workshop"))
    receipt = tmp_path / "bus-ticket.png"
    receipt.write_bytes(PNG_BYTES)

    # The resident starts a claim: the fee is filled in from the policy.
    sign_in(resident)
    page.goto("/claims/")
    axe(page)
    fits_320()
    shot(page, "01-claims")
    activate(page, page.get_by_role("link", name=re.compile("Start a claim")))
    assert page.get_by_text("2 hours at £20 an hour").is_visible()
    axe(page)
    activate(page, page.get_by_role("button", name="Start claim"))

    # How to be paid, and the employment question; the paid-job confirmation shows only
    # under "Yes".
    page.get_by_role("heading", name="Your payment details").wait_for()
    axe(page)
    confirmation = page.get_by_label("I confirm this activity was not part of my paid job")
    assert not confirmation.is_visible()
    choose(page, page.get_by_label("Bank transfer"), page.get_by_label("Bank transfer"))
    choose(page, page.get_by_label("Yes", exact=True), page.get_by_label("Yes", exact=True))
    assert confirmation.is_visible()
    axe(page)
    page.keyboard.press("ArrowDown")
    assert page.get_by_label("No", exact=True).is_checked()
    assert not confirmation.is_visible()
    activate(page, page.get_by_role("button", name="Save and continue"))

    # A bus fare with a receipt; first a typing mistake, which loses nothing.
    axe(page)
    shot(page, "02-claim-draft")
    fits_320()
    activate(page, page.get_by_role("link", name="Add an expense"))
    axe(page)
    # Miles are asked only under mileage.
    miles = page.get_by_label("How many miles did you travel?")
    public_transport = page.get_by_label("Public transport (bus, train, tram)")
    assert not miles.is_visible()
    choose(page, public_transport, page.get_by_label("Mileage in your own vehicle"))
    assert miles.is_visible()
    axe(page)
    page.keyboard.press("ArrowUp")
    assert public_transport.is_checked()
    assert not miles.is_visible()
    type_into(page, page.get_by_label("Describe it (optional)"), "Bus to the Civic Centre")
    type_into(page, page.get_by_label("How much did it cost?"), "four pounds")
    file_input = page.get_by_label("Upload a receipt")
    tab_to(page, file_input)
    choose_file_by_keyboard(page, file_choosers, receipt)
    activate(page, page.get_by_role("button", name="Save expense"))
    assert (
        page.locator(".govuk-error-summary").get_by_text("Enter an amount in pounds").is_visible()
    )
    assert page.get_by_text("We have kept the receipt you chose").is_visible()
    assert page.get_by_label("Describe it (optional)").input_value() == "Bus to the Civic Centre"
    axe(page)
    shot(page, "03-expense-error")
    fits_320()
    type_into(page, page.get_by_label("How much did it cost?"), "£4.60")
    activate(page, page.get_by_role("button", name="Save expense"))
    assert page.get_by_role("link", name=re.compile("Download")).is_visible()
    # On a phone, each expense's Change and Remove links are in view, not off to the side.
    page.set_viewport_size({"width": 320, "height": 800})
    for name in ("Change public transport", "Remove public transport"):
        box = page.get_by_role("link", name=name).bounding_box()
        assert box["x"] + box["width"] <= 320, name
    page.set_viewport_size({"width": 1280, "height": 800})

    # The benefits warning must be acknowledged before sending.
    activate(page, page.get_by_role("link", name="Continue to send"))
    axe(page)
    fits_320()
    shot(page, "04-send")
    activate(page, page.get_by_role("button", name="Send claim"))
    assert page.get_by_text("Confirm that you have read about benefits and tax").first.is_visible()
    axe(page)
    tick(page, page.get_by_label(re.compile("I have read this")))
    activate(page, page.get_by_role("button", name="Send claim"))
    page.get_by_text("sent. We will let you know").wait_for()
    claim = Claim.objects.get()
    assert claim.status == Claim.Status.SUBMITTED
    assert claim.total_pence == 4460

    # A commissioner returns it with a reason.
    switch_to(page, sign_in, commissioner)
    page.goto("/claims/review/")
    axe(page)
    fits_320(tables=True)
    shot(page, "05-review-queue")
    activate(page, page.get_by_role("link", name=claim.reference))
    axe(page)
    shot(page, "06-review-claim")
    fits_320()
    activate(page, page.get_by_role("link", name="Return for changes"))
    axe(page)
    type_into(page, page.get_by_label("What needs changing?"), "Please say which bus route.")
    activate(page, page.get_by_role("button", name="Return claim"))
    page.get_by_text("returned to Priya Shah for changes").wait_for()

    # The resident fixes it and sends it again.
    switch_to(page, sign_in, resident)
    page.goto(claim.get_absolute_url())
    assert page.get_by_text("Needs changes").first.is_visible()
    assert page.get_by_text("Please say which bus route.").first.is_visible()
    axe(page)
    activate(page, page.get_by_role("link", name="Change public transport (bus, train, tram)"))
    type_into(page, page.get_by_label("Describe it (optional)"), "Number 42 bus, there and back")
    activate(page, page.get_by_role("button", name="Save expense"))
    activate(page, page.get_by_role("link", name="Continue to send again"))
    tick(page, page.get_by_label(re.compile("I have read this")))
    activate(page, page.get_by_role("button", name="Send claim"))
    page.get_by_text("sent. We will let you know").wait_for()

    # The commissioner approves it, makes a payment run, exports it and confirms it.
    switch_to(page, sign_in, commissioner)
    page.goto("/claims/review/")
    activate(page, page.get_by_role("link", name=claim.reference))
    activate(page, page.get_by_role("button", name="Approve claim"))
    page.get_by_text(f"Claim {claim.reference} from Priya Shah approved.").wait_for()
    page.goto("/payments/runs/")
    axe(page)
    activate(page, page.get_by_role("button", name="Make a payment run"))
    axe(page)
    shot(page, "07-run")
    fits_320()
    tab_to(page, page.get_by_role("link", name="Download for finance (CSV)"))
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    with open(download.value.path(), encoding="utf-8-sig") as exported:
        rows = list(csv.reader(io.StringIO(exported.read())))
    assert rows[1][1] == claim.reference and rows[1][7] == "44.60"
    assert Claim.objects.get().status == Claim.Status.APPROVED  # not paid until confirmed
    activate(page, page.get_by_role("link", name="Confirm this run was paid"))
    axe(page)
    today = timezone.localdate()
    assert page.get_by_label("Day").input_value() == str(today.day)
    tick(page, page.get_by_label(re.compile("I confirm that finance has paid")))
    activate(page, page.get_by_role("button", name="Confirm paid"))
    page.get_by_text("confirmed as paid").wait_for()
    assert LedgerEntry.objects.paid_out().balance() == 4460

    # The resident sees it paid, and their tax-year total.
    switch_to(page, sign_in, resident)
    page.goto("/claims/")
    table = page.get_by_role("table", name=re.compile("Your claims"))
    assert table.get_by_text("Paid", exact=True).is_visible()
    # On a phone the status and amount are in view without scrolling the table sideways.
    fits_320(tables=True)
    totals = page.get_by_role("table", name="Paid to you, by tax year")
    assert totals.get_by_text("£44.60").first.is_visible()
    axe(page)
    fits_320()
    shot(page, "08-paid")


def test_the_public_policy_page_is_accessible(page, axe, fits_320):
    make_policy()
    page.goto("/payments/how-we-pay/")
    assert page.get_by_role("heading", name="How we pay fees and expenses").is_visible()
    axe(page)
    fits_320()
    shot(page, "09-how-we-pay")


def test_commissioner_pages_are_accessible(page, axe, fits_320, sign_in):
    make_policy()
    commissioner = UserFactory(roles=["commissioner"])
    sign_in(commissioner)
    for path in [
        "/payments/policy/",
        "/payments/policy/fee-rates/add/",
        "/payments/policy/expenses/add/",
        "/payments/policy/settings/",
        "/payments/policy/history/fees/",
        "/payments/conflicts/",
        "/payments/reports/",
        "/payments/reports/people/",
        "/payments/reports/budgets/",
        "/payments/reports/owed/",
        "/payments/reports/days-to-pay/",
        "/claims/on-behalf/",
    ]:
        page.goto(path)
        axe(page)
        fits_320()
    shot(page, "10-on-behalf")
    page.goto("/payments/policy/")
    shot(page, "11-policy")
    # A form sent empty shows the error summary, and it is accessible too.
    page.goto("/payments/policy/fee-rates/add/")
    activate(page, page.get_by_role("button", name="Continue"))
    assert page.locator(".govuk-error-summary").is_visible()
    axe(page)


def test_a_claim_finance_could_not_pay_is_taken_out_of_the_run(page, axe, fits_320, sign_in):
    make_policy()
    commissioner = UserFactory(roles=["commissioner"])
    resident = UserFactory(display_name="Priya Shah")
    claim = claim_in_state(resident, status=Claim.Status.APPROVED, reviewer=commissioner)
    run = payment_services.create_payment_run(by=commissioner)
    sign_in(commissioner)

    page.goto(run.get_absolute_url())
    activate(page, page.get_by_role("link", name=re.compile(f"Take out.*{claim.reference}")))
    page.get_by_role("heading", name=f"{claim.reference} was not paid").wait_for()
    axe(page)
    fits_320()
    # Bad input first: the error summary.
    activate(page, page.get_by_role("button", name="Take it out of the run"))
    page.locator(".govuk-error-summary").wait_for()
    assert page.title().startswith("Error: ")
    axe(page)
    type_into(page, page.get_by_label("Why was it not paid?"), "The bank returned it.")
    activate(page, page.get_by_role("button", name="Take it out of the run"))
    page.get_by_text("It will go in the next payment run.").first.wait_for()
    assert page.get_by_text("Not paid", exact=True).is_visible()
    axe(page)
    fits_320()
    shot(page, "12-not-paid")
    assert Claim.objects.get(pk=claim.pk).payment_run is None

    # The person sees at the top of their claim that it was not paid, why, and what to do.
    switch_to(page, sign_in, resident)
    page.goto(claim.get_absolute_url())
    banner = page.get_by_role("region", name="Important")
    assert banner.get_by_text("the payment did not go through").is_visible()
    assert banner.get_by_text("What happened: The bank returned it.").is_visible()
    assert "PR-" not in page.content()
    axe(page)
    fits_320()
    shot(page, "13-not-paid-resident")


def test_a_receipt_too_big_is_caught_when_chosen_not_after_uploading(page, axe, sign_in):
    make_policy()
    resident = UserFactory(display_name="Priya Shah")
    claim = claim_in_state(resident, status=Claim.Status.DRAFT, bus=None)
    sign_in(resident)
    page.goto(f"/claims/{claim.pk}/expenses/add/")
    file_input = page.get_by_label("Upload a receipt")

    big_photo = {"name": "photo.jpg", "mimeType": "image/jpeg", "buffer": b"\xff" * 11_000_000}
    file_input.set_input_files(big_photo)

    error = page.get_by_text(
        "The receipt must be smaller than 10 MB. The file you chose is 10.5 MB."
    )
    assert error.is_visible()
    assert "govuk-form-group--error" in file_input.locator("xpath=..").get_attribute("class")
    axe(page)
    page.get_by_role("button", name="Save expense").click()
    assert page.url.endswith(f"/claims/{claim.pk}/expenses/add/")  # not sent
    assert focused_is(file_input)
    # A file small enough takes the message away.
    file_input.set_input_files({"name": "ticket.png", "mimeType": "image/png", "buffer": PNG_BYTES})
    assert not error.is_visible()
