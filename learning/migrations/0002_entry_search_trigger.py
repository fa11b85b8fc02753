"""Keep Entry.search_vector up to date in the database, with a GIN index for search.

A trigger rather than a generated column because the same migrations also run on SQLite
(laptops), which has no full-text search: there this migration does nothing and the guide
falls back to a plain text match (see EntryQuerySet.search).
The title weighs most (A), then the text (B). Only published entries are ever searched, and
publishing rewrites the title and text, so the vector then holds only the redacted words.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION learning_entry_search_vector() RETURNS trigger AS $$
BEGIN
    NEW.search_vector :=
        setweight(to_tsvector('english', coalesce(NEW.title, '')), 'A') ||
        setweight(to_tsvector('english', coalesce(NEW.text, '')), 'B');
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS learning_entry_search_vector_trigger ON learning_entry;
CREATE TRIGGER learning_entry_search_vector_trigger
    BEFORE INSERT OR UPDATE OF title, text, search_vector
    ON learning_entry
    FOR EACH ROW EXECUTE FUNCTION learning_entry_search_vector();

-- The guide's search: WHERE search_vector @@ websearch_to_tsquery('english', ...).
CREATE INDEX IF NOT EXISTS entry_search_gin_idx ON learning_entry USING gin (search_vector);

-- Fill in rows that existed before the trigger (the trigger itself computes the value).
UPDATE learning_entry SET title = title;
"""

DROP = """
DROP INDEX IF EXISTS entry_search_gin_idx;
DROP TRIGGER IF EXISTS learning_entry_search_vector_trigger ON learning_entry;
DROP FUNCTION IF EXISTS learning_entry_search_vector();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("learning", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
