"""Let ledger rows past the financial retention period be deleted, and nothing else.

The append-only trigger (0002) refused every UPDATE and DELETE. Financial records are kept
for FINANCIAL_RETENTION_YEARS and then purged by `coprod_hub.retention`, inside a transaction
that has said so with `coprod_hub.audit.allow_privileged_change()` (SET LOCAL
hub.privileged_change = 'on'), the same flag the audit trail's trigger honours. Updates stay
refused whatever the flag says: a ledger row is never changed, only, in the end, removed.
"""

from django.db import migrations

PURGEABLE = """
CREATE OR REPLACE FUNCTION payments_ledger_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('hub.privileged_change', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'Ledger entries cannot be changed or deleted. Add a correction instead.'
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
"""

APPEND_ONLY = """
CREATE OR REPLACE FUNCTION payments_ledger_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'Ledger entries cannot be changed or deleted. Add a correction instead.'
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
"""


def allow_purge(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PURGEABLE)


def refuse_purge(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(APPEND_ONLY)


class Migration(migrations.Migration):
    dependencies = [("payments", "0002_ledger_append_only_trigger")]

    operations = [migrations.RunPython(allow_purge, refuse_purge)]
