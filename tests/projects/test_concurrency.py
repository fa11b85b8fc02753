"""Two staff saving a step at the same moment: both saves are kept, in order (PostgreSQL)."""

import threading

import pytest
from django.db import connection

from coprod_hub.users.roles import Role
from notifications.models import Broadcast
from projects.ladder import Step
from projects.models import Project, StepChange
from projects.services import post_update, record_step, set_published
from tests.concurrency import run_at_once
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


def test_posting_an_update_while_the_project_is_published_broadcasts_it_exactly_once():
    """Publishing sends the updates posted while hidden; posting on a public project sends
    its own. At the same moment, each update must still go out once, never twice or never."""
    owner = UserFactory(roles=[Role.STAFF])

    def publish_and_post_at_once(project):
        return run_at_once(
            [
                lambda: set_published(project, by=owner, published=True),
                lambda: post_update(
                    Project.objects.get(pk=project.pk), by=owner, said="Said", did="Done"
                ),
            ]
        )

    for _ in range(6):
        project = ProjectFactory(owner=owner, is_published=False)
        record_step(project, by=owner, claimed=7, evidence=evidence())

        _, errors = publish_and_post_at_once(project)

        assert not errors
        (update,) = project.updates.all()
        assert Broadcast.objects.filter(kind="we_said_we_did", object_id=update.pk).count() == 1


def test_the_same_update_posted_twice_at_once_is_saved_and_broadcast_once():
    """A double click sends two requests at the same moment: one update, one message each."""
    owner = UserFactory(roles=[Role.STAFF])
    for _ in range(4):
        project = ProjectFactory(owner=owner)
        record_step(project, by=owner, claimed=7, evidence=evidence())

        def post(project=project):
            return post_update(
                Project.objects.get(pk=project.pk), by=owner, said="Said", did="Done"
            ).pk

        results, errors = run_at_once([post, post])

        assert not errors
        assert results[0] == results[1]
        (update,) = project.updates.all()
        assert Broadcast.objects.filter(kind="we_said_we_did", object_id=update.pk).count() == 1
