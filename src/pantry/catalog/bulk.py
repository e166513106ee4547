"""Helpers for bulk loads: drop and rebuild indexes, reset identity sequences.

Loading a large share of a table row by row into its indexes costs far more
than building each index once, sorted, after the load; the same holds for
foreign keys, checked per row by triggers but validated by one join when
added afterwards. Call these inside a transaction: the drop, the load and
the rebuild then commit together, and a failure restores everything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, ExitStack, contextmanager
from typing import Any, Protocol

from psycopg import sql

from pantry.catalog.models import LOW_STOCK
from pantry.core.bulk import triggers_disabled

# Secondary indexes and the constraints that own an index (unique,
# exclusion), without the primary key; then foreign keys declared on the
# table. Definitions come back in a form that recreates them.
_INDEX_SQL = """
SELECT ir.relname, c.conname, pg_get_constraintdef(c.oid),
       pg_get_indexdef(i.indexrelid), i.indisunique
FROM pg_index i
JOIN pg_class ir ON ir.oid = i.indexrelid
LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid AND c.conrelid = i.indrelid
WHERE i.indrelid = %s::regclass AND NOT i.indisprimary
ORDER BY i.indexrelid
"""
_FOREIGN_KEY_SQL = """
SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY oid
"""


@contextmanager
def indexes_dropped(
    cursor: Any, tables: Sequence[str], *, keep_unique: bool = False
) -> Iterator[None]:
    """Drop secondary indexes and foreign keys of ``tables``; rebuild on exit.

    ``keep_unique`` keeps unique indexes (``ON CONFLICT`` needs them). Holds
    an exclusive lock on the tables until the transaction ends.
    """
    rebuild: list[sql.Composable] = []
    foreign_keys: list[sql.Composable] = []
    drop = sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}")
    # Definitions are PostgreSQL's own text (pg_get_*def), not user input.
    add = sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} {}")
    for table in tables:
        name_sql = sql.Identifier(table)
        cursor.execute(_FOREIGN_KEY_SQL, [table])
        for name, definition in cursor.fetchall():
            cursor.execute(drop.format(name_sql, sql.Identifier(name)))
            foreign_keys.append(
                add.format(name_sql, sql.Identifier(name), sql.SQL(definition))
            )
        cursor.execute(_INDEX_SQL, [table])
        for index, constraint, constraint_def, index_def, unique in cursor.fetchall():
            if unique and keep_unique:
                continue
            if constraint:
                cursor.execute(drop.format(name_sql, sql.Identifier(constraint)))
                rebuild.append(
                    add.format(
                        name_sql, sql.Identifier(constraint), sql.SQL(constraint_def)
                    )
                )
            else:
                cursor.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(index)))
                rebuild.append(sql.SQL(index_def))
    yield
    for statement in rebuild + foreign_keys:
        cursor.execute(statement)


# In product order, each row goes to the end of the primary key index.
_SUMMARY_SQL = """
INSERT INTO catalog_productsummary
    (product_id, category_id, price_min, price_max, has_stock)
SELECT v.product_id, p.category_id, min(v.price), max(v.price),
       bool_or(v.stock > 0)
FROM catalog_variant v JOIN catalog_product p ON p.id = v.product_id
GROUP BY v.product_id, p.category_id ORDER BY v.product_id
"""

_LOW_STOCK_SQL = f"""
INSERT INTO catalog_lowstockvariant (variant_id, sku, stock)
SELECT id, sku, stock FROM catalog_variant WHERE stock BETWEEN 1 AND {LOW_STOCK}
"""  # noqa: S608  a constant

# catalog migration 0003: they keep catalog_productsummary current.
SUMMARY_TRIGGERS = (
    "catalog_variant_inserted",
    "catalog_variant_updated",
    "catalog_variant_deleted",
    "catalog_variant_truncated",
)


@contextmanager
def summaries_deferred(cursor: Any, *, recompute: bool = True) -> Iterator[None]:
    """Recompute every product summary once, on exit, not per statement.

    The variant triggers that keep ``catalog_productsummary`` current are
    off inside (the audit triggers stay on: a load that changes prices is
    audited row by row); on a clean exit the summaries are rebuilt with one
    aggregate (unless the caller wrote them: ``recompute=False``), the
    low-stock rows the same triggers keep are recounted, and the triggers
    come back on. Locks the tables exclusively until the
    transaction ends.
    """
    with triggers_disabled(cursor, "catalog_variant", SUMMARY_TRIGGERS):
        yield
        if recompute:
            cursor.execute("TRUNCATE catalog_productsummary")
            cursor.execute(_SUMMARY_SQL)
        # The same triggers keep the low-stock rows: recounted in one scan.
        cursor.execute("TRUNCATE catalog_lowstockvariant")
        cursor.execute(_LOW_STOCK_SQL)


# catalog migration 0021: they count each inserted product into
# catalog_facetcount, statement by statement.
FACET_INSERT_TRIGGERS = {
    "catalog_product": ("catalog_facets_insert",),
    "catalog_productsummary": ("catalog_facets_insert",),
}


@contextmanager
def facets_recounted(cursor: Any) -> Iterator[None]:
    """Count the facets once, on a clean exit, instead of per insert.

    The insert triggers of the facet counts are off inside (update and
    delete triggers stay on: their counts are overwritten by the recount);
    ``catalog_facets_rebuild()`` counts every product afresh at the end.
    """
    with ExitStack() as stack:
        for table, names in FACET_INSERT_TRIGGERS.items():
            stack.enter_context(triggers_disabled(cursor, table, names))
        yield
    cursor.execute("SELECT catalog_facets_rebuild()")


class InsertHook(Protocol):
    """Told of the products a bulk load inserts into an empty catalog, so
    that an app keeping rows derived from them (search's lexicon) counts
    them once instead of by its triggers."""

    def start(self) -> None:
        """Called in the loading transaction before the first insert."""

    def add(self, products: Iterable[tuple[str, Sequence[str], bool]]) -> None:
        """``(name, tags, is_active)`` of products inserted."""

    def finish(self) -> None:
        """Called in the loading transaction once all rows are in."""


# Apps above the catalog register here (catalog never imports them): each
# factory is a context manager yielding an InsertHook, e.g. search's
# ``bulk_load``. Loaders that run without a caller to pass hooks (the seed)
# enter every registered one.
INSERT_HOOKS: list[Callable[[], AbstractContextManager[InsertHook]]] = []


def register_insert_hook(
    factory: Callable[[], AbstractContextManager[InsertHook]],
) -> None:
    if factory not in INSERT_HOOKS:
        INSERT_HOOKS.append(factory)


def reset_sequence(cursor: Any, table: str, column: str = "id") -> None:
    """Point the identity sequence of ``table.column`` past its largest value."""
    cursor.execute(
        sql.SQL(
            "SELECT setval(pg_get_serial_sequence(%s, %s), "
            "coalesce((SELECT max({}) FROM {}), 0) + 1, false)"
        ).format(sql.Identifier(column), sql.Identifier(table)),
        [table, column],
    )
