"""Running a statement of our own SQL on the default connection: for the set-based work
of imports and kept counts (`incidents.staging`, `taskforce.counts`), where the ORM has
no form for the statement. Values always travel as parameters."""

from collections.abc import Sequence
from typing import Any

from django.db import connection


def execute(sql: str, params: Sequence[Any] = ()) -> int:
    """Run one statement; how many rows it wrote (as the driver counts them)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def scalar(sql: str, params: Sequence[Any] = ()) -> Any:
    """The first value of the first row."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def column(sql: str, params: Sequence[Any] = ()) -> list[Any]:
    """The first value of every row."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]
