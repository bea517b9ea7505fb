"""Writing many new rows at once, for imports and benchmark data.

`QuerySet.bulk_create` builds its INSERT through the ORM's SQL compiler, field by field
and row by row; for an import of a million rows that costs more than the database's own
work. Here each row's column values are taken exactly as Django's INSERT takes them
(`pre_save`, so `auto_now` and defaults apply, then `get_db_prep_save`) and sent with one
PostgreSQL `COPY` or one SQLite `executemany` per call.

Nothing is validated and no signals are sent, as with `bulk_create`. Call inside a
transaction: on SQLite, ids are reserved from the table's current maximum, which only
holds while this connection is the one writer (JCI Hub's SQLite transactions are
IMMEDIATE, so an open transaction is).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Field, Model
from django.utils import timezone


def reserve_ids(model: type[Model], count: int) -> list[int]:
    """`count` new primary keys for `model`, as its INSERTs would draw them."""
    if count == 0:
        return []
    connection = connections[DEFAULT_DB_ALIAS]
    table = model._meta.db_table
    pk_column = model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, pk_column, count],
            )
            return [pk for (pk,) in cursor.fetchall()]
        quote = connection.ops.quote_name
        # Names from the model's own metadata, quoted; no value is interpolated.
        cursor.execute(f"SELECT COALESCE(MAX({quote(pk_column)}), 0) FROM {quote(table)}")  # noqa: S608
        (last,) = cursor.fetchone()
    return list(range(last + 1, last + 1 + count))


# Fields whose Python value both database drivers take as it is: no conversion per value.
_PLAIN_TYPES = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "BigIntegerField",
        "BooleanField",
        "CharField",
        "FloatField",
        "ForeignKey",
        "IntegerField",
        "PositiveBigIntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "SmallIntegerField",
        "TextField",
    }
)


def _is_plain(field: Field[Any, Any]) -> bool:
    """Whether Django's INSERT would send the attribute's value unchanged."""
    stamped = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    return field.get_internal_type() in _PLAIN_TYPES and not stamped


def insert(
    objects: Sequence[Model], *, with_ids: bool = False, ignore_conflicts: bool = False
) -> None:
    """Insert unsaved instances of one model. With `with_ids`, each must hold its primary
    key already (from `reserve_ids`); without, the database assigns them and the
    instances do not learn them. `ignore_conflicts` as for `insert_values`."""
    if not objects:
        return
    model = type(objects[0])
    connection = connections[DEFAULT_DB_ALIAS]  # the wrapper itself: no proxy per value
    fields = [f for f in model._meta.concrete_fields if with_ids or not f.primary_key]
    plain = [(f.attname, _is_plain(f), f) for f in fields]
    rows = [
        [
            getattr(obj, attname)
            if is_plain
            else f.get_db_prep_save(f.pre_save(obj, True), connection)
            for attname, is_plain, f in plain
        ]
        for obj in objects
    ]
    _send(model, fields, rows, ignore_conflicts=ignore_conflicts)


def insert_values(
    model: type[Model], rows: Sequence[dict[str, Any]], *, ignore_conflicts: bool = False
) -> None:
    """Insert rows of `model` given as {attname: value} (`incident_id`, not `incident`),
    without making an instance of each; a field a row leaves out takes its default. The
    database assigns the primary keys. With `ignore_conflicts`, a row that would break a
    unique constraint is skipped (ON CONFLICT DO NOTHING, as `bulk_create` does), so a
    concurrent writer of the same rows is no error."""
    if not rows:
        return
    connection = connections[DEFAULT_DB_ALIAS]
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    defaults = {f.attname: f.get_default() for f in fields}
    stamps = {
        f.attname: now
        for f in fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    }
    columns = [
        (f.attname, None if _is_plain(f) else partial(f.get_db_prep_save, connection=connection))
        for f in fields
    ]
    values = []
    for row in rows:
        merged = {**defaults, **row, **stamps}
        values.append([merged[n] if to_db is None else to_db(merged[n]) for n, to_db in columns])
    _send(model, fields, values, ignore_conflicts=ignore_conflicts)


def _send(
    model: type[Model],
    fields: list[Field[Any, Any]],
    rows: list[list[Any]],
    *,
    ignore_conflicts: bool = False,
) -> None:
    """One COPY (PostgreSQL) or one executemany (SQLite) of prepared rows. COPY cannot
    skip a row, so with `ignore_conflicts` PostgreSQL copies into a temporary table and
    inserts from it with ON CONFLICT DO NOTHING (INSERTs of many VALUES cost it three
    times as much, mostly in binding the parameters); SQLite runs the same per row."""
    connection = connections[DEFAULT_DB_ALIAS]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(f.column) for f in fields)
    marks = "(" + ", ".join(["%s"] * len(fields)) + ")"
    with connection.cursor() as cursor:
        if ignore_conflicts and connection.vendor == "postgresql":
            buffer = quote(f"bulk_{model._meta.db_table}")
            cursor.execute(f"DROP TABLE IF EXISTS {buffer}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {buffer} AS SELECT {columns} FROM {table} WITH NO DATA"  # noqa: S608
            )
            with cursor.cursor.copy(f"COPY {buffer} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {buffer} "  # noqa: S608
                "ON CONFLICT DO NOTHING"
            )
            cursor.execute(f"DROP TABLE {buffer}")
        elif ignore_conflicts:
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES {marks} ON CONFLICT DO NOTHING",  # noqa: S608
                rows,
            )
        elif connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES {marks}", rows)  # noqa: S608


def insert_with_ids(objects: Sequence[Model]) -> None:
    """Insert unsaved instances of one model, giving each its new primary key."""
    if not objects:
        return
    for obj, pk in zip(objects, reserve_ids(type(objects[0]), len(objects)), strict=True):
        obj.pk = pk
    insert(objects, with_ids=True)
