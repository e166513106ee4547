from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier
from typing import Any

import pytest
from django.db import connection


@pytest.fixture
def wide_pool(transactional_db: None) -> Iterator[int]:
    """Let every thread of a race hold its own pooled connection at once."""
    pool = connection.settings_dict["OPTIONS"].get("pool")
    saved = dict(pool) if isinstance(pool, dict) else pool
    connection.close()
    connection.close_pool()
    if isinstance(pool, dict):
        pool["max_size"] = 70
        pool["timeout"] = 60
    yield 70
    connection.close()
    connection.close_pool()
    if isinstance(pool, dict) and isinstance(saved, dict):
        pool.clear()
        pool.update(saved)


def race(action: Callable[[int], Any], clients: int) -> list[Any]:
    """Run ``action(i)`` in ``clients`` threads released together.

    Each thread uses its own database connection. Returns each result or
    the exception it raised, in thread order.
    """
    barrier = Barrier(clients)

    def run(i: int) -> Any:
        try:
            barrier.wait(timeout=30)
            return action(i)
        except Exception as exc:
            return exc
        finally:
            connection.close()

    with ThreadPoolExecutor(clients) as pool:
        return list(pool.map(run, range(clients)))
