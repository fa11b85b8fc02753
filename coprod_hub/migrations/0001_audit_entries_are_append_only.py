"""On PostgreSQL, audit entries cannot be changed or deleted, even by code with database
access, except inside a transaction that has said it is erasing a person's data or purging
records past their retention period (`SET LOCAL hub.privileged_change = 'on'`)."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION hub_audit_entries_are_append_only() RETURNS trigger AS $$
BEGIN
    IF current_setting('hub.privileged_change', true) = 'on' THEN
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'Audit entries cannot be changed or deleted';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_entries_are_append_only
    BEFORE UPDATE OR DELETE ON auditlog_logentry
    FOR EACH ROW EXECUTE FUNCTION hub_audit_entries_are_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS audit_entries_are_append_only ON auditlog_logentry;
DROP FUNCTION IF EXISTS hub_audit_entries_are_append_only();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("auditlog", "0017_add_actor_email")]

    operations = [migrations.RunPython(create, drop)]
