import pytest

from tests.factories import UserFactory

from .factories import OpportunityFactory


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Every factory person gets a password; the real hasher takes about a second each, and
    # these tests make hundreds of people. Sign-in itself is tested in tests/hub.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def opportunity(db, staff):
    """A published online opportunity, ten days away, with 10 places, run by `staff`."""
    return OpportunityFactory(created_by=staff, title="Carers' lunch and chat")


@pytest.fixture
def make_residents(db):
    def make(count):
        return [UserFactory() for _ in range(count)]

    return make
