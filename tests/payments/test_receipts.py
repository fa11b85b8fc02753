"""Receipts: checked by content, stored privately, served only to the claimant and
commissioners."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from coprod_hub.middleware import MAX_REQUEST_BODY_BYTES
from payments import services
from payments.models import Claim, ClaimLine, Receipt
from payments.receipts import MAX_RECEIPT_BYTES

from .conftest import PDF_BYTES, PNG_BYTES

pytestmark = pytest.mark.django_db

HEIC_BYTES = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64
JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64


@pytest.fixture
def claim(attended, resident):
    claim = services.start_claim(attended, by=resident)
    return services.update_claim_details(
        claim,
        by=resident,
        payment_method="bank_transfer",
        employed_by_partner=False,
        not_part_of_paid_job=False,
    )


def test_the_receipt_hint_says_what_a_heic_file_is(client, resident, claim):
    client.force_login(resident)

    page = client.get(reverse("payments:expense_add", args=[claim.pk])).text

    assert "PDF, JPG, PNG or a photo from an iPhone (HEIC), smaller than 10 MB." in page


def _post_expense(client, claim, upload, amount="6.50", category="meals", **extra):
    return client.post(
        reverse("payments:expense_add", args=[claim.pk]),
        {
            "category": category,
            "description": "Lunch",
            "amount": amount,
            "receipt": upload,
            **extra,
        },
    )


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("receipt.png", PNG_BYTES, "image/png"),
        ("receipt.pdf", PDF_BYTES, "application/pdf"),
        ("IMG_0001.HEIC", HEIC_BYTES, "image/heic"),
        ("photo.jpeg", JPEG_BYTES, "image/jpeg"),
    ],
)
def test_real_receipts_are_accepted_and_stored_privately_under_a_random_name(
    client, resident, claim, private_storage, name, content, content_type
):
    client.force_login(resident)

    response = _post_expense(client, claim, SimpleUploadedFile(name, content, "whatever/type"))

    assert response.status_code == 302
    receipt = Receipt.objects.get()
    assert receipt.content_type == content_type
    assert receipt.original_name == name
    assert receipt.owner == resident
    assert name not in receipt.file.name
    assert receipt.file.name.startswith("receipts/")
    stored = private_storage / receipt.file.name
    assert stored.read_bytes() == content
    assert ClaimLine.objects.get(kind="expense").receipt == receipt


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("receipt.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>"),
        ("receipt.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64),
        ("receipt.png", b"#!/bin/sh\nrm -rf /\n"),
        ("receipt.jpg", b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
    ],
)
def test_files_that_are_not_receipts_are_refused_whatever_their_name(
    client, resident, claim, name, content
):
    client.force_login(resident)

    response = _post_expense(client, claim, SimpleUploadedFile(name, content, "application/pdf"))

    assert response.status_code == 200
    html = response.content.decode()
    assert (
        f"We could not open {name} as a PDF or a photo (JPG, PNG or HEIC). Take a photo of "
        "the receipt, or save it as a PDF, and try again." in html
    )
    assert not Receipt.objects.exists()
    assert not ClaimLine.objects.filter(kind="expense").exists()


def test_receipts_over_10_mb_are_refused(client, resident, claim):
    client.force_login(resident)
    big = PNG_BYTES + b"\x00" * (MAX_RECEIPT_BYTES + 1 - len(PNG_BYTES))

    response = _post_expense(client, claim, SimpleUploadedFile("big.png", big, "image/png"))

    assert "The receipt must be smaller than 10 MB" in response.content.decode()
    assert not Receipt.objects.exists()


def test_a_request_far_too_big_is_refused_before_it_is_read(client, resident, claim):
    client.force_login(resident)
    # Django's test client always sends the whole body; what matters is the length it states.
    huge = PNG_BYTES + b"\x00" * (MAX_REQUEST_BODY_BYTES + 1 - len(PNG_BYTES))

    response = _post_expense(client, claim, SimpleUploadedFile("huge.png", huge, "image/png"))

    assert response.status_code == 413
    assert "default-src" in response["Content-Security-Policy"]
    page = response.content.decode()
    assert "Files you upload must be smaller than 10 MB" in page
    assert "The file is too big – Co-production Hub</title>" in page
    assert "call the co-production team on" in page
    assert not Receipt.objects.exists()


@pytest.mark.parametrize(
    ("came_from", "back_link"),
    [
        ("http://testserver/claims/1/expenses/add/", True),
        ("https://elsewhere.example/form/", False),  # never a link off the site
        ("", False),
    ],
)
def test_the_too_big_page_links_back_to_the_form_on_this_site(
    client, resident, claim, came_from, back_link
):
    client.force_login(resident)
    huge = PNG_BYTES + b"\x00" * (MAX_REQUEST_BODY_BYTES + 1 - len(PNG_BYTES))

    response = client.post(
        reverse("payments:expense_add", args=[claim.pk]),
        {"category": "meals", "amount": "6.50", "receipt": SimpleUploadedFile("huge.png", huge)},
        HTTP_REFERER=came_from,
    )

    page = response.content.decode()
    assert (f'href="{came_from}"' in page) is back_link
    assert ("Go back and choose a smaller file</a>" in page) is back_link


def test_an_empty_file_is_refused(client, resident, claim):
    client.force_login(resident)

    response = _post_expense(client, claim, SimpleUploadedFile("empty.png", b"", "image/png"))

    assert "The selected file is empty" in response.content.decode()


def test_a_good_receipt_is_kept_when_another_field_is_wrong(client, resident, claim):
    client.force_login(resident)

    response = _post_expense(
        client, claim, SimpleUploadedFile("lunch.png", PNG_BYTES, "image/png"), amount="lots"
    )

    html = response.content.decode()
    assert "Enter an amount in pounds, like 12.50" in html
    assert "We have kept the receipt you chose" in html and "lunch.png" in html
    receipt = Receipt.objects.get()
    assert f'name="pending_receipt" value="{receipt.pk}"' in html
    # Fix the amount without choosing the file again.
    response = client.post(
        reverse("payments:expense_add", args=[claim.pk]),
        {"category": "meals", "amount": "6.50", "pending_receipt": receipt.pk},
    )
    assert response.status_code == 302
    assert ClaimLine.objects.get(kind="expense").receipt == receipt


def test_someone_elses_pending_receipt_cannot_be_picked_up(client, resident, other_resident, claim):
    theirs = services.store_receipt(
        SimpleUploadedFile("theirs.png", PNG_BYTES),
        owner=other_resident,
        by=other_resident,
        content_type="image/png",
    )
    client.force_login(resident)

    client.post(
        reverse("payments:expense_add", args=[claim.pk]),
        {"category": "parking", "amount": "2", "pending_receipt": theirs.pk},
    )

    line = ClaimLine.objects.get(kind="expense")
    assert line.receipt is None


class TestDownloads:
    @pytest.fixture
    def line(self, claim, resident):
        receipt = services.store_receipt(
            SimpleUploadedFile("my lunch.png", PNG_BYTES),
            owner=resident,
            by=resident,
            content_type="image/png",
        )
        return services.save_expense(
            claim,
            by=resident,
            category="meals",
            description="",
            amount_pence=650,
            miles=None,
            receipt=receipt,
        )

    def _status(self, client, line):
        response = client.get(reverse("payments:receipt", args=[line.claim_id, line.pk]))
        if response.streaming:
            b"".join(response.streaming_content)  # the test client closes the file at the end
        return response.status_code

    def test_the_claimant_downloads_it_as_a_private_attachment(self, client, resident, line):
        client.force_login(resident)

        response = client.get(reverse("payments:receipt", args=[line.claim_id, line.pk]))

        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PNG_BYTES
        assert response["Content-Type"] == "image/png"
        assert response["Content-Disposition"].startswith("attachment;")
        assert "my lunch.png" in response["Content-Disposition"]
        assert response["Cache-Control"] == "private, no-store"
        assert response["X-Content-Type-Options"] == "nosniff"

    def test_commissioners_can_download_it(self, client, commissioner, line):
        client.force_login(commissioner)

        assert self._status(client, line) == 200

    def test_anyone_else_gets_a_404(self, client, other_resident, staff, moderator, line):
        for person in (other_resident, staff, moderator):
            client.force_login(person)
            assert self._status(client, line) == 404

    def test_signed_out_visitors_are_sent_to_sign_in(self, client, line):
        response = client.get(reverse("payments:receipt", args=[line.claim_id, line.pk]))

        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]

    def test_a_line_from_another_claim_is_not_served_through_this_claim(
        self, client, resident, other_resident, line, make_claim
    ):
        mine = make_claim(resident, status=Claim.Status.DRAFT)
        client.force_login(resident)

        url = reverse("payments:receipt", args=[mine.pk, line.pk])
        assert client.get(url).status_code == 404

    def test_receipts_are_never_at_a_public_url(self, client, resident, line, settings):
        name = line.receipt.file.name
        client.force_login(resident)

        for guess in (f"/{name}", f"{settings.STATIC_URL}{name}", f"/media/{name}"):
            assert client.get(guess).status_code == 404


def test_unused_receipts_are_deleted_after_a_day(resident, private_storage, time_machine):
    time_machine.move_to("2026-05-01 09:00 +01:00", tick=False)
    receipt = services.store_receipt(
        SimpleUploadedFile("x.png", PNG_BYTES),
        owner=resident,
        by=resident,
        content_type="image/png",
    )
    path = private_storage / receipt.file.name
    time_machine.move_to("2026-05-02 10:00 +01:00", tick=False)

    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        assert services.delete_unused_receipts() == 1

    assert not Receipt.objects.exists()
    assert not path.exists()


def test_a_receipt_attached_while_the_clean_up_runs_keeps_its_row_and_its_file(
    resident, claim, private_storage, time_machine
):
    from django.db import connection
    from django.test import TestCase

    time_machine.move_to("2026-05-01 09:00 +01:00", tick=False)
    receipt = services.store_receipt(
        SimpleUploadedFile("x.png", PNG_BYTES),
        owner=resident,
        by=resident,
        content_type="image/png",
    )
    path = private_storage / receipt.file.name
    time_machine.move_to("2026-05-02 10:00 +01:00", tick=False)
    attached = []

    def attach_after_the_clean_up_finds_it(execute, sql, params, many, context):
        # The person saves the expense just after the clean-up has listed unused receipts.
        result = execute(sql, params, many, context)
        if not attached and sql.startswith("SELECT") and '"payments_receipt"' in sql:
            attached.append(
                ClaimLine.objects.create(
                    claim=claim, kind="expense", category="meals", amount_pence=650, receipt=receipt
                )
            )
        return result

    with (
        TestCase.captureOnCommitCallbacks(execute=True),
        connection.execute_wrapper(attach_after_the_clean_up_finds_it),
    ):
        removed = services.delete_unused_receipts()

    assert attached
    assert removed == 0
    assert Receipt.objects.filter(pk=receipt.pk).exists()
    assert path.exists()


def test_the_clean_up_only_removes_files_of_receipts_still_unused(
    resident, claim, private_storage, time_machine
):
    from django.test import TestCase

    time_machine.move_to("2026-05-01 09:00 +01:00", tick=False)
    used, unused = (
        services.store_receipt(
            SimpleUploadedFile("x.png", PNG_BYTES),
            owner=resident,
            by=resident,
            content_type="image/png",
        )
        for _ in range(2)
    )
    services.save_expense(
        claim,
        by=resident,
        category="meals",
        description="Lunch",
        amount_pence=650,
        miles=None,
        receipt=used,
    )
    time_machine.move_to("2026-05-02 10:00 +01:00", tick=False)

    with TestCase.captureOnCommitCallbacks(execute=True):
        assert services.delete_unused_receipts() == 1

    assert list(Receipt.objects.all()) == [used]
    assert (private_storage / used.file.name).exists()
    assert not (private_storage / unused.file.name).exists()


def test_a_receipt_the_clean_up_removed_cannot_be_attached(resident, claim):
    receipt = services.store_receipt(
        SimpleUploadedFile("x.png", PNG_BYTES),
        owner=resident,
        by=resident,
        content_type="image/png",
    )
    Receipt.objects.filter(pk=receipt.pk).delete()

    with pytest.raises(services.PaymentError, match="Choose the file again"):
        services.save_expense(
            claim,
            by=resident,
            category="meals",
            description="Lunch",
            amount_pence=650,
            miles=None,
            receipt=receipt,
        )
    assert not claim.lines.filter(kind="expense").exists()


def test_sending_the_form_with_a_mistake_again_and_again_keeps_only_the_newest_receipts(
    client, resident, claim, private_storage, django_capture_on_commit_callbacks
):
    used = services.store_receipt(
        SimpleUploadedFile("used.png", PNG_BYTES),
        owner=resident,
        by=resident,
        content_type="image/png",
    )
    services.save_expense(
        claim,
        by=resident,
        category="meals",
        description="Lunch",
        amount_pence=650,
        miles=None,
        receipt=used,
    )
    client.force_login(resident)

    with django_capture_on_commit_callbacks(execute=True):
        for n in range(services.MAX_UNUSED_RECEIPTS + 5):
            response = _post_expense(
                client, claim, SimpleUploadedFile(f"r{n}.png", PNG_BYTES), category=""
            )
            assert response.status_code == 200  # "Choose what the expense was for"

    unused = Receipt.objects.filter(line__isnull=True).order_by("pk")
    assert [r.original_name for r in unused] == [f"r{n}.png" for n in range(5, 15)]
    assert Receipt.objects.filter(pk=used.pk).exists()  # one an expense uses always stays
    stored = {path.name for path in private_storage.rglob("*") if path.is_file()}
    assert stored == {Path(r.file.name).name for r in Receipt.objects.all()}
    # The form still holds the newest, so the person need not find the file again.
    assert "r14.png" in response.content.decode()
