"""Reads through a real streaming replica against the primary alone.

The same read workload (API lists, detail, search, pages) with 16 clients,
once on a server with the primary only and once on one with
``DATABASE_REPLICA_URLS`` naming a hot standby cloned from the bench
database, while a writer changes stock on the primary so the replica has
WAL to replay. Reports requests/s, p50/p99, the share of reads the replica
served and its replay lag. On one machine the replica shares the cores:
the figure shows the routing's cost and correctness, not added capacity.
"""

from __future__ import annotations

import http.client
import shutil
import threading
import time
from pathlib import Path
from typing import Any

from bench.harness import (
    Bench,
    extra_server,
    free_port,
    percentile,
    psql,
)
from pantry.platform.replicas import SERVED_BY

CLIENTS = 16
WORKERS = 2
PATHS = [
    "/api/v1/products?limit=20",
    "/api/v1/products?sort=price&limit=20",
    "/api/v1/search?q=tea",
    "/api/v1/posts?limit=10",
    "/api/v1/categories",
    "/products/",
]


def _writer(url: str, stop: threading.Event) -> int:
    """Stock changes on the primary, a few a second, as a shop's would be."""
    writes = 0
    while not stop.is_set():
        psql(
            url,
            "UPDATE catalog_variant SET stock = stock + 1 WHERE id = "
            "(SELECT floor(random() * max(id))::bigint + 1 FROM catalog_variant)",
        )
        writes += 1
        stop.wait(0.2)
    return writes


def _load(port: int, seconds: float) -> dict[str, Any]:
    latencies: list[float] = []
    served: dict[str, int] = {}
    errors = 0
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(number: int) -> None:
        nonlocal errors
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        i = number
        while time.monotonic() < stop:
            path = PATHS[i % len(PATHS)]
            i += 1
            start = time.perf_counter()
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
            except OSError:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                with lock:
                    errors += 1
                continue
            elapsed = (time.perf_counter() - start) * 1000
            with lock:
                if response.status != 200:
                    errors += 1
                    continue
                latencies.append(elapsed)
                by = response.getheader(SERVED_BY) or "unknown"
                served[by] = served.get(by, 0) + 1
        conn.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    done = len(latencies)
    return {
        "requests_per_s": round((done + errors) / elapsed, 1),
        "p50_ms": round(percentile(latencies, 50), 1) if latencies else None,
        "p99_ms": round(percentile(latencies, 99), 1) if latencies else None,
        "errors": errors,
        "served_by": served,
        "replica_share": round(
            sum(n for by, n in served.items() if by.startswith("replica"))
            / max(done, 1),
            3,
        ),
    }


def _lag_ms(url: str) -> float:
    out = psql(
        url,
        "SELECT coalesce(max(extract(epoch FROM replay_lag) * 1000), 0) "
        "FROM pg_stat_replication",
    )
    return float(out.strip() or 0)


def run(bench: Bench) -> None:
    from pantry.platform.embedded import EmbeddedPostgres
    from pantry.platform.replica_server import create_streaming_replica

    seconds = 10.0 if bench.scale == "small" else 30.0
    primary = EmbeddedPostgres(Path(bench.env["PANTRY_DATA_DIR"]))
    url = primary.url()
    folder = primary.data_dir.parent / "bench-replica"
    shutil.rmtree(folder, ignore_errors=True)
    replica = create_streaming_replica(primary, folder / "pgdata", port=free_port())
    try:
        replica_url = f"postgresql://postgres@127.0.0.1:{replica.port}/pantry"
        results = {}
        for name, extra in (
            ("primary_only", {}),
            ("with_replica", {"DATABASE_REPLICA_URLS": replica_url}),
        ):
            stop = threading.Event()
            writes: list[int] = []
            writer = threading.Thread(
                target=lambda: writes.append(_writer(url, stop))  # noqa: B023
            )
            writer.start()
            port = free_port()
            lags: list[float] = []
            try:
                with extra_server(
                    {**bench.env, **extra},
                    port,
                    workers=WORKERS,
                    what="the replica bench server",
                ):
                    results[name] = _load(port, seconds)
                    lags.append(_lag_ms(url))
            finally:
                stop.set()
                writer.join()
            results[name]["writes"] = writes[0] if writes else 0
            results[name]["replay_lag_ms"] = round(max(lags or [0.0]), 1)
    finally:
        replica.stop()
        shutil.rmtree(folder, ignore_errors=True)
    setup = {"clients": CLIENTS, "workers": WORKERS, "seconds": seconds}
    with_replica = results["with_replica"]
    bench.record(
        "replicas.primary_only",
        results["primary_only"]["requests_per_s"],
        "requests/s",
        **setup,
        **results["primary_only"],
    )
    bench.record(
        "replicas.with_replica",
        with_replica["requests_per_s"],
        "requests/s",
        target="zero errors, reads served by the replica",
        ok=with_replica["errors"] == 0 and with_replica["replica_share"] > 0.5,
        **setup,
        **with_replica,
    )
