import pytest

from tests.factories import UserFactory

# A lesson with a phone number, a postcode and a person's name for the scanner to find.
PERSONAL_TEXT = (
    "Jean Watson drove us to the group every week.\n\n"
    "If you need a lift, call 07700 900461. The hall is at LS2 7EX."
)


@pytest.fixture
def personal_text():
    return PERSONAL_TEXT


@pytest.fixture
def another_moderator(db):
    from coprod_hub.users.roles import Role

    return UserFactory(display_name="Morag Moderator", roles=[Role.MODERATOR])
