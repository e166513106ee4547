"""Requests through a real PgBouncer in transaction mode.

pytest-django's own database setup talks to PostgreSQL directly (PgBouncer
would keep the test database busy); a production server in a subprocess
talks to the test database through PgBouncer.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from pantry.core.services import create_token
from pantry.platform.embedded import SYSTEM_USER, open_path_to
from tests.helpers import free_port, http, production_server, require_tool

pytestmark = pytest.mark.pgbouncer


@pytest.fixture
def pgbouncer(tmp_path: Path, transactional_db: None) -> Iterator[int]:
    binary = require_tool(
        os.environ.get("PANTRY_PGBOUNCER_BIN")
        or shutil.which("pgbouncer")
        or "/usr/sbin/pgbouncer",
        name="pgbouncer",
        install="apt-get install pgbouncer",
    )
    db = connection.settings_dict
    port = free_port()
    folder = tmp_path / "pgbouncer"
    folder.mkdir()
    target = f"host={db['HOST'] or '127.0.0.1'} port={db['PORT'] or 5432} user={db['USER'] or 'postgres'}"
    (folder / "pgbouncer.ini").write_text(
        f"""[databases]
* = {target}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = any
admin_users = postgres
pool_mode = transaction
default_pool_size = 5
max_client_conn = 200
ignore_startup_parameters = extra_float_digits,options
logfile = {folder}/pgbouncer.log
pidfile = {folder}/pgbouncer.pid
"""
    )
    command = [binary, "-d", str(folder / "pgbouncer.ini")]
    if os.geteuid() == 0:
        # PgBouncer refuses root; the embedded server's user can also reach
        # its unix socket.
        user = SYSTEM_USER if _exists(SYSTEM_USER) else "postgres"
        entry = pwd.getpwnam(user)
        os.chown(folder, entry.pw_uid, entry.pw_gid)
        open_path_to(folder)
        command[1:1] = ["-u", user]
    subprocess.run(command, check=True, capture_output=True, timeout=30)
    pid_file = folder / "pgbouncer.pid"
    deadline = time.monotonic() + 10
    while not pid_file.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield port
    finally:
        if pid_file.exists():
            os.kill(int(pid_file.read_text()), signal.SIGINT)


def _exists(user: str) -> bool:
    try:
        pwd.getpwnam(user)
    except KeyError:
        return False
    return True


def test_requests_run_through_pgbouncer_in_transaction_mode(pgbouncer):
    token = create_token(username="ada")
    name = connection.settings_dict["NAME"]
    env = {
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{pgbouncer}/{name}",
        "PANTRY_PGBOUNCER": "1",
    }

    with production_server(env, workers=1, threads=8) as base:
        ready = http("GET", base + "/readyz")
        with ThreadPoolExecutor(8) as pool:
            responses = list(
                pool.map(
                    lambda _: http("GET", base + "/api/v1/me", token=token), range(80)
                )
            )

    assert ready.status == 200
    assert {r.status for r in responses} == {200}
    assert {r.body["username"] for r in responses} == {"ada"}
    with psycopg.connect(
        host="127.0.0.1",
        port=pgbouncer,
        user="postgres",
        dbname="pgbouncer",
        autocommit=True,
    ) as admin:
        cursor = admin.cursor()
        cursor.execute("SHOW STATS")
        columns = [c.name for c in cursor.description]
        stats = {
            row[0]: dict(zip(columns, row, strict=True)) for row in cursor.fetchall()
        }
    assert stats[name]["total_xact_count"] >= 81
