"""The benchmark works end to end on tiny data, so it cannot rot unnoticed.

It must work here, not be fast: tiny data, one worker, one second per page. Needs
PostgreSQL (the large data seeder uses COPY) and wrk (apt-get install -y wrk).
"""

import io
import shutil
import time

import pytest
from django.core.management import call_command
from django.db import connection

from bench.runner import Options, run
from bench.server import collectstatic, production_env

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        shutil.which("wrk") is None, reason="wrk is not installed: apt-get install -y wrk"
    ),
]


def _database_url() -> str:
    """The test database, for the server process to use too."""
    config = connection.settings_dict
    auth = config["USER"] or "postgres"
    if config["PASSWORD"]:
        auth += f":{config['PASSWORD']}"
    host, port = config["HOST"] or "127.0.0.1", config["PORT"] or 5432
    return f"postgres://{auth}@{host}:{port}/{config['NAME']}"


STARTED = time.monotonic()


def log(*args):
    """Progress with seconds elapsed; pytest shows it when the test fails (or with -s)."""
    print(f"{time.monotonic() - STARTED:6.1f} s", *args)


def test_benchmark_loads_pages_and_writes_the_results_table(settings, tmp_path):
    output = io.StringIO()
    log("seeding")
    call_command("seed_large", size=0.005, stdout=output)
    log("seeded")
    assert "Large data set ready" in output.getvalue()
    # A second run finds the data and does nothing.
    call_command("seed_large", size=0.005, stdout=output)
    assert "already there" in output.getvalue()

    # The server shares this process's SECRET_KEY: it signs the sessions the benchmark makes.
    env = production_env(
        database_url=_database_url(), redis_url=None, secret_key=settings.SECRET_KEY
    )
    collectstatic(env)
    log("collected static")
    results = tmp_path / "results.md"
    outcome = run(
        env=env,
        options=Options(
            duration=1,
            warmup=0,
            paired_hello=1,
            connections=2,
            workers=1,
            page_weight=False,
            include=["directory", "project", "sign_up"],
            sign_up_residents=10,
            output=results,
            log=log,
        ),
    )

    for key in ("hello", "directory", "project", "sign_up"):
        load = outcome.loads[key]
        assert load.requests > 0, key
        assert load.errors == 0, (key, load.error_detail)
        assert load.p95_ms >= load.p50_ms > 0
        if key != "hello":
            assert load.hello_rps > 0, key
    for key in ("directory", "project", "sign_up"):
        assert outcome.queries[key].queries > 0, outcome.queries[key].error
    table = results.read_text()
    assert "| Page | req/s | Ratio to hello | Hello alongside, req/s | p50 ms | p95 ms |" in table
    assert "| /hello/ (no database: the ceiling) |" in table
    assert "/opportunities/?q=carers" in table
    assert "sign-up POST (resident)" in table
    # The sign-ups and sessions the benchmark made were removed again.
    from django.contrib.sessions.models import Session

    from participation.models import SignUp

    assert not SignUp.objects.filter(resident__email__endswith="@bench.example.org").exists()
    assert not Session.objects.exists()
