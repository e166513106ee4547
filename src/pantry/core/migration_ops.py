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
