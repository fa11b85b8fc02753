import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import OperationalError
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]


def _run_manage(*args, **env):
    environment = {**os.environ, **env}
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    # Set by the browser tests for Playwright; never present in a real deployment.
    environment.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _deployment_checks(**env):
    return _run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="coproduction.anytown.example",
        **env,
    )


def test_production_settings_pass_the_deployment_checks():
    result = _deployment_checks(EMAIL_HOST="smtp.anytown.example")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_deployment_checks_fail_when_emails_would_only_be_printed():
    result = _deployment_checks(EMAIL_HOST="")

    assert result.returncode != 0
    assert "hub.W001" in result.stderr + result.stdout
    assert "Emails are printed to the log, not sent." in result.stderr + result.stdout


def test_a_database_url_may_name_an_sqlite_file(tmp_path):
    # PostgreSQL's connection options must not reach SQLite, which refuses unknown ones.
    database_url = f"sqlite:///{tmp_path / 'hub.sqlite3'}"

    result = _run_manage("migrate", "--noinput", DATABASE_URL=database_url)

    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "hub.sqlite3").exists()


def test_production_refuses_to_start_without_a_secret_key():
    result = _run_manage("check", DEBUG="0", SECRET_KEY="", ALLOWED_HOSTS="x.example")

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_a_bad_yes_no_value_fails_loudly():
    result = _run_manage("check", DEBUG="maybe")

    assert result.returncode != 0
    assert "DEBUG must be a yes/no value" in result.stderr


@pytest.mark.django_db
def test_health_reports_ok_when_everything_is_up(client):
    response = client.get(reverse("health"))

    assert response.status_code == 200
    body = json.loads(response.content)
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] is True


@pytest.mark.django_db
def test_health_reports_503_when_the_database_is_unreachable(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("coprod_hub.health.connection.cursor", broken_cursor)

    response = client.get(reverse("health"))

    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == {"ok": False, "detail": "unreachable: OperationalError"}


def test_health_reports_503_when_redis_is_unreachable(client, settings, monkeypatch):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    monkeypatch.setattr("coprod_hub.health.check_database", lambda: (True, "ok"))

    response = client.get(reverse("health"))

    assert response.status_code == 503
    assert json.loads(response.content)["checks"]["redis"]["ok"] is False


def test_pages_show_a_friendly_503_when_the_database_is_down(client, monkeypatch, settings):
    def broken(*args, **kwargs):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr("coprod_hub.views.HomeView.get", broken)

    response = client.get(reverse("home"))

    assert response.status_code == 503
    page = response.content.decode()
    assert "Sorry, the service is unavailable" in page
    # Help is as near as on every other page, without the database.
    assert settings.SUPPORT_PHONE in page and f"mailto:{settings.SUPPORT_EMAIL}" in page


def test_the_500_page_says_how_to_reach_the_team(client, monkeypatch, settings):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("coprod_hub.views.HomeView.get", broken)
    client.raise_request_exception = False

    response = client.get(reverse("home"))

    assert response.status_code == 500
    page = response.content.decode()
    assert "Sorry, there is a problem with the service" in page
    assert settings.SUPPORT_PHONE in page and f"mailto:{settings.SUPPORT_EMAIL}" in page
