"""Fast loading of many rows into PostgreSQL with COPY, for the large demo data set.

Rows go straight into tables with `COPY ... FROM STDIN` through psycopg 3, which is many
times faster than the ORM. COPY bypasses Django (no signals, no `save()`), but not the
database: row triggers still fire, so trigger-maintained columns such as search vectors are
filled in, and every constraint is checked.

Each model's rows are written with explicit ids taken from the table's own sequence, so
rows can point at each other before they are written; the sequence is moved past them.
Foreign keys are checked once at the end rather than row by row (see
`foreign_keys_checked_at_end`), which is several times faster for millions of rows.

Fields a seeder leaves out get the model's default (callables are called for every row),
`auto_now` / `auto_now_add` fields get "now", and nullable fields get NULL, so a field an app
adds later does not break the seeder unless it is required and has no default.
"""

import json
import time
from contextlib import contextmanager

from django.db import connection, models
from django.utils import timezone


class MissingValue(RuntimeError):
    pass


def _column_plan(model, fields):
    """For every concrete column: (field, index into the given row or None, filler, per_row).

    A filler gives the value of a column the caller left out; `per_row` is true when it must
    be called for every row (a callable default, such as a random key)."""
    given = {name: index for index, name in enumerate(fields)}
    now = timezone.now()
    plan = []
    for field in model._meta.concrete_fields:
        if isinstance(field, models.GeneratedField):
            continue  # computed by the database
        name = field.attname if field.attname in given else field.name
        if name in given:
            plan.append((field, given[name], None, False))
            continue
        if field.primary_key:
            continue  # the database numbers rows the caller does not number
        if field.__class__.__name__ == "SearchVectorField":
            continue  # left to the database trigger
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            plan.append((field, None, lambda now=now: now, False))
        elif field.has_default():
            default = field.default
            if callable(default):
                plan.append((field, None, default, True))
            else:
                plan.append((field, None, lambda value=default: value, False))
        elif field.null:
            plan.append((field, None, lambda: None, False))
        elif field.blank and field.get_internal_type() in ("CharField", "TextField"):
            plan.append((field, None, lambda: "", False))
        else:
            raise MissingValue(
                f"{model.__name__}.{field.name} is required and has no default: "
                "give it a value in the large data seeder"
            )
    used = {field.attname if field.attname in given else field.name for field, *_ in plan}
    unknown = set(given) - used
    if unknown:
        raise MissingValue(f"{model.__name__} has no fields {sorted(unknown)}")
    return plan


def _prepare(field, value):
    if value is None:
        return None
    if isinstance(field, models.JSONField):
        return json.dumps(value)
    return value


def next_id(model) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{model._meta.db_table}"')  # noqa: S608
        return cursor.fetchone()[0] + 1


def move_sequence(model) -> None:
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, 'id'), "  # noqa: S608
            f'GREATEST((SELECT MAX(id) FROM "{table}"), 1))',
            [table],
        )


def copy_rows(model, fields, rows, *, log=None, label=None) -> int:
    """COPY `rows` (tuples in the order of `fields`) into `model`'s table. Returns the count.

    Put "id" in `fields` to choose ids; the sequence is then moved past the largest.
    """
    plan = _column_plan(model, fields)
    # The given columns first, in the caller's order, so a row needs no reordering; then
    # the columns filled in here: the same value for every row unless the default is a
    # callable that must run per row.
    given = sorted((index, field) for field, index, _, _ in plan if index is not None)
    filled = [(field, filler, per_row) for field, index, filler, per_row in plan if index is None]
    json_at = [i for i, (_, field) in enumerate(given) if isinstance(field, models.JSONField)]
    constant = tuple(_prepare(field, filler()) for field, filler, per_row in filled if not per_row)
    per_row = [(field, filler) for field, filler, each in filled if each]
    # Constant fillers come first among the filled columns, then the per-row ones.
    columns = (
        [field for _, field in given]
        + [field for field, _, each in filled if not each]
        + [field for field, _ in per_row]
    )
    column_list = ", ".join(f'"{field.column}"' for field in columns)
    table = model._meta.db_table
    started = time.monotonic()
    count = 0
    raw = connection.connection
    with raw.cursor() as cursor, cursor.copy(f'COPY "{table}" ({column_list}) FROM STDIN') as copy:
        for row in rows:
            if type(row) is not tuple:
                row = tuple(row)
            if json_at:
                row = list(row)
                for i in json_at:
                    row[i] = _prepare(given[i][1], row[i])
                row = tuple(row)
            if per_row:
                row = row + constant + tuple(_prepare(f, filler()) for f, filler in per_row)
            elif constant:
                row = row + constant
            copy.write_row(row)
            count += 1
    if "id" in fields:
        move_sequence(model)
    if log:
        seconds = time.monotonic() - started
        log(f"  {label or model._meta.verbose_name_plural}: {count:,} in {seconds:.1f} s")
    return count


@contextmanager
def foreign_keys_checked_at_end(models_list):
    """Drop the foreign keys of these models' tables, then add them back, unchanged.

    Checking a foreign key row by row locks the referenced row for every row written (a
    million ledger entries lock their claim and person a million times); adding the
    constraint back checks every row in one join. Run inside a transaction: if anything
    fails, the constraints come back with the rollback. Nothing else should use the
    database meanwhile (the tables are locked until the end).
    """
    tables = sorted({model._meta.db_table for model in models_list})
    with connection.cursor() as cursor:
        # Other tables' keys are checked as each statement ends, not at commit: a table with
        # checks still pending cannot take part in ALTER TABLE, and adding a key alters the
        # table it points to as well.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s)",
            [tables],
        )
        keys = cursor.fetchall()
        for table, name, _ in keys:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    yield
    with connection.cursor() as cursor:
        for table, name, definition in keys:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
