"""Pages and responses cached under generations: never stale.

Every committed write to a watched table (``core_watch_table`` in each
app's migrations) moves a generation, a counter in PostgreSQL (core
migration 0006): "content" for most, or one an app adds for changes only
some pages show (catalog's "catalog_stock"). A cached value is stored under
the generations read *before* it was built, so it holds that data or
newer; once a write commits, every later request reads a new generation
and misses. A value that changes by itself with time (a promotion starting,
a post going public) is kept only until the next such moment, which the
caller names.

Nothing is cached inside a transaction: a transaction that has written
sees its own bump before it commits, and could roll it back. Each worker
keeps its values in the ``pages`` cache (local memory, bounded by
``PANTRY_PAGE_CACHE_ENTRIES``; 0 turns caching off), and builds a missing
value once: its other threads wait for it rather than build it too.
Design: docs/performance.md.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db import connections, router
from django.db.models import Model
from django.utils import timezone

CONTENT = ("content",)
_READ = (
    "SELECT array_agg(name ORDER BY name), array_agg(total ORDER BY name),"
    " ({vary}) FROM (SELECT name, sum(n) AS total FROM core_generation"
    " WHERE name = ANY(%s) GROUP BY name) AS g"
)
_MISSING = object()
_building: dict[str, threading.Lock] = {}
_building_lock = threading.Lock()


def generations(
    alias: str,
    names: Sequence[str] = CONTENT,
    vary: tuple[str, Sequence[Any]] | None = None,
) -> str | None:
    """The named generations on ``alias`` (and ``vary``'s value) as one key,
    or None where nothing may be cached: caching off, or inside a
    transaction."""
    if not settings.PANTRY_PAGE_CACHE_ENTRIES:
        return None
    connection = connections[alias]
    if connection.in_atomic_block:
        return None
    vary_sql, vary_params = vary or ("NULL", ())
    # One statement, so one snapshot: the generations and the varying value
    # are read together. vary_sql is the caller's fixed SQL (values are
    # parameters).
    sql = _READ.format(vary=vary_sql)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*vary_params, list(names)])
        found_names, totals, varying = cursor.fetchone()
    if sorted(found_names or ()) != sorted(names):
        return None
    key = ".".join(f"{n}={t}" for n, t in zip(found_names, totals, strict=True))
    return key if vary is None else f"{key}:{varying}"


def cached[T](
    name: str,
    key: str,
    build: Callable[[], T],
    *,
    model: type[Model],
    until: Callable[[], datetime | None],
    watch: Sequence[str] = CONTENT,
    vary: tuple[str, Sequence[Any]] | None = None,
) -> T:
    """``build()``, or what it gave for ``key`` at these generations.

    ``model`` names the data read (its database alias, with read replicas,
    is the one the generations are read from); ``watch`` names the
    generations whose writes change the value; ``vary``, a scalar SQL
    subquery and its parameters, what else it depends on that a generation
    would track too coarsely (one product's stock, where "catalog_stock"
    moves with every order); ``until()`` is when it next
    changes without a write, or None. ``until`` is called before ``build``
    so that a moment passing while the value is built cuts its life short
    rather than extend it. An exception from either caches nothing.
    """
    alias = router.db_for_read(model)
    current = generations(alias, watch, vary)
    if current is None:
        return build()
    digest = hashlib.blake2b(
        f"{current}\0{key}".encode("utf-8", "surrogatepass"), digest_size=16
    ).hexdigest()
    full_key = f"{name}:{alias}:{digest}"
    store = caches["pages"]
    found: Any = store.get(full_key, _MISSING)
    if found is not _MISSING:
        return found
    with _building_lock:
        lock = _building.setdefault(full_key, threading.Lock())
    with lock:
        try:
            found = store.get(full_key, _MISSING)
            if found is not _MISSING:
                return found
            changes_at = until()
            value = build()
            timeout = None
            if changes_at is not None:
                timeout = (changes_at - timezone.now()).total_seconds()
            if timeout is None or timeout > 0:
                store.set(full_key, value, timeout)
            return value
        finally:
            with _building_lock:
                if _building.get(full_key) is lock:
                    del _building[full_key]
