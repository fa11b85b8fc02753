import pytest

from coprod_hub.users.roles import Role
from projects.services import record_step
from tests.factories import UserFactory

from .factories import CONSULTATION_EVIDENCE, ProjectFactory


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Tests here make many accounts; the real hasher is deliberately slow.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def owner(db):
    return UserFactory(display_name="Olu Owner", roles=[Role.STAFF])


@pytest.fixture
def team_member(db):
    return UserFactory(display_name="Tess Team", roles=[Role.STAFF])


@pytest.fixture
def project(owner, team_member):
    """A published project at Consultation, with one history entry."""
    project = ProjectFactory(
        title="Carers short breaks review",
        slug="carers-short-breaks",
        owner=owner,
        team=[team_member],
        contact_name="Jo Bloggs",
        contact_email="jo.bloggs@anytown.example",
    )
    record_step(
        project,
        by=owner,
        claimed=4,
        evidence=CONSULTATION_EVIDENCE,
        reason="The law says the council must set the charging policy.",
    )
    return project


@pytest.fixture
def draft(owner, team_member):
    return ProjectFactory(
        title="Draft day services plan",
        slug="draft-day-services",
        owner=owner,
        team=[team_member],
        is_published=False,
        status="planning",
    )
