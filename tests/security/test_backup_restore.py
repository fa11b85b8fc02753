"""scripts/backup.sh and scripts/restore.sh, end to end, on real PostgreSQL.

Claims go through approval, correction and payment, so the ledger holds approvals,
reversals, corrections and payments, with receipt files. The backup is restored into a
brand-new database and folder, and every balance (per account, per person and tax year,
per project budget) and every receipt file must come back exactly.
"""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from payments import services as payments
from payments.models import Claim
from tests.factories import UserFactory
from tests.payments import factories as payment_factories

from .fuzz import PDF, PNG
from .ledger_figures import figures

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]


def _database_url(name: str) -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{name}"


def _run(*command, **env):
    return subprocess.run(  # noqa: S603 - our own scripts and Python, fixed arguments
        command,
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=180,
    )


def _claim(resident, commissioner, *, receipt: bytes, name: str, bus_pence: int):
    claim = payments.start_claim(payment_factories.SignUpFactory(resident=resident), by=resident)
    payments.update_claim_details(
        claim,
        by=resident,
        payment_method=Claim.PaymentMethod.BANK_TRANSFER,
        employed_by_partner=False,
        not_part_of_paid_job=False,
    )
    stored = payments.store_receipt(
        SimpleUploadedFile(name, receipt), owner=resident, by=resident, content_type="image/png"
    )
    payments.save_expense(
        claim,
        by=resident,
        category="public_transport",
        description="Bus",
        amount_pence=bus_pence,
        miles=None,
        receipt=stored,
    )
    claim = payments.submit_claim(
        Claim.objects.get(pk=claim.pk), by=resident, benefits_acknowledged=True
    )
    return payments.approve_claim(claim, by=commissioner)


@pytest.fixture
def ledger(commissioner, private_storage):
    """Paid, corrected and still-owed claims for three people, with receipts."""
    payment_factories.make_policy()
    people = [UserFactory() for _ in range(3)]
    paid = [
        _claim(people[0], commissioner, receipt=PNG, name="bus.png", bus_pence=460),
        _claim(people[1], commissioner, receipt=PNG + b"x", name="tram.png", bus_pence=780),
    ]
    payments.correct_claim(
        paid[1], by=commissioner, fee_pence=3000, expenses_pence=500, reason="An hour short"
    )
    run = payments.create_payment_run(by=commissioner)
    payments.confirm_payment_run(run, by=commissioner, paid_on=timezone.localdate())
    # Approved, not yet paid: still owed, and committed against the project's budget.
    _claim(people[2], commissioner, receipt=PNG + b"yy", name="train.png", bus_pence=1250)
    return private_storage


@pytest.fixture
def fresh_database():
    name = f"hub_restore_{secrets.token_hex(4)}"
    admin = _database_url("postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield name
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_backup_restores_into_a_fresh_database_with_every_balance_and_receipt(
    ledger, fresh_database, tmp_path
):
    before = figures()
    assert before["rows"] >= 10  # approvals, a reversal, corrections and payments
    assert len(before["receipt_files"]) == 3
    assert before["by_account"]["paid"] > 0 and before["by_account"]["owed"] > 0

    backup = _run(
        "scripts/backup.sh",
        str(tmp_path / "backups"),
        DATABASE_URL=_database_url(connection.settings_dict["NAME"]),
        PRIVATE_MEDIA_ROOT=str(ledger),
    )
    assert backup.returncode == 0, backup.stderr
    folder = Path(backup.stdout.strip().splitlines()[-1])
    assert sorted(p.name for p in folder.iterdir()) == [
        "SHA256SUMS",
        "database.dump",
        "private-media.tar.gz",
    ]
    assert oct(folder.stat().st_mode & 0o777) == "0o700"  # personal data: owner only

    restored_media = tmp_path / "restored-media"
    restored_url = _database_url(fresh_database)
    restore = _run("scripts/restore.sh", str(folder), restored_url, str(restored_media))
    assert restore.returncode == 0, restore.stderr

    after = _run(
        sys.executable,
        "-m",
        "tests.security.ledger_figures",
        DATABASE_URL=restored_url,
        PRIVATE_MEDIA_ROOT=str(restored_media),
        DJANGO_SETTINGS_MODULE="coprod_hub.settings",
    )
    assert after.returncode == 0, after.stderr
    assert json.loads(after.stdout.strip().splitlines()[-1]) == json.loads(json.dumps(before))

    # The ledger is still append-only in the copy: its trigger came back with it.
    with psycopg.connect(restored_url) as conn, pytest.raises(psycopg.errors.Error):
        conn.execute("UPDATE payments_ledgerentry SET amount_pence = 0")


def test_restore_refuses_a_database_that_is_not_empty(ledger, tmp_path):
    backup = _run(
        "scripts/backup.sh",
        str(tmp_path / "backups"),
        DATABASE_URL=_database_url(connection.settings_dict["NAME"]),
        PRIVATE_MEDIA_ROOT=str(ledger),
    )
    folder = backup.stdout.strip().splitlines()[-1]

    # The live database itself: the script must never restore over it.
    live = _database_url(connection.settings_dict["NAME"])
    refused = _run("scripts/restore.sh", folder, live, str(tmp_path / "media"))

    assert refused.returncode == 1
    assert "already has" in refused.stderr
    assert not (tmp_path / "media").exists()


def test_restore_refuses_a_damaged_backup(ledger, fresh_database, tmp_path):
    backup = _run(
        "scripts/backup.sh",
        str(tmp_path / "backups"),
        DATABASE_URL=_database_url(connection.settings_dict["NAME"]),
        PRIVATE_MEDIA_ROOT=str(ledger),
    )
    folder = Path(backup.stdout.strip().splitlines()[-1])
    with open(folder / "database.dump", "ab") as dump:
        dump.write(PDF)  # a few stray bytes

    refused = _run(
        "scripts/restore.sh", str(folder), _database_url(fresh_database), str(tmp_path / "m")
    )

    assert refused.returncode == 1
    assert "checksums do not match" in refused.stderr
