"""Recreate the search trigger without "UPDATE OF <columns>".

A column list makes PostgreSQL refuse any later ALTER of those columns (for example a longer
title) while the trigger exists. Firing on every update costs one to_tsvector per saved row,
which is nothing next to keeping future migrations simple.
"""

from django.db import migrations

RECREATE = """
DROP TRIGGER IF EXISTS participation_opportunity_search_vector_trigger
    ON participation_opportunity;
CREATE TRIGGER participation_opportunity_search_vector_trigger
    BEFORE INSERT OR UPDATE ON participation_opportunity
    FOR EACH ROW EXECUTE FUNCTION participation_opportunity_search_vector();
"""

PREVIOUS = """
DROP TRIGGER IF EXISTS participation_opportunity_search_vector_trigger
    ON participation_opportunity;
CREATE TRIGGER participation_opportunity_search_vector_trigger
    BEFORE INSERT OR UPDATE OF title, description, who_for, search_vector
    ON participation_opportunity
    FOR EACH ROW EXECUTE FUNCTION participation_opportunity_search_vector();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(RECREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PREVIOUS)


class Migration(migrations.Migration):
    dependencies = [("participation", "0004_expire_offers_schedule")]

    operations = [migrations.RunPython(forwards, backwards)]
