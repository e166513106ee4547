"""Writes of the search app: the language of the ``pantry`` configuration, the lexicon.

Changing the language
    Every stored vector and every query uses the ``pantry`` text search
    configuration: ``unaccent`` then a stemmer (English from core migration
    0003). :func:`apply_search_config` swaps that stemmer for the one of
    another PostgreSQL configuration (``german``, ``french``, ``simple``, ...:
    ``PANTRY_SEARCH_CONFIG``) with ``ALTER MAPPING REPLACE``, so ``unaccent``
    stays first, then recomputes the stored vectors batch by batch (a stored
    generated column is recomputed when a column it reads is assigned). Until
    it finishes, rows not yet recomputed keep their old stems: run it in a
    quiet hour on a big catalog. The name/title word indexes of
    search-as-you-type are rebuilt last. Lexicon words are unstemmed, so they
    stay.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection, transaction

from pantry.core.textsearch import SEARCH_CONFIG
from pantry.search.errors import UnknownSearchConfig

# Token types whose dictionaries a stemmer swap replaces (those of `english`).
_RECOMPUTE = (
    ("catalog_product", "name"),
    ("journal_post", "title"),
)
BATCH_SIZE = 20_000


_STEMMER_SQL = """
SELECT d.dictname FROM pg_ts_config_map AS m
JOIN pg_ts_config AS c ON c.oid = m.mapcfg
JOIN pg_ts_dict AS d ON d.oid = m.mapdict
JOIN ts_token_type('default') AS t ON t.tokid = m.maptokentype
WHERE c.cfgname = %s AND t.alias = 'asciiword'
ORDER BY m.mapseqno DESC LIMIT 1
"""


def _stemmer(config: str) -> str | None:
    """The last dictionary ``config`` maps plain words to, or None."""
    with connection.cursor() as cursor:
        cursor.execute(_STEMMER_SQL, [config])
        row = cursor.fetchone()
    return str(row[0]) if row else None


def current_stemmer() -> str:
    """The dictionary the ``pantry`` configuration stems plain words with."""
    return _stemmer("pantry") or ""


def stemmer_of(config: str) -> str:
    """The dictionary configuration ``config`` stems plain words with.

    Raises UnknownSearchConfig when PostgreSQL has no such configuration
    (``pantry`` itself is not one to copy from).
    """
    stemmer = _stemmer(config) if config != SEARCH_CONFIG else None
    if stemmer is None:
        raise UnknownSearchConfig(
            f"PostgreSQL has no text search configuration {config!r} "
            "(see \\dF in psql)."
        )
    return stemmer


def apply_search_config(
    *,
    config: str,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[str], None] | None = None,
) -> bool:
    """Make the ``pantry`` configuration stem like ``config``; recompute vectors.

    Returns False when it already does (nothing is written). Each batch
    commits on its own, so an interrupted run can be started again.
    """
    wanted = stemmer_of(config)
    current = current_stemmer()
    if wanted == current:
        return False
    with transaction.atomic(), connection.cursor() as cursor:
        # Identifiers from the catalog tables, not from the user: quoting
        # them keeps odd names harmless anyway.
        cursor.execute(
            "SELECT format('ALTER TEXT SEARCH CONFIGURATION pantry "
            "ALTER MAPPING REPLACE %%I WITH %%I', %s::text, %s::text)",
            [current, wanted],
        )
        (statement,) = cursor.fetchone()
        cursor.execute(statement)
    for table, column in _RECOMPUTE:
        recompute_vectors(
            table=table, column=column, batch_size=batch_size, progress=progress
        )
    reindex_title_words()
    return True


def reindex_title_words() -> None:
    """Rebuild the name/title word indexes (search migration 0003)."""
    # CONCURRENTLY keeps writes flowing but cannot run inside a transaction.
    how = "" if connection.in_atomic_block else " CONCURRENTLY"
    with connection.cursor() as cursor:
        for index in ("search_product_name_gin", "search_post_title_gin"):
            cursor.execute(f"REINDEX INDEX{how} {index}")


def recompute_vectors(
    *,
    table: str,
    column: str,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[str], None] | None = None,
) -> int:
    """Recompute ``table``'s stored search vectors in id batches; return rows seen."""
    done = 0
    last_id = 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"""
                WITH batch AS (
                    SELECT id FROM {table} WHERE id > %s ORDER BY id LIMIT %s
                )
                UPDATE {table} AS t SET {column} = t.{column}
                FROM batch WHERE t.id = batch.id
                RETURNING t.id
                """,  # noqa: S608  table and column names from the module's own constants
                [last_id, batch_size],
            )
            ids = [row[0] for row in cursor.fetchall()]
        if not ids:
            return done
        done += len(ids)
        last_id = max(ids)
        if progress:
            progress(f"{table}: {done} rows")


def rebuild_lexicon() -> int:
    """Recount the search lexicon from every product and post; return its size."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("LOCK TABLE search_lexicon IN EXCLUSIVE MODE")
        cursor.execute("SELECT search_rebuild_lexicon()")
        (size,) = cursor.fetchone()
    return int(size)
