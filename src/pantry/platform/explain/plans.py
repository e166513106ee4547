"""Capture the SQL a query function runs and read its EXPLAIN ANALYZE plan."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction

# A sequential scan of a table with more rows than this is flagged.
LARGE_TABLE_ROWS = 10_000
# An estimate this many times off the actual row count is flagged...
ESTIMATE_FACTOR = 10
# ...when either count reaches this: 1 row estimated as 9 is noise.
ESTIMATE_MIN_ROWS = 100
_EXPLAINABLE = ("SELECT", "WITH", "UPDATE", "INSERT", "DELETE")


@dataclass(frozen=True)
class Statement:
    sql: str
    params: Any


@dataclass
class PlanReport:
    """What one statement's plan shows, and what in it is flagged."""

    name: str
    sql: str
    time_ms: float
    rows: int
    shared_hit: int
    shared_read: int
    indexes: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "time_ms": round(self.time_ms, 3),
            "rows": self.rows,
            "shared_hit": self.shared_hit,
            "shared_read": self.shared_read,
            "indexes": self.indexes,
            "flags": self.flags,
            "sql": self.sql,
        }


class _Rollback(Exception):
    pass


def capture(action: Callable[[], Any]) -> list[Statement]:
    """Run ``action`` in a transaction that is rolled back; return its SQL."""
    statements: list[Statement] = []

    def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if sql.lstrip().upper().startswith(_EXPLAINABLE) and not many:
            statements.append(Statement(sql, params))
        return execute(sql, params, many, context)

    try:
        with transaction.atomic(), connection.execute_wrapper(record):
            action()
            raise _Rollback
    except _Rollback:
        pass
    return statements


def explain(statement: Statement) -> dict[str, Any]:
    """The JSON plan of ``statement``, run for real and rolled back."""
    result: dict[str, Any] = {}
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            # The statement is the application's own, captured as it ran.
            cursor.execute(
                "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + statement.sql,
                statement.params,
            )
            raw = cursor.fetchone()[0]
            result = (json.loads(raw) if isinstance(raw, str) else raw)[0]
            raise _Rollback
    except _Rollback:
        pass
    return result


def _nodes(plan: dict[str, Any], limited: bool = False) -> Iterator[tuple[dict, bool]]:
    """Every node with whether a Limit above it may have stopped it early."""
    yield plan, limited
    below = limited or plan.get("Node Type") == "Limit"
    for child in plan.get("Plans", []):
        yield from _nodes(child, below)


def table_rows(names: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """PostgreSQL's row estimate (pg_class.reltuples) of each table."""
    if not names:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname, c.relname, greatest(c.reltuples, 0)::bigint"
            " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE (n.nspname, c.relname) IN (SELECT * FROM unnest(%s::text[],"
            " %s::text[]))",
            [[schema for schema, _ in names], [table for _, table in names]],
        )
        return {(schema, table): rows for schema, table, rows in cursor.fetchall()}


def analyse(name: str, statement: Statement, result: dict[str, Any]) -> PlanReport:
    """Time, rows, buffers, indexes and flags of one EXPLAIN result."""
    plan = result["Plan"]
    nodes = list(_nodes(plan))
    scanned = {
        (node.get("Schema", "public"), node["Relation Name"])
        for node, _ in nodes
        if node.get("Node Type") == "Seq Scan" and "Relation Name" in node
    }
    sizes = table_rows(scanned)
    report = PlanReport(
        name=name,
        sql=" ".join(statement.sql.split()),
        time_ms=float(result.get("Execution Time", 0.0)),
        rows=round(float(plan.get("Actual Rows", 0))),
        shared_hit=int(plan.get("Shared Hit Blocks", 0)),
        shared_read=int(plan.get("Shared Read Blocks", 0)),
    )
    for node, limited in nodes:
        if (index := node.get("Index Name")) and index not in report.indexes:
            report.indexes.append(index)
        loops = max(int(node.get("Actual Loops", 1)), 1)
        if node.get("Node Type") == "Seq Scan" and "Relation Name" in node:
            table = node["Relation Name"]
            read = float(node.get("Actual Rows", 0)) + float(
                node.get("Rows Removed by Filter", 0)
            )
            known = sizes.get((node.get("Schema", "public"), table), 0)
            rows = max(known, round(read * loops))
            if rows > LARGE_TABLE_ROWS:
                report.flags.append(f"sequential scan of {table} ({rows:,} rows)")
        if limited or node.get("Actual Loops", 1) == 0:
            continue
        estimated = round(float(node.get("Plan Rows", 0)))
        actual = round(float(node.get("Actual Rows", 0)))
        low, high = sorted((max(estimated, 1), max(actual, 1)))
        if high >= ESTIMATE_MIN_ROWS and high > ESTIMATE_FACTOR * low:
            report.flags.append(
                f"{node['Node Type']} estimated {estimated:,} rows, got {actual:,}"
            )
    return report


def explain_action(name: str, action: Callable[[], Any]) -> list[PlanReport]:
    """Reports of every statement ``action`` runs, named ``name``, ``name#2``..."""
    reports = []
    for number, statement in enumerate(capture(action), start=1):
        label = name if number == 1 else f"{name}#{number}"
        reports.append(analyse(label, statement, explain(statement)))
    return reports
