"""Fast loading of many rows into PostgreSQL with COPY, for the large demo data set.

Rows go straight into tables with `COPY ... FROM STDIN` through psycopg 3, which is many
times faster than the ORM. COPY bypasses Django (no signals, no `save()`), but not the
database: row triggers still fire, so trigger-maintained columns such as search vectors are
filled in, and every constraint is checked.

Each model's rows are written with explicit ids taken from the table's own sequence, so
rows can point at each other before they are written; the sequence is moved past them.
Fields a seeder leaves out get the model's default (callables are called for every row),
`auto_now` / `auto_now_add` fields get "now", and nullable fields get NULL, so a field an app
adds later does not break the seeder unless it is required and has no default.
"""

import json
import time

from django.db import connection, models
from django.utils import timezone


class MissingValue(RuntimeError):
    pass


def _column_plan(model, fields):
    """For every concrete column: (column name, index into the given row or None, filler)."""
    given = {name: index for index, name in enumerate(fields)}
    now = timezone.now()
    plan = []
    for field in model._meta.concrete_fields:
        if isinstance(field, models.GeneratedField):
            continue  # computed by the database
        name = field.attname if field.attname in given else field.name
        if name in given:
            plan.append((field, given[name], None))
            continue
        if field.primary_key:
            continue  # ids are given explicitly by the caller when it needs them
        if field.__class__.__name__ == "SearchVectorField":
            continue  # left to the database trigger
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            plan.append((field, None, lambda now=now: now))
        elif field.has_default():
            default = field.default
            if callable(default):
                plan.append((field, None, default))
            else:
                plan.append((field, None, lambda value=default: value))
        elif field.null:
            plan.append((field, None, lambda: None))
        elif field.blank and field.get_internal_type() in ("CharField", "TextField"):
            plan.append((field, None, lambda: ""))
        else:
            raise MissingValue(
                f"{model.__name__}.{field.name} is required and has no default: "
                "give it a value in the large data seeder"
            )
    unknown = set(given) - {
        (field.attname if field.attname in given else field.name) for field, _, _ in plan
    }
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
    columns = ", ".join(f'"{field.column}"' for field, _, _ in plan)
    table = model._meta.db_table
    started = time.monotonic()
    count = 0
    raw = connection.connection
    with raw.cursor() as cursor, cursor.copy(f'COPY "{table}" ({columns}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(
                [
                    _prepare(field, row[index] if index is not None else filler())
                    for field, index, filler in plan
                ]
            )
            count += 1
    if "id" in fields:
        move_sequence(model)
    if log:
        seconds = time.monotonic() - started
        log(f"  {label or model._meta.verbose_name_plural}: {count:,} in {seconds:.1f} s")
    return count
