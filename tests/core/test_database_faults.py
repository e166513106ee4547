"""A real server process against a real PostgreSQL that is stopped or paused.

The database is a cluster of its own (not the test database), so stopping
it, pausing it with SIGSTOP or holding its locks touches no other test.
Every wait is bounded: a down or hung database is a 503 with Retry-After,
never a 500, never a hang, and the site recovers once it is back.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest

from pantry.platform.embedded import EmbeddedPostgres
from tests.helpers import ROOT, free_port, http, production_server
from tests.platform.processes import descendants, wait_for

# Seconds a request may take while the database is down or hung: the
# default web limits (statement_timeout 5 s plus 0.5 s of grace, pool 3 s)
# and a margin for a loaded machine.
BOUND = 7.5


@dataclass
class Site:
    base: str
    database: EmbeddedPostgres
    token: str

    def timed(self, method: str, path: str, **kwargs: Any) -> tuple[Any, float]:
        start = time.monotonic()
        response = http(method, self.base + path, **kwargs)
        return response, time.monotonic() - start

    def postgres_processes(self) -> list[int]:
        pid = self.database.pid()
        assert pid is not None
        return [pid, *descendants(pid)]

    def up(self) -> bool:
        return http("GET", self.base + "/api/v1/products").status == 200


def _manage(url: str, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "pantry.platform.cli", *args],
        env={**os.environ, "DATABASE_URL": url},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return result.stdout


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    database = EmbeddedPostgres(
        Path(tmp_path_factory.mktemp("faults")) / "pgdata", port=free_port()
    )
    database.ensure_running()
    try:
        url = database.url()
        _manage(url, "migrate", "-v0")
        token = _manage(url, "token", "create", "staff").strip().splitlines()[-1]
        env = {"DATABASE_URL": url, "PANTRY_LOG_LEVEL": "ERROR"}
        with production_server(env, workers=1, threads=4) as base:
            site = Site(base=base, database=database, token=token)
            category = http(
                "POST",
                base + "/api/v1/categories",
                token=token,
                data={"slug": "kitchen", "name": "Kitchen", "parent": None},
            )
            assert category.status == 201, category.body
            created = http(
                "POST",
                base + "/api/v1/products",
                token=token,
                data={
                    "name": "Mug",
                    "category": "kitchen",
                    "variants": [{"sku": "MUG-1", "price": "9.00", "stock": 5}],
                },
            )
            assert created.status == 201, created.body
            yield site
    finally:
        with contextlib.suppress(Exception):
            for pid in [database.pid() or 0, *descendants(database.pid() or 0)]:
                if pid:
                    os.kill(pid, signal.SIGCONT)
        database.stop()


def _assert_unavailable_json(response: Any) -> None:
    assert response.status == 503
    assert response.body["error"] == "unavailable"
    assert response.body["detail"]
    assert int(response.headers["Retry-After"]) > 0


def _assert_unavailable_page(response: Any) -> None:
    assert response.status == 503
    assert "Error 503" in response.body.decode()
    assert int(response.headers["Retry-After"]) > 0


@contextlib.contextmanager
def paused(site: Site) -> Iterator[None]:
    """Every PostgreSQL process stopped (SIGSTOP): connections stay open, mute."""
    processes = site.postgres_processes()
    for pid in processes:
        os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        for pid in processes:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)


def test_a_paused_database_is_503_in_bounded_time_and_the_site_recovers(site):
    assert site.up()

    with paused(site):
        api, api_seconds = site.timed("GET", "/api/v1/products")
        page, page_seconds = site.timed("GET", "/products/")
        ready, ready_seconds = site.timed("GET", "/readyz")
        health = http("GET", site.base + "/healthz")

    _assert_unavailable_json(api)
    assert api_seconds < BOUND
    _assert_unavailable_page(page)
    assert page_seconds < BOUND
    assert ready.status == 503
    assert ready.body["reason"].startswith("database: ")
    assert ready_seconds < 2
    assert health.status == 200
    wait_for(site.up, 15, "the site to answer 200 after SIGCONT")
    assert http("GET", site.base + "/readyz").status == 200


def test_a_stopped_database_is_503_in_bounded_time_and_the_site_recovers(site):
    assert site.up()

    site.database.stop()
    try:
        api, api_seconds = site.timed("GET", "/api/v1/products/mug")
        page, page_seconds = site.timed("GET", "/products/")
        ready, ready_seconds = site.timed("GET", "/readyz")
        write, write_seconds = site.timed(
            "PATCH", "/api/v1/variants/MUG-1", token=site.token, data={"stock": 7}
        )
    finally:
        site.database.ensure_running()

    _assert_unavailable_json(api)
    assert api_seconds < BOUND
    _assert_unavailable_page(page)
    assert page_seconds < BOUND
    assert ready.status == 503
    assert ready_seconds < 2
    _assert_unavailable_json(write)
    assert write_seconds < BOUND
    wait_for(site.up, 15, "the site to answer 200 after a restart")
    variant = http("GET", site.base + "/api/v1/products/mug").body["variants"][0]
    assert variant["stock"] == 5


@contextlib.contextmanager
def holding(site: Site, sql: str) -> Iterator[None]:
    """Another session holds the locks ``sql`` takes until the block ends."""
    with psycopg.connect(**site.database.conninfo()) as other:
        other.execute(sql)
        try:
            yield
        finally:
            other.rollback()


def test_a_write_waiting_on_a_locked_row_is_503_after_lock_timeout(site):
    locked = "SELECT 1 FROM catalog_variant WHERE sku = 'MUG-1' FOR UPDATE"

    with holding(site, locked):
        write, seconds = site.timed(
            "PATCH", "/api/v1/variants/MUG-1", token=site.token, data={"stock": 9}
        )

    _assert_unavailable_json(write)
    # lock_timeout is 2 s by default.
    assert 1.5 < seconds < BOUND
    variant = http("GET", site.base + "/api/v1/products/mug").body["variants"][0]
    assert variant["stock"] == 5
    assert http(
        "PATCH", site.base + "/api/v1/variants/MUG-1", token=site.token,
        data={"stock": 5},
    ).status == 200  # fmt: skip


def test_reads_behind_a_table_lock_are_503_after_lock_timeout(site):
    with holding(site, "LOCK TABLE catalog_product IN ACCESS EXCLUSIVE MODE"):
        api, api_seconds = site.timed("GET", "/api/v1/products")
        page, page_seconds = site.timed("GET", "/products/")

    _assert_unavailable_json(api)
    assert api_seconds < BOUND
    _assert_unavailable_page(page)
    assert page_seconds < BOUND
    assert site.up()
