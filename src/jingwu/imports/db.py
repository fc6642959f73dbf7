"""Bulk writes: PostgreSQL COPY where available, else the caller's ``bulk_create``."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection


def copy_insert(model, columns: list[str], rows: Iterable) -> bool:
    """COPY ``rows`` (sequences in ``columns`` order) into ``model``'s table, in the current transaction.

    Returns False without doing anything when the database is not PostgreSQL; the
    caller then writes with ``bulk_create``. Constraints and indexes apply as for
    INSERT: a duplicate key fails the whole statement (and the transaction).
    """
    return copy_rows(model._meta.db_table, columns, rows)


def copy_rows(table: str, columns: list[str], rows: Iterable) -> bool:
    """COPY ``rows`` into a table by name (see ``copy_insert``); False when not PostgreSQL."""
    if connection.vendor != "postgresql":
        return False
    quote = connection.ops.quote_name
    sql = f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    with connection.cursor() as cur:
        with cur.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
    return True
