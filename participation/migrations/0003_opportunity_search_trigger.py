"""Keep Opportunity.search_vector up to date in the database, with a GIN index for search.

A trigger rather than a generated column, because the same migrations must also run on
SQLite (laptops), where there is no full-text search: there this migration does nothing and
the directory falls back to a plain text match (see OpportunityQuerySet.search).
The title weighs most (A), then the description (B), then who it is for (C).
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION participation_opportunity_search_vector() RETURNS trigger AS $$
BEGIN
    NEW.search_vector :=
        setweight(to_tsvector('english', coalesce(NEW.title, '')), 'A') ||
        setweight(to_tsvector('english', coalesce(NEW.description, '')), 'B') ||
        setweight(to_tsvector('english', coalesce(NEW.who_for, '')), 'C');
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS participation_opportunity_search_vector_trigger
    ON participation_opportunity;
CREATE TRIGGER participation_opportunity_search_vector_trigger
    BEFORE INSERT OR UPDATE OF title, description, who_for, search_vector
    ON participation_opportunity
    FOR EACH ROW EXECUTE FUNCTION participation_opportunity_search_vector();

-- The directory's search: WHERE search_vector @@ websearch_to_tsquery('english', ...).
CREATE INDEX IF NOT EXISTS opportunity_search_gin_idx
    ON participation_opportunity USING gin (search_vector);

-- Fill in rows that existed before the trigger (the trigger itself computes the value).
UPDATE participation_opportunity SET title = title;
"""

DROP = """
DROP INDEX IF EXISTS opportunity_search_gin_idx;
DROP TRIGGER IF EXISTS participation_opportunity_search_vector_trigger
    ON participation_opportunity;
DROP FUNCTION IF EXISTS participation_opportunity_search_vector();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("participation", "0002_topic_profile_and_search")]

    operations = [migrations.RunPython(create, drop)]
