"""Checking uploaded receipts.

We look at the first bytes of the file (its "magic number"), not its name: an HTML page or a
program renamed "receipt.pdf" is refused. Browsers are never shown a receipt inline either;
the download view sends it as an attachment.
"""

from django.core.exceptions import ValidationError

MAX_RECEIPT_BYTES = 10 * 1024 * 1024

# ISO base media file "brands" that mean a HEIC/HEIF still image (what iPhones save).
_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}


def sniff_content_type(head: bytes) -> str | None:
    """The receipt type the bytes show, or None if they are not an allowed type."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if len(head) >= 12 and head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return "image/heic"
    return None


def check_receipt(upload) -> str:
    """Validate an uploaded file; return its real content type. Raises ValidationError."""
    if upload.size == 0:
        raise ValidationError("The selected file is empty. Choose the receipt again.", "empty")
    if upload.size > MAX_RECEIPT_BYTES:
        raise ValidationError("The receipt must be smaller than 10 MB.", "too_big")
    upload.seek(0)
    head = upload.read(32)
    upload.seek(0)
    content_type = sniff_content_type(head)
    if content_type is None:
        name = upload.name or "the file"
        # Say what we tried, not what the name claims: "fake.pdf is not a PDF" puzzles
        # someone whose file is called .pdf. Photos are JPG, PNG or HEIC (what iPhones save).
        raise ValidationError(
            f"We could not open {name} as a PDF or a photo (JPG, PNG or HEIC). Take a photo "
            "of the receipt, or save it as a PDF, and try again.",
            "wrong_type",
        )
    return content_type
