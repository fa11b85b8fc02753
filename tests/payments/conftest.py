import pytest

from coprod_hub.users.roles import Role
from tests.factories import UserFactory

from .factories import ProjectFactory, SignUpFactory, claim_in_state, make_policy

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
    return claim_in_state


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Many people are made per test; the real hasher is slow on purpose.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def team_member(db):
    """A member of staff on the team of `project_with_team`, which Sam Staff owns."""
    return UserFactory(roles=[Role.STAFF], display_name="Tara Team")


@pytest.fixture
def project_with_team(staff, team_member):
    project = ProjectFactory(owner=staff)
    project.team.add(team_member)
    return project
