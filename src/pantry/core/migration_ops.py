"""Operations migrations share (imported by migrations: keep them stable)."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import migrations


def drop_indexes_concurrently(indexes: Mapping[str, str]) -> list[migrations.RunSQL]:
    """Drop each index ``name`` without blocking writes; the reverse builds
    it again, concurrently, on ``target`` ("table (columns)").

    The migration needs ``atomic = False``: CONCURRENTLY cannot run in a
    transaction.
    """
    return [
        migrations.RunSQL(
            sql=f"DROP INDEX CONCURRENTLY IF EXISTS {name}",
            reverse_sql=f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {target}",
        )
        for name, target in indexes.items()
    ]


def paired_rows(table: str, key: str = "id") -> str:
    """FROM items that pair an UPDATE's transition tables by ``key``: ``n``
    the new row and ``o`` the old, in place of ``new_rows n JOIN old_rows o
    USING (key)``.

    PL/pgSQL plans a trigger's statement once a session and reuses the
    plan. A join of the two transition tables planned for a one-row update
    is a nested loop that reads one table once per row of the other, so the
    same backend's next update of 4,000 rows took minutes (docs/architecture.md,
    "Triggers"). One aggregate over both tables has no such plan at any size.
    """
    return (
        "(SELECT (array_agg(r.t) FILTER (WHERE r.new))[1] AS n,"  # noqa: S608  table and key are the migration's constants
        " (array_agg(r.t) FILTER (WHERE NOT r.new))[1] AS o"
        f" FROM (SELECT true AS new, t::{table} AS t FROM new_rows t"
        f" UNION ALL SELECT false, t::{table} FROM old_rows t) r"
        f" GROUP BY (r.t).{key} HAVING count(*) = 2) pair,"
        " LATERAL (SELECT (pair.n).*) n, LATERAL (SELECT (pair.o).*) o"
    )


# Up to this many rows an UPDATE's triggers keep their joins: a nested loop
# over that few is cheaper than the aggregate (~0.2 ms a one-row update).
FEW_ROWS = 64

_UPDATE_BRANCH = "\n    ELSE\n"
_END = "\n    END IF;\n    RETURN NULL;"


def few_or_paired(joined: str, paired: str) -> str:
    """A trigger function that runs ``joined``'s UPDATE branch (its last
    top-level ``ELSE``) for at most FEW_ROWS rows and ``paired``'s beyond.

    Each branch's statements get plans of their own, cached for the sizes
    that branch sees: the joins' for a few rows, the aggregates' for many.
    """

    def branch(sql: str) -> tuple[str, str]:
        start = sql.rindex(_UPDATE_BRANCH)
        end = sql.index(_END, start)
        return sql[:start], sql[start + len(_UPDATE_BRANCH) : end]

    head, few = branch(joined)
    _, many = branch(paired)
    return (
        f"{head}\n    ELSIF (SELECT count(*) FROM new_rows) <= {FEW_ROWS} THEN\n"  # noqa: S608  the migration's own SQL
        f"{few}{_UPDATE_BRANCH}{many}{joined[joined.index(_END, len(head)) :]}"
    )


def replaced(sql: str, *changes: tuple[str, str]) -> str:
    """``sql`` with each (old, new) replaced; every old text must occur."""
    for old, new in changes:
        if old not in sql:
            raise ValueError(f"not in the function: {old!r}")
        sql = sql.replace(old, new)
    return sql
