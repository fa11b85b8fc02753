"""Search finds sessions by their venue's name and area ("Northfield", "library").

People look for what is near them first, and the venue form tells staff that people can
search by area. The opportunity's trigger (0003, 0005) now adds the venue's name and area to
the search vector, at weight C like who it is for: below the title (A) and the description
(B), so a session about a place still ranks above one merely held there.

A venue is shared by many sessions, so a trigger on the venue table refreshes them when its
name or area changes: renaming in the admin, in the staff pages or with a bulk UPDATE all
keep search right. It sets each session's search_vector to NULL, and the opportunity's own
trigger (which fires on every update) computes it again; the formula stays in one place.

No column lists and no WHEN clause on the venue trigger: both make PostgreSQL refuse a later
ALTER of the columns they name (see 0005), so the function compares old and new itself.
The venue trigger fires on UPDATE only: a venue being inserted has no sessions yet, and the
large data seeder writes venues with COPY before their sessions, whose insert trigger reads
the venue by its primary key.

PostgreSQL only: SQLite has no full-text search and matches the venue in
OpportunityQuerySet.search instead.
"""

from django.db import migrations

OPPORTUNITY_FUNCTION = """
CREATE OR REPLACE FUNCTION participation_opportunity_search_vector() RETURNS trigger AS $$
DECLARE
    place text;
BEGIN
    IF NEW.venue_id IS NOT NULL THEN
        SELECT concat_ws(' ', name, area) INTO place
            FROM participation_venue WHERE id = NEW.venue_id;
    END IF;
    NEW.search_vector :=
        setweight(to_tsvector('english', coalesce(NEW.title, '')), 'A') ||
        setweight(to_tsvector('english', coalesce(NEW.description, '')), 'B') ||
        setweight(to_tsvector('english', coalesce(NEW.who_for, '')), 'C') ||
        setweight(to_tsvector('english', coalesce(place, '')), 'C');
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
"""

VENUE_TRIGGER = """
CREATE OR REPLACE FUNCTION participation_venue_refresh_search() RETURNS trigger AS $$
BEGIN
    IF OLD.name IS DISTINCT FROM NEW.name OR OLD.area IS DISTINCT FROM NEW.area THEN
        -- The opportunity's trigger computes the vector again, with the new name and area.
        UPDATE participation_opportunity SET search_vector = NULL WHERE venue_id = NEW.id;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS participation_venue_refresh_search_trigger ON participation_venue;
CREATE TRIGGER participation_venue_refresh_search_trigger
    AFTER UPDATE ON participation_venue
    FOR EACH ROW EXECUTE FUNCTION participation_venue_refresh_search();
"""

# Only sessions at a venue have anything new in their vector.
BACKFILL = "UPDATE participation_opportunity SET search_vector = NULL WHERE venue_id IS NOT NULL;"

# As 0003 left it.
PREVIOUS_OPPORTUNITY_FUNCTION = """
CREATE OR REPLACE FUNCTION participation_opportunity_search_vector() RETURNS trigger AS $$
BEGIN
    NEW.search_vector :=
        setweight(to_tsvector('english', coalesce(NEW.title, '')), 'A') ||
        setweight(to_tsvector('english', coalesce(NEW.description, '')), 'B') ||
        setweight(to_tsvector('english', coalesce(NEW.who_for, '')), 'C');
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
"""

DROP_VENUE_TRIGGER = """
DROP TRIGGER IF EXISTS participation_venue_refresh_search_trigger ON participation_venue;
DROP FUNCTION IF EXISTS participation_venue_refresh_search();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(OPPORTUNITY_FUNCTION)
        schema_editor.execute(VENUE_TRIGGER)
        schema_editor.execute(BACKFILL)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_VENUE_TRIGGER)
        schema_editor.execute(PREVIOUS_OPPORTUNITY_FUNCTION)
        schema_editor.execute(BACKFILL)


class Migration(migrations.Migration):
    dependencies = [("participation", "0015_signup_cancelled_by_and_reason")]

    operations = [migrations.RunPython(forwards, backwards)]
