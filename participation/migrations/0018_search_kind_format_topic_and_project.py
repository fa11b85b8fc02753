"""Search finds sessions by what they are and how people take part: "focus group", "workshop",
"older people", "online", "hybrid".

Every card in the directory says "What: Focus group about older people" and how to join, yet
those words were only in the kind, topic and format columns, which the search vector left
out. The opportunity's trigger (0003, 0005, 0016) now adds:

- the kind's label (weight B) and the topic's name (B): with the description, what the
  session is. The topic is the session's own, or its project's when it has none, as the
  directory's topic filter and `Opportunity.effective_topic` take it;
- the project's title (C): like the venue, the context it is held in;
- the format's label and the words people use for it, such as "hybrid" (D): how people join,
  below everything about what the session is.

The kind and format are stored as short values ("focus_group"); their labels live in the
Python choices. The trigger's CASE expressions are written from the choices as this
migration's state holds them (0011 for the kind), plus a copy of
`Opportunity.FORMAT_SEARCH_WORDS`, so this migration says the same thing whenever it runs. A
choice added or relabelled later needs a migration that writes the function again (call
`opportunity_function` from here with the new state):
tests/participation/test_directory_search_words.py fails until then.

A project's title and a service area's name are shared by many sessions, so triggers on
those tables refresh them when they change, as the venue's does (0016): renaming in the
hub, in the admin or with a bulk UPDATE all keep search right. Each sets the sessions'
search_vector to NULL and the opportunity's own trigger computes it again; the formula stays
in one place. No column lists and no WHEN clauses, for the reason 0005 gives. They fire on
UPDATE only: a project or area being inserted has no sessions yet.

PostgreSQL only: SQLite has no full-text search, and OpportunityQuerySet.search matches the
same things there directly.
"""

from django.db import migrations

# Opportunity.FORMAT_SEARCH_WORDS when this was written: a migration must not change when the
# code does.
FORMAT_SEARCH_WORDS = {
    "in_person": "face to face",
    "phone": "telephone",
    "hybrid": "hybrid",
}


def _words_case(schema_editor, column, choices, extra=None):
    """A CASE expression giving the words search knows a stored choice by ('' for a value
    the choices do not know)."""
    extra = extra or {}
    quote = schema_editor.quote_value
    words = {value: " ".join(filter(None, [label, extra.get(value)])) for value, label in choices}
    whens = "\n".join(
        f"            WHEN {quote(value)} THEN {quote(text)}" for value, text in words.items()
    )
    return f"CASE NEW.{column}\n{whens}\n            ELSE '' END"


def opportunity_function(schema_editor, kinds, formats, format_words) -> str:
    """The opportunity's search trigger function, for these (value, label) choices."""
    kind_words = _words_case(schema_editor, "kind", kinds)
    format_words = _words_case(schema_editor, "format", formats, format_words)
    return f"""
CREATE OR REPLACE FUNCTION participation_opportunity_search_vector() RETURNS trigger AS $$
DECLARE
    place text;
    topic text;
    project_title text;
BEGIN
    IF NEW.venue_id IS NOT NULL THEN
        SELECT concat_ws(' ', name, area) INTO place
            FROM participation_venue WHERE id = NEW.venue_id;
    END IF;
    IF NEW.project_id IS NOT NULL THEN
        SELECT project.title, area.name INTO project_title, topic
            FROM projects_project project
            JOIN projects_servicearea area ON area.id = project.service_area_id
            WHERE project.id = NEW.project_id;
    END IF;
    -- Its own topic wins over its project's (Opportunity.effective_topic).
    IF NEW.topic_id IS NOT NULL THEN
        SELECT name INTO topic FROM projects_servicearea WHERE id = NEW.topic_id;
    END IF;
    NEW.search_vector :=
        setweight(to_tsvector('english', coalesce(NEW.title, '')), 'A') ||
        setweight(to_tsvector('english', coalesce(NEW.description, '')), 'B') ||
        setweight(to_tsvector('english', {kind_words}), 'B') ||
        setweight(to_tsvector('english', coalesce(topic, '')), 'B') ||
        setweight(to_tsvector('english', coalesce(NEW.who_for, '')), 'C') ||
        setweight(to_tsvector('english', coalesce(place, '')), 'C') ||
        setweight(to_tsvector('english', coalesce(project_title, '')), 'C') ||
        setweight(to_tsvector('english', {format_words}), 'D');
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
"""  # noqa: S608 - the only values put in are quoted by the schema editor (_words_case)


REFRESH_TRIGGERS = """
CREATE OR REPLACE FUNCTION participation_project_refresh_search() RETURNS trigger AS $$
BEGIN
    IF OLD.title IS DISTINCT FROM NEW.title
            OR OLD.service_area_id IS DISTINCT FROM NEW.service_area_id THEN
        -- The opportunity's trigger computes the vector again, with the new title and topic.
        UPDATE participation_opportunity SET search_vector = NULL WHERE project_id = NEW.id;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS participation_project_refresh_search_trigger ON projects_project;
CREATE TRIGGER participation_project_refresh_search_trigger
    AFTER UPDATE ON projects_project
    FOR EACH ROW EXECUTE FUNCTION participation_project_refresh_search();

CREATE OR REPLACE FUNCTION participation_servicearea_refresh_search() RETURNS trigger AS $$
BEGIN
    IF OLD.name IS DISTINCT FROM NEW.name THEN
        -- Sessions about it, and those of its projects that have no topic of their own.
        UPDATE participation_opportunity SET search_vector = NULL
            WHERE topic_id = NEW.id
               OR (topic_id IS NULL AND project_id IN (
                   SELECT id FROM projects_project WHERE service_area_id = NEW.id));
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS participation_servicearea_refresh_search_trigger ON projects_servicearea;
CREATE TRIGGER participation_servicearea_refresh_search_trigger
    AFTER UPDATE ON projects_servicearea
    FOR EACH ROW EXECUTE FUNCTION participation_servicearea_refresh_search();
"""

DROP_REFRESH_TRIGGERS = """
DROP TRIGGER IF EXISTS participation_project_refresh_search_trigger ON projects_project;
DROP FUNCTION IF EXISTS participation_project_refresh_search();
DROP TRIGGER IF EXISTS participation_servicearea_refresh_search_trigger ON projects_servicearea;
DROP FUNCTION IF EXISTS participation_servicearea_refresh_search();
"""

# Every session has a kind and a format, so every vector changes.
BACKFILL = "UPDATE participation_opportunity SET search_vector = NULL;"

# As 0016 left it.
PREVIOUS_OPPORTUNITY_FUNCTION = """
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


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    opportunity = apps.get_model("participation", "Opportunity")._meta
    kinds = [(value, str(label)) for value, label in opportunity.get_field("kind").choices]
    formats = [(value, str(label)) for value, label in opportunity.get_field("format").choices]
    schema_editor.execute(opportunity_function(schema_editor, kinds, formats, FORMAT_SEARCH_WORDS))
    schema_editor.execute(REFRESH_TRIGGERS)
    schema_editor.execute(BACKFILL)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(DROP_REFRESH_TRIGGERS)
    schema_editor.execute(PREVIOUS_OPPORTUNITY_FUNCTION)
    schema_editor.execute(BACKFILL)


class Migration(migrations.Migration):
    dependencies = [
        ("participation", "0017_created_by_means_who_runs_it"),
        # The refresh triggers are on the projects' tables, as they are now.
        ("projects", "0007_update_about_sessions_standing_alone"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
