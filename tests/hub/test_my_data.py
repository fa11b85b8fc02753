import io
import json
import re
import zipfile

import pytest
from django.urls import reverse

from coprod_hub.users.models import User
from payments.models import Claim
from tests.factories import PASSWORD
from tests.payments.factories import claim_in_state, make_policy

pytestmark = pytest.mark.django_db


def test_a_resident_downloads_their_data_as_json_and_html(client, resident):
    client.force_login(resident)

    response = client.post(reverse("my_data_download"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "no-store" in response["Cache-Control"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    data = json.loads(archive.read("your-data.json"))
    assert data["account"]["email"] == resident.email
    html = archive.read("your-data.html").decode()
    assert resident.display_name in html


def test_the_page_lists_what_the_download_holds_and_says_what_a_zip_file_is(client, resident):
    client.force_login(resident)

    page = client.get(reverse("my_data")).text

    assert '<ul class="govuk-list govuk-list--bullet">' in page
    for item in [
        "your account, profile and access needs",
        "what you signed up for and attended",
        "your claims and payments",
        "your survey answers",
        "the messages we sent you",
        "what you shared in the practice guide while signed in",
    ]:
        assert f"<li>{item}</li>" in page
    assert "a ZIP file (one file that holds several)" in page
    assert "a format other computer systems can use (JSON)" in page


def test_the_download_needs_a_post_and_a_signed_in_person(client, resident):
    assert client.post(reverse("my_data_download")).status_code == 302
    client.force_login(resident)
    # Opening the address (back from signing in again) leads to the page with the button.
    response = client.get(reverse("my_data_download"))
    assert response.status_code == 302
    assert response["Location"] == reverse("my_data")


def test_deleting_an_account_needs_the_password_and_a_tick(client, resident):
    client.force_login(resident)

    response = client.post(reverse("my_data_erase"), {"password": "wrong"})

    page = response.content.decode()
    assert "govuk-error-summary" in page
    assert "The password is not right" in page
    assert "Tick the box" in page
    assert User.objects.get(pk=resident.pk).is_active


def test_deleting_an_account_erases_the_person_and_signs_them_out(client, resident):
    client.force_login(resident)

    response = client.post(reverse("my_data_erase"), {"password": PASSWORD, "confirm": "on"})

    assert response.status_code == 302
    erased = User.objects.get(pk=resident.pk)
    assert not erased.is_active
    assert resident.email not in erased.email
    assert erased.display_name == "Erased person"
    assert not erased.has_usable_password()
    assert not erased.groups.exists()
    assert client.get(reverse("my_data")).status_code == 302  # signed out


def test_an_admin_can_export_and_erase_a_persons_data_on_request(client, resident, admin_user):
    from auditlog.models import LogEntry

    client.force_login(admin_user)
    url = reverse("admin:users_user_changelist")

    download = client.post(url, {"action": "download_data", "_selected_action": [resident.pk]})
    assert download["Content-Type"] == "application/zip"
    # Erasing cannot be undone, so the admin is asked first, and nothing happens yet.
    asked = client.post(url, {"action": "erase_data", "_selected_action": [resident.pk]})
    assert asked.status_code == 200
    assert "Erase personal data?" in asked.text and "Rita Resident" in asked.text
    assert User.objects.get(pk=resident.pk).is_active
    client.post(url, {"action": "erase_data", "_selected_action": [resident.pk], "post": "yes"})

    erased = User.objects.get(pk=resident.pk)
    assert not erased.is_active and erased.display_name == "Erased person"
    trail = LogEntry.objects.filter(actor=admin_user).values_list("changes", flat=True)
    assert any("exported" in str(c) for c in trail)
    assert any("erased" in str(c) for c in trail)


def _readable_page(client, person) -> str:
    client.force_login(person)
    archive = zipfile.ZipFile(io.BytesIO(client.post(reverse("my_data_download")).content))
    return archive.read("your-data.html").decode()


def test_the_readable_page_is_in_plain_sections_and_fits_a_phone(client, resident):
    page = _readable_page(client, resident)

    headings = re.findall(r"<h2>(.*?)</h2>", page)
    assert {
        "Your account",
        "Your profile, and the sessions you signed up for",
        "Your claims and payments",
        "What you shared in the practice guide",
    } <= set(headings)
    assert not {"Participation", "Payments", "Learning", "Notifications", "Insight"} & set(headings)
    # Its own rules: long links wrap on a narrow screen, and messages keep their lines.
    assert "overflow-wrap: anywhere" in page and "white-space: pre-line" in page


def test_the_readable_page_shows_money_yes_no_dates_and_places_as_the_site_does(client, resident):
    make_policy()
    # Two hours at £20 an hour and a £4.60 bus fare: £44.60 claimed.
    claim = claim_in_state(resident, status=Claim.Status.SUBMITTED, bus=460)

    page = _readable_page(client, resident)

    assert "£44.60" in page and "4460" not in page and "pence" not in page.lower()
    assert re.search(r"<dt>Works for council or partner</dt><dd>No\s*</dd>", page)
    assert "True" not in page and "False" not in page
    assert "a.m." not in page and "p.m." not in page
    assert "You have a place" in page and "Booked" not in page
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert claim.reference in page


def test_the_json_in_the_download_keeps_exact_values_for_computers(client, resident):
    make_policy()
    claim_in_state(resident, status=Claim.Status.SUBMITTED, bus=460)
    client.force_login(resident)

    archive = zipfile.ZipFile(io.BytesIO(client.post(reverse("my_data_download")).content))
    data = json.loads(archive.read("your-data.json"))

    (claim,) = data["payments"]["claims"]
    assert claim["claimed_pence"] == 4460
    assert claim["works_for_council_or_partner"] is False
    assert data["participation"]["sign_ups"][0]["status"] == "Booked"


def test_the_admin_is_told_before_erasing_who_cannot_be_erased_yet(
    client, resident, other_resident, admin_user
):
    from tests.payments.factories import claim_in_state, make_policy

    make_policy()
    claim_in_state(other_resident)  # sent, waiting for a decision
    client.force_login(admin_user)
    url = reverse("admin:users_user_changelist")
    chosen = [resident.pk, other_resident.pk, admin_user.pk]

    asked = client.post(url, {"action": "erase_data", "_selected_action": chosen})

    assert "Oscar Other" in asked.text and "not erased</strong>, they have a claim waiting" in (
        asked.text
    )
    assert "You are not erased" in asked.text
    client.post(url, {"action": "erase_data", "_selected_action": chosen, "post": "yes"})
    still_here = User.objects.filter(pk__in=chosen, is_active=True)
    assert sorted(still_here.values_list("display_name", flat=True)) == ["Ada Admin", "Oscar Other"]


def _download(client, person) -> zipfile.ZipFile:
    client.force_login(person)
    return zipfile.ZipFile(io.BytesIO(client.post(reverse("my_data_download")).content))


def test_the_download_says_when_staff_saw_your_access_needs_where_and_who(
    client, resident, other_resident, staff, commissioner
):
    from auditlog.models import LogEntry

    from coprod_hub.audit import log_access
    from participation.models import SignUp
    from tests.participation.factories import OpportunityFactory, SignUpFactory

    session = OpportunityFactory(title="Carers' coffee morning", created_by=staff)
    place = SignUpFactory(opportunity=session, resident=resident, access_needs_note="A ramp")
    SignUpFactory(opportunity=session, resident=other_resident, access_needs_note="Quiet room")
    elsewhere = OpportunityFactory(title="Someone else's session", created_by=staff)
    SignUpFactory(opportunity=elsewhere, resident=other_resident, access_needs_note="A loop")
    client.force_login(staff)
    assert client.get(reverse("participation:manage", args=[session.pk])).status_code == 200
    assert client.get(reverse("participation:signup", args=[place.pk])).status_code == 200
    client.get(reverse("participation:manage", args=[elsewhere.pk]))
    # Another person whose account number starts with theirs: not them.
    log_access(session, by=commissioner, what=f"access needs of person {resident.pk}0")
    assert LogEntry.objects.filter(action=LogEntry.Action.ACCESS).count() == 4
    assert SignUp.objects.filter(resident=resident).count() == 1

    data = json.loads(_download(client, resident).read("your-data.json"))

    seen = data["account"]["access_needs_seen_by_staff"]
    assert [(s["session"], s["where"], s["seen_by"], s["their_role"]) for s in seen] == [
        (
            "Carers' coffee morning",
            "the session's page for staff",
            "Sam Staff",
            "Staff running the session",
        ),
        (
            "Carers' coffee morning",
            "the page about your place",
            "Sam Staff",
            "Staff running the session",
        ),
    ]
    assert all(s["when"] for s in seen)
    # Someone else's download shows their own, and nothing of this person's.
    others = json.loads(_download(client, other_resident).read("your-data.json"))
    assert [s["session"] for s in others["account"]["access_needs_seen_by_staff"]] == [
        "Carers' coffee morning",
        "Someone else's session",
    ]
    page = _download(client, resident).read("your-data.html").decode()
    assert "Access needs seen by staff" in page and "the page about your place" in page


def test_the_download_holds_the_receipt_files_themselves(client, resident, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from payments.models import ClaimLine
    from payments.services import store_receipt
    from tests.payments.conftest import PDF_BYTES, PNG_BYTES

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "private", "base_url": None},
        },
    }
    make_policy()
    claim = claim_in_state(resident, status=Claim.Status.SUBMITTED, bus=460)
    used = store_receipt(
        SimpleUploadedFile("bus ticket.pdf", PDF_BYTES),
        owner=resident,
        by=resident,
        content_type="application/pdf",
    )
    ClaimLine.objects.filter(claim=claim, kind="expense").update(receipt=used)
    # Typed on their computer: a name that would unpack outside the folder must not.
    store_receipt(
        SimpleUploadedFile("../../taxi.png", PNG_BYTES),
        owner=resident,
        by=resident,
        content_type="image/png",
    )

    archive = _download(client, resident)

    data = json.loads(archive.read("your-data.json"))
    (line,) = [line for line in data["payments"]["claims"][0]["lines"] if line["receipt"]]
    (unused,) = data["payments"]["receipts_not_used_yet"]
    assert archive.read(line["receipt_file"]) == PDF_BYTES
    assert archive.read(unused["file"]) == PNG_BYTES
    names = sorted(name for name in archive.namelist() if name.startswith("receipts/"))
    assert names == sorted([line["receipt_file"], unused["file"]])
    assert all(".." not in name and name.count("/") == 1 for name in names)
    assert line["receipt_file"].endswith("bus_ticket.pdf")
