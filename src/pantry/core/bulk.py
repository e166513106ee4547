"""Switching triggers off for a bulk load that recounts what they keep."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from psycopg import sql


@contextmanager
def triggers_disabled(cursor: Any, table: str, names: Sequence[str]) -> Iterator[None]:
    """Switch the named triggers of ``table`` off inside; back on at a clean
    exit (a failure rolls the whole transaction back, switches included)."""
    name_sql = sql.Identifier(table)
    for name in names:
        cursor.execute(
            sql.SQL("ALTER TABLE {} DISABLE TRIGGER {}").format(
                name_sql, sql.Identifier(name)
            )
        )
    yield
    for name in names:
        cursor.execute(
            sql.SQL("ALTER TABLE {} ENABLE TRIGGER {}").format(
                name_sql, sql.Identifier(name)
            )
        )
