import pytest

from tests.factories import UserFactory

from .factories import OpportunityFactory


@pytest.fixture
def opportunity(db, staff):
    """A published online opportunity, ten days away, with 10 places, run by `staff`."""
    return OpportunityFactory(created_by=staff, title="Carers' lunch and chat")


@pytest.fixture
def make_residents(db):
    def make(count):
        return [UserFactory() for _ in range(count)]

    return make
