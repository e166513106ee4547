"""Read replicas against a real streaming replica (pg_basebackup -R).

The servers run in subprocesses on the test database; data is committed
(transactional tests) so the replica sees it once it has replayed it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings

from pantry.core.services import create_token
from pantry.platform.embedded import EmbeddedPostgres
from pantry.platform.replica_server import create_streaming_replica
from pantry.platform.replicas import COOKIE, HEADER, SERVED_BY, choose_replica
from tests.factories import CategoryFactory, ProductFactory
from tests.helpers import free_port, http, production_server

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not settings.EMBEDDED_DATABASE, reason="clones the embedded server"
    ),
]
LSN = re.compile(r"^[0-9A-F]+/[0-9A-F]+$")


@pytest.fixture(scope="module")
def replica() -> Iterator[EmbeddedPostgres]:
    # Beside the primary's data, which the server's system user can reach.
    folder = EmbeddedPostgres().data_dir.parent / f"test-replica-{uuid.uuid4().hex[:8]}"
    try:
        server = create_streaming_replica(
            EmbeddedPostgres(), folder / "pgdata", port=free_port()
        )
        try:
            yield server
        finally:
            server.stop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def on_replica(replica: EmbeddedPostgres, query: str) -> Any:
    info = replica.conninfo(connection.settings_dict["NAME"])
    with psycopg.connect(**info, autocommit=True) as conn:  # type: ignore[arg-type]
        row = conn.execute(query).fetchone()
    return row[0] if row else None


def caught_up(replica: EmbeddedPostgres) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        target = cursor.fetchone()[0]
    deadline = time.monotonic() + 10
    while not on_replica(replica, f"SELECT pg_last_wal_replay_lsn() >= '{target}'"):
        assert time.monotonic() < deadline, "the replica did not catch up"
        time.sleep(0.05)


def server_env(replica_url: str, **extra: str) -> dict[str, str]:
    db = connection.settings_dict
    return {
        "PANTRY_ENV": "test",
        "DATABASE_URL": f"postgresql://postgres@/{db['NAME']}",
        "PGHOST": db["HOST"],
        "PGPORT": str(db["PORT"]),
        "DATABASE_REPLICA_URLS": replica_url,
        "PANTRY_LOG_LEVEL": "WARNING",
        **extra,
    }


def replica_url(replica: EmbeddedPostgres) -> str:
    return f"postgresql://postgres@127.0.0.1:{replica.port}/{connection.settings_dict['NAME']}"


@pytest.fixture
def product() -> str:
    return ProductFactory(slug="replicated-tea", category=CategoryFactory()).slug


def test_reads_go_to_a_replica_that_caught_up_and_writes_to_the_primary(
    replica: EmbeddedPostgres, product: str
):
    token = create_token(username="staff")
    category = CategoryFactory(slug="teas").slug
    caught_up(replica)

    with production_server(server_env(replica_url(replica))) as base:
        read = http("GET", f"{base}/api/v1/products/{product}")
        write = http(
            "POST",
            f"{base}/api/v1/products",
            token=token,
            data={"name": "Green Tea", "category": category},
        )

    assert (read.status, read.headers[SERVED_BY]) == (200, "replica_0")
    assert (write.status, write.headers[SERVED_BY]) == (201, "default")
    assert LSN.match(write.headers[HEADER])


def test_with_replay_paused_the_writer_reads_its_write_and_others_read_the_replica(
    replica: EmbeddedPostgres,
):
    token = create_token(username="staff")
    category = CategoryFactory(slug="teas").slug
    caught_up(replica)
    env = server_env(replica_url(replica), PANTRY_REPLICA_MAX_LAG="3600")
    on_replica(replica, "SELECT pg_wal_replay_pause()")
    try:
        with production_server(env) as base:
            write = http(
                "POST",
                f"{base}/api/v1/products",
                token=token,
                data={"name": "White Tea", "slug": "white-tea", "category": category},
            )
            lsn = {HEADER: write.headers[HEADER]}
            writer = http("GET", f"{base}/api/v1/products/white-tea", headers=lsn)
            other = http("GET", f"{base}/api/v1/products/white-tea")
    finally:
        on_replica(replica, "SELECT pg_wal_replay_resume()")

    assert write.status == 201
    assert (writer.status, writer.headers[SERVED_BY]) == (200, "default")
    assert writer.body["slug"] == "white-tea"
    assert (other.status, other.headers[SERVED_BY]) == (404, "replica_0")


def test_a_replica_lagging_more_than_the_setting_is_skipped(replica: EmbeddedPostgres):
    token = create_token(username="staff")
    category = CategoryFactory(slug="teas").slug
    caught_up(replica)
    env = server_env(replica_url(replica), PANTRY_REPLICA_MAX_LAG="0")
    on_replica(replica, "SELECT pg_wal_replay_pause()")
    try:
        with production_server(env) as base:
            http(
                "POST",
                f"{base}/api/v1/products",
                token=token,
                data={"name": "Black Tea", "slug": "black-tea", "category": category},
            )
            time.sleep(1.1)
            other = http("GET", f"{base}/api/v1/products/black-tea")
    finally:
        on_replica(replica, "SELECT pg_wal_replay_resume()")

    assert (other.status, other.headers[SERVED_BY]) == (200, "default")


def test_an_unreachable_replica_is_skipped_and_reads_use_the_primary(product: str):
    dead = f"postgresql://postgres@127.0.0.1:{free_port()}/pantry"

    with production_server(server_env(dead)) as base:
        started = time.monotonic()
        first = http("GET", f"{base}/api/v1/products/{product}")
        second = http("GET", f"{base}/api/v1/products/{product}")
        elapsed = time.monotonic() - started

    assert (first.status, first.headers[SERVED_BY]) == (200, "default")
    assert (second.status, second.headers[SERVED_BY]) == (200, "default")
    assert elapsed < 2


@override_settings(PANTRY_REPLICAS=["replica_unknown"])
def test_a_page_write_hands_the_position_out_in_a_cookie_and_the_api_in_a_header(
    client: Any, api: Any, staff_token: str
):
    from tests.factories import VariantFactory

    VariantFactory(sku="TEA-1")
    CategoryFactory(slug="teas")

    page = client.post("/cart/", {"action": "add", "sku": "TEA-1", "quantity": "1"})
    created = api.post(
        "products", {"name": "Oolong", "category": "teas"}, token=staff_token
    )

    assert page.status_code == 302
    assert LSN.match(page.cookies[COOKIE].value)
    assert HEADER not in page.headers
    assert created.status == 201
    assert LSN.match(created.headers[HEADER])
    assert choose_replica(None) == "default"


def run_pantry(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pantry.platform.cli", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_db_replicas_shows_a_replaying_replica(replica: EmbeddedPostgres):
    result = run_pantry(server_env(replica_url(replica)), "db_replicas")

    assert result.returncode == 0, result.stderr
    assert re.match(
        rf"^replica_0 127\.0\.0\.1:{replica.port}/\S+: replaying, [\d.]+ s behind$",
        result.stdout.strip(),
    )


def test_db_replicas_says_one_line_for_an_unreachable_replica_url():
    port = free_port()
    dead = f"postgresql://postgres@127.0.0.1:{port}/pantry"

    result = run_pantry(server_env(dead), "db_replicas")

    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"CommandError: cannot use replica replica_0 (127.0.0.1:{port}/pantry): "
        "unreachable or not in recovery"
    ]


def test_a_replica_url_that_is_not_postgres_is_a_configuration_error():
    result = run_pantry(server_env("mysql://shop@db/shop"), "db_replicas")

    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "pantry: configuration error: DATABASE_REPLICA_URLS: 'mysql://shop@db/shop' "
        "is not a postgres:// URL with a database"
    ]
