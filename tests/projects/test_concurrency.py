"""Two staff saving a step at the same moment: both saves are kept, in order (PostgreSQL)."""

import threading

import pytest
from django.db import connection

from coprod_hub.users.roles import Role
from projects.ladder import Step
from projects.models import Project, StepChange
from projects.services import record_step
from tests.factories import UserFactory

from .factories import CONSULTATION_EVIDENCE, ProjectFactory, evidence

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_simultaneous_step_saves_give_two_ordered_history_entries():
    first, second = UserFactory(roles=[Role.STAFF]), UserFactory(roles=[Role.STAFF])
    project = ProjectFactory(owner=first, team=[second])
    start = threading.Barrier(2)
    errors = []

    def save(person, claimed, answers, reason):
        try:
            mine = Project.objects.get(pk=project.pk)  # each thread loads its own copy
            start.wait(timeout=10)
            record_step(mine, by=person, claimed=claimed, evidence=answers, reason=reason)
        except Exception as error:  # noqa: BLE001 - reported to the main thread below
            errors.append(error)
        finally:
            connection.close()

    for _ in range(5):
        threads = [
            threading.Thread(target=save, args=(first, 7, evidence(), "")),
            threading.Thread(
                target=save, args=(second, 4, CONSULTATION_EVIDENCE, "Statutory decision.")
            ),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        start.reset()

    assert not errors
    changes = list(StepChange.objects.filter(project=project).order_by("changed_at", "id"))
    assert len(changes) == 10
    # Each entry starts where the one before it ended: no save was lost or overwritten.
    for before, after in zip(changes, changes[1:], strict=False):
        assert (after.from_claimed, after.from_evidenced) == (
            before.to_claimed,
            before.to_evidenced,
        )
    project.refresh_from_db()
    last = changes[-1]
    assert (project.claimed_step, project.evidenced_step) == (last.to_claimed, last.to_evidenced)
    assert project.public_step in (Step.CONSULTATION, Step.CO_PRODUCTION)
