import pytest
from django.core.cache import cache

from coprod_hub.users.roles import Role

from .factories import UserFactory


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing():
    """Real hashing is deliberately slow; tests create hundreds of accounts."""
    from django.conf import settings
    from django.contrib.auth.hashers import get_hashers

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    get_hashers.cache_clear()
    yield


@pytest.fixture(autouse=True)
def _clear_cache():
    # Rate-limit counters live in the cache; one test's sign-ins must not limit the next's.
    cache.clear()
    yield


@pytest.fixture
def caching_as_in_production(settings):
    """Sessions read from the cache and the signed-in person kept there, as production runs
    with Redis, whatever cache these tests have (query counts depend on it)."""
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    settings.SIGNED_IN_PERSON_CACHE_SECONDS = 300


@pytest.fixture
def resident(db):
    return UserFactory(display_name="Rita Resident", roles=[Role.RESIDENT])


@pytest.fixture
def other_resident(db):
    return UserFactory(display_name="Oscar Other", roles=[Role.RESIDENT])


@pytest.fixture
def staff(db):
    return UserFactory(display_name="Sam Staff", roles=[Role.STAFF])


@pytest.fixture
def other_staff(db):
    return UserFactory(display_name="Stella Staff", roles=[Role.STAFF])


@pytest.fixture
def commissioner(db):
    return UserFactory(display_name="Connor Commissioner", roles=[Role.COMMISSIONER])


@pytest.fixture
def moderator(db):
    return UserFactory(display_name="Mina Moderator", roles=[Role.MODERATOR])


@pytest.fixture
def admin_user(db):
    return UserFactory(display_name="Ada Admin", roles=[], is_superuser=True, is_staff=True)


@pytest.fixture
def is_postgres():
    from django.db import connection

    return connection.vendor == "postgresql"


def pytest_collection_modifyitems(config, items):
    from django.conf import settings

    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    skip = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL (make test in CI does)")
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _celery_runs_tasks_in_process():
    """Run Celery tasks in the test's process even when REDIS_URL points at a real broker.

    Tests that exercise a real worker or a broker outage switch this off themselves.
    """
    from coprod_hub.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous
