"""Large print used to be one of the three formats; it became a yes/no of its own, so
everyone who had chosen it keeps it, with standard words."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from participation.models import Profile
from tests.factories import UserFactory

BEFORE = ("participation", "0012_standalone_step_at_most_engagement")
SPLIT = ("participation", "0013_profile_large_print")


def _old_profiles(executor, people):
    """Profiles saved before the split, through the model as it was then."""
    OldProfile = executor.loader.project_state([BEFORE]).apps.get_model("participation", "Profile")
    for information_format, user_id in people.items():
        OldProfile.objects.create(user_id=user_id, format=information_format)


def _saved(user_ids):
    return {
        name: tuple(Profile.objects.filter(user_id=pk).values_list("format", "large_print").get())
        for name, pk in user_ids.items()
    }


@pytest.mark.django_db(transaction=True)
def test_large_print_becomes_its_own_choice_and_goes_back_when_undone():
    # Made with today's model, which looks for the new column: so before going back.
    people = {name: UserFactory().pk for name in ["standard", "easy_read", "large_print"]}
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE])
    try:
        _old_profiles(executor, people)
        executor.loader.build_graph()
        executor.migrate([SPLIT])

        assert _saved(people) == {
            "standard": ("standard", False),
            "easy_read": ("easy_read", False),
            "large_print": ("standard", True),
        }

        # Undone, the old single choice comes back as it was. It cannot hold both: easy read
        # in large print keeps the easy read words.
        both = UserFactory().pk
        Profile.objects.create(user_id=both, format="easy_read", large_print=True)
        people["both"] = both
        executor.loader.build_graph()
        executor.migrate([BEFORE])
        OldProfile = executor.loader.project_state([BEFORE]).apps.get_model(
            "participation", "Profile"
        )
        assert {name: OldProfile.objects.get(user_id=pk).format for name, pk in people.items()} == {
            "standard": "standard",
            "easy_read": "easy_read",
            "large_print": "large_print",
            "both": "easy_read",
        }
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
