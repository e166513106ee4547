"""Pages and responses cached under the content generation: never stale.

Every committed write to a watched table (``core_watch_table`` in each
app's migrations) moves the content generation, a counter in PostgreSQL
(core migration 0006). A cached value is stored under the generation read
*before* it was built, so it holds that data or newer; once a write
commits, every later request reads a new generation and misses. A value
that changes by itself with time (a promotion starting, a post going
public) is kept only until the next such moment, which the caller names.

Nothing is cached inside a transaction: a transaction that has written
sees its own bump before it commits, and could roll it back. Each worker
keeps its values in the ``pages`` cache (local memory, bounded by
``PANTRY_PAGE_CACHE_ENTRIES``; 0 turns caching off). Design:
docs/performance.md.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db import connections, router
from django.db.models import Model
from django.utils import timezone

_MISSING = object()


def generation(alias: str) -> int | None:
    """The content generation on ``alias``, or None where nothing may be
    cached: caching off, or inside a transaction."""
    if not settings.PANTRY_PAGE_CACHE_ENTRIES:
        return None
    connection = connections[alias]
    if connection.in_atomic_block:
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT sum(n) FROM core_generation")
        row = cursor.fetchone()
    return int(row[0]) if row and row[0] is not None else None


def cached[T](
    name: str,
    key: str,
    build: Callable[[], T],
    *,
    model: type[Model],
    until: Callable[[], datetime | None],
) -> T:
    """``build()``, or what it gave for ``key`` at this content generation.

    ``model`` names the data read (its database alias, with read replicas,
    is the one the generation is read from); ``until()`` is when the value
    next changes without a write, or None. It is called before ``build`` so
    that a moment passing while the value is built cuts its life short
    rather than extend it. An exception from either caches nothing.
    """
    alias = router.db_for_read(model)
    current = generation(alias)
    if current is None:
        return build()
    digest = hashlib.blake2b(
        key.encode("utf-8", "surrogatepass"), digest_size=16
    ).hexdigest()
    full_key = f"{name}:{alias}:{current}:{digest}"
    store = caches["pages"]
    found: Any = store.get(full_key, _MISSING)
    if found is not _MISSING:
        return found
    changes_at = until()
    value = build()
    timeout = None
    if changes_at is not None:
        timeout = (changes_at - timezone.now()).total_seconds()
        if timeout <= 0:
            return value
    store.set(full_key, value, timeout)
    return value
