"""200 concurrent clients on a mixed storefront and API workload against a
database limited to 30 connections: through PgBouncer (transaction mode,
pool of 20) and direct with the in-app pool.

The limit is the CONNECTION LIMIT of the role the servers log in as (the
bench server's own max_connections stays as it is for the other cases,
and superusers are exempt from limits); a connection over it is refused as
one over max_connections would be.
"""

from __future__ import annotations

import http.client
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

from bench.harness import (
    Bench,
    extra_server,
    free_port,
    percentile,
    psql,
)

CLIENTS = 200
LIMIT = 30
POOL = 20
WORKERS = 4
ROLE = "pantry_bench_limited"


PATHS = [
    "/products/",
    "/api/v1/products?limit=20",
    "/api/v1/products?sort=price&limit=20",
    "/api/v1/search?q=tea",
    "/api/v1/search/suggest?q=co",
    "/api/v1/posts?limit=10",
    "/api/v1/categories",
    "/journal/",
]


@contextmanager
def _pgbouncer(socket_dir: str, port: int, pg_port: int) -> Iterator[int]:
    binary = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
    if not os.path.exists(binary):
        raise RuntimeError("pgbouncer is not installed (apt-get install pgbouncer)")
    folder = Path(tempfile.mkdtemp(prefix="pantry-bench-pgbouncer-"))
    (folder / "pgbouncer.ini").write_text(
        f"""[databases]
* = host={socket_dir} port={pg_port} user={ROLE}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = any
pool_mode = transaction
default_pool_size = {POOL}
max_client_conn = 2000
ignore_startup_parameters = extra_float_digits,options
logfile = {folder}/pgbouncer.log
pidfile = {folder}/pgbouncer.pid
"""
    )
    command = [binary, "-d", str(folder / "pgbouncer.ini")]
    if os.geteuid() == 0:
        from pantry.platform.embedded import SYSTEM_USER, open_path_to

        entry = pwd.getpwnam(SYSTEM_USER)
        os.chown(folder, entry.pw_uid, entry.pw_gid)
        open_path_to(folder)
        command[1:1] = ["-u", SYSTEM_USER]
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
        shutil.rmtree(folder, ignore_errors=True)


def _load(port: int, paths: list[str], seconds: float) -> dict[str, Any]:
    latencies: list[float] = []
    errors: dict[str, int] = {}
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(number: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        i = number
        while time.monotonic() < stop:
            path = paths[i % len(paths)]
            i += 1
            start = time.perf_counter()
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                status = str(response.status)
            except OSError as exc:
                status = type(exc).__name__
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            elapsed = (time.perf_counter() - start) * 1000
            with lock:
                if status == "200":
                    latencies.append(elapsed)
                else:
                    errors[status] = errors.get(status, 0) + 1
        conn.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    done = len(latencies) + sum(errors.values())
    return {
        "requests_per_s": round(done / elapsed, 1),
        "p50_ms": round(percentile(latencies, 50), 1) if latencies else None,
        "p99_ms": round(percentile(latencies, 99), 1) if latencies else None,
        "errors": sum(errors.values()),
        "error_kinds": errors,
        "requests": done,
    }


def run(bench: Bench) -> None:
    from pantry.platform.embedded import EmbeddedPostgres

    seconds = 10.0 if bench.scale == "small" else 30.0
    paths = PATHS
    server = EmbeddedPostgres(Path(bench.env["PANTRY_DATA_DIR"]))
    status = server.status()
    url = server.url()
    psql(
        url,
        f"DROP ROLE IF EXISTS {ROLE}; CREATE ROLE {ROLE} LOGIN CONNECTION LIMIT {LIMIT};"
        f" GRANT USAGE ON SCHEMA public TO {ROLE};"
        f" GRANT ALL ON ALL TABLES IN SCHEMA public TO {ROLE};"
        f" GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {ROLE};",
    )
    try:
        with _pgbouncer(str(status.socket_dir), free_port(), status.port) as bouncer:
            env = {
                **bench.env,
                "DATABASE_URL": f"postgres://{ROLE}@127.0.0.1:{bouncer}/pantry",
                "PANTRY_PGBOUNCER": "1",
            }
            port = free_port()
            with extra_server(env, port, workers=WORKERS, what="the load-test server"):
                through = _load(port, paths, seconds)
        host = quote(str(status.socket_dir), safe="")
        direct_env = {
            **bench.env,
            "DATABASE_URL": f"postgres://{ROLE}@{host}:{status.port}/pantry",
            "PANTRY_DB_POOL_MAX_SIZE": "10",
            "PANTRY_DB_POOL_TIMEOUT": "5",
        }
        port = free_port()
        with extra_server(
            direct_env, port, workers=WORKERS, what="the load-test server"
        ):
            direct = _load(port, paths, seconds)
    finally:
        psql(
            url,
            f"REASSIGN OWNED BY {ROLE} TO postgres; DROP OWNED BY {ROLE};"
            f" DROP ROLE {ROLE};",
        )
    setup = {"clients": CLIENTS, "connection_limit": LIMIT, "workers": WORKERS}
    bench.record(
        "pgbouncer.through_pgbouncer",
        through["requests_per_s"],
        "requests/s",
        target="zero errors",
        ok=through["errors"] == 0,
        pool=POOL,
        **setup,
        **through,
    )
    bench.record(
        "pgbouncer.direct_in_app_pool",
        direct["requests_per_s"],
        "requests/s",
        pool_per_process=10,
        **setup,
        **direct,
    )
