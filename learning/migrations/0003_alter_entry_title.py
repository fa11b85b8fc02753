"""Give titles room for their redacted form: labels such as "[phone number]" can be longer
than the words they replace. PostgreSQL refuses to change a column that a trigger watches, so
the search trigger (migration 0002) is taken off and put back around the change."""

from django.db import migrations, models

DROP_TRIGGER = "DROP TRIGGER IF EXISTS learning_entry_search_vector_trigger ON learning_entry;"
CREATE_TRIGGER = """
CREATE TRIGGER learning_entry_search_vector_trigger
    BEFORE INSERT OR UPDATE OF title, text, search_vector
    ON learning_entry
    FOR EACH ROW EXECUTE FUNCTION learning_entry_search_vector();
"""


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_TRIGGER)


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE_TRIGGER)


class Migration(migrations.Migration):
    dependencies = [("learning", "0002_entry_search_trigger")]

    operations = [
        migrations.RunPython(drop_trigger, create_trigger),
        migrations.AlterField(
            model_name="entry",
            name="title",
            field=models.CharField(max_length=300),
        ),
        migrations.RunPython(create_trigger, drop_trigger),
    ]
