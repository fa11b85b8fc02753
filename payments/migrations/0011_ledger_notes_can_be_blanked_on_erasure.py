"""Let erasing a person blank the notes on their ledger rows, and change nothing else.

A ledger row's note can quote what a commissioner typed about the person (why a claim was
corrected, why a payment came back). When the person is erased, `payments.privacy.erase`
blanks those notes inside a transaction that has said so with
`coprod_hub.audit.allow_privileged_change()`. The trigger allows exactly that: an UPDATE that
sets the note to "" and leaves every other column as it was. Any other change is refused,
flag or no flag, as before; deleting past the retention period is still allowed (0003).
"""

from django.db import migrations

NOTES_CAN_BE_BLANKED = """
CREATE OR REPLACE FUNCTION payments_ledger_append_only() RETURNS trigger AS $$
BEGIN
    IF current_setting('hub.privileged_change', true) = 'on' THEN
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        IF TG_OP = 'UPDATE' AND NEW.note = ''
                AND to_jsonb(NEW) - 'note' = to_jsonb(OLD) - 'note' THEN
            RETURN NEW;
        END IF;
    END IF;
    RAISE EXCEPTION 'Ledger entries cannot be changed or deleted. Add a correction instead.'
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
"""

PURGEABLE_ONLY = """
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


def allow_blanking(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(NOTES_CAN_BE_BLANKED)


def refuse_blanking(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PURGEABLE_ONLY)


class Migration(migrations.Migration):
    dependencies = [("payments", "0010_weekly_fee_check_level")]

    operations = [migrations.RunPython(allow_blanking, refuse_blanking)]
