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

from collections.abc import Sequence

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model


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


def insert(objects: Sequence[Model], *, with_ids: bool = False) -> None:
    """Insert unsaved instances of one model. With `with_ids`, each must hold its primary
    key already (from `reserve_ids`); without, the database assigns them and the
    instances do not learn them."""
    if not objects:
        return
    model = type(objects[0])
    connection = connections[DEFAULT_DB_ALIAS]  # the wrapper itself: no proxy per value
    fields = [f for f in model._meta.concrete_fields if with_ids or not f.primary_key]
    rows = [
        [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields] for obj in objects
    ]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(f.column) for f in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(fields))
            sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608 (names only)
            cursor.executemany(sql, rows)


def insert_with_ids(objects: Sequence[Model]) -> None:
    """Insert unsaved instances of one model, giving each its new primary key."""
    if not objects:
        return
    for obj, pk in zip(objects, reserve_ids(type(objects[0]), len(objects)), strict=True):
        obj.pk = pk
    insert(objects, with_ids=True)
