import pytest

from payments import services
from payments.models import Claim

from .factories import SignUpFactory, make_policy

# The smallest valid PNG (1x1 pixel) and the start of a PDF: real file signatures.
PNG_BYTES = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)
PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    """Receipts go to a throwaway folder, never the real private-media folder."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "private", "base_url": None},
        },
    }
    return tmp_path / "private"


@pytest.fixture
def policy(db):
    make_policy()


@pytest.fixture
def attended(policy, resident):
    """The resident attended a two-hour, per-hour paid workshop last week."""
    return SignUpFactory(resident=resident)


@pytest.fixture
def make_claim(policy):
    """make_claim(resident, status=...) → a claim in that state, made through the services."""

    def make(person, *, status=Claim.Status.SUBMITTED, reviewer=None, signup=None, bus=460):
        signup = signup or SignUpFactory(resident=person)
        claim = services.start_claim(signup, by=person)
        claim = services.update_claim_details(
            claim,
            by=person,
            payment_method=Claim.PaymentMethod.BANK_TRANSFER,
            employed_by_partner=False,
            not_part_of_paid_job=False,
        )
        if bus:
            services.save_expense(
                claim,
                by=person,
                category="public_transport",
                description="Bus",
                amount_pence=bus,
                miles=None,
            )
        claim = Claim.objects.get(pk=claim.pk)
        if status == Claim.Status.DRAFT:
            return claim
        claim = services.submit_claim(claim, by=person, benefits_acknowledged=True)
        if status == Claim.Status.SUBMITTED:
            return claim
        if status == Claim.Status.RETURNED:
            return services.return_claim(claim, by=reviewer, reason="Add a receipt")
        if status == Claim.Status.REJECTED:
            return services.reject_claim(claim, by=reviewer, reason="Not eligible")
        claim = services.approve_claim(claim, by=reviewer)
        if status == Claim.Status.APPROVED:
            return claim
        run = services.create_payment_run(by=reviewer)
        from django.utils import timezone

        services.confirm_payment_run(run, by=reviewer, paid_on=timezone.localdate())
        return Claim.objects.get(pk=claim.pk)

    return make


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Many people are made per test; the real hasher is slow on purpose.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
