"""The heaviest statements, from pg_stat_statements."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from django.db import connection
from django.db.utils import DatabaseError
from psycopg import sql

ORDERS = {
    "total": "total_exec_time",
    "mean": "mean_exec_time",
    "calls": "calls",
    "rows": "rows",
}


_TOP = """
SELECT total_exec_time, mean_exec_time, calls, rows,
       shared_blks_hit, shared_blks_read, query
FROM pg_stat_statements
WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
ORDER BY {} DESC, queryid
LIMIT %s
"""


class StatementsUnavailable(Exception):
    """pg_stat_statements cannot be read; the message says why."""


@dataclass(frozen=True)
class TopStatement:
    total_ms: float
    mean_ms: float
    calls: int
    rows: int
    shared_hit: int
    shared_read: int
    query: str

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def top_statements(*, order: str = "total", limit: int = 20) -> list[TopStatement]:
    """The ``limit`` statements of this database with the most ``order``."""
    column = ORDERS[order]
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                sql.SQL(_TOP).format(sql.Identifier(column)).as_string(), [limit]
            )
            rows = cursor.fetchall()
    except DatabaseError as exc:
        raise StatementsUnavailable(_reason(exc)) from None
    return [
        TopStatement(
            total_ms=round(total, 3),
            mean_ms=round(mean, 3),
            calls=calls,
            rows=count,
            shared_hit=hit,
            shared_read=read,
            query=" ".join(query.split()),
        )
        for total, mean, calls, count, hit, read, query in rows
    ]


def reset_statements() -> None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_stat_statements_reset()")
    except DatabaseError as exc:
        raise StatementsUnavailable(_reason(exc)) from None


def _reason(exc: DatabaseError) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else "unknown"
    if "shared_preload_libraries" in text:
        return (
            "pg_stat_statements is not loaded: add it to shared_preload_libraries "
            "and restart PostgreSQL (the embedded server: pantry db stop)"
        )
    if "does not exist" in text:
        return "pg_stat_statements is not installed: run pantry migrate"
    return f"cannot read pg_stat_statements: {text}"
