# Long on purpose: every case leans on these few primitives, read together.
"""The benchmark harness: a production-mode server on the embedded database,
HTTP timing read from Server-Timing, whole-command timing with peak RSS, and
one JSON file of results."""

from __future__ import annotations

import http.client
import json
import os
import platform
import re
import secrets
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
TIMING = re.compile(r"app;dur=([\d.]+)")
DB_TIMING = re.compile(r'db;dur=([\d.]+);desc="(\d+) queries"')


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


@dataclass
class Timings:
    server_ms: list[float] = field(default_factory=list)
    client_ms: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)

    def add(
        self,
        status: int,
        client_ms: float,
        server_ms: float | None = None,
        queries: int | None = None,
    ) -> None:
        """One response: its status, client time, and what Server-Timing said."""
        self.statuses[status] = self.statuses.get(status, 0) + 1
        self.client_ms.append(client_ms)
        if server_ms is not None:
            self.server_ms.append(server_ms)
        if queries is not None:
            self.queries.append(queries)

    def summary(self) -> dict[str, Any]:
        return {
            "requests": len(self.client_ms),
            "server_median_ms": round(statistics.median(self.server_ms), 2)
            if self.server_ms
            else None,
            "server_p99_ms": round(percentile(self.server_ms, 99), 2)
            if self.server_ms
            else None,
            "client_median_ms": round(statistics.median(self.client_ms), 2)
            if self.client_ms
            else None,
            "client_p99_ms": round(percentile(self.client_ms, 99), 2)
            if self.client_ms
            else None,
            "queries": max(self.queries) if self.queries else None,
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
        }


class Bench:
    """What a benchmark case gets: the server, the CLI and a place for results."""

    def __init__(self, *, scale: str, base_url: str, env: dict[str, str]):
        self.scale = scale
        self.base_url = base_url
        self.env = env
        self.results: list[dict[str, Any]] = []
        host, port = base_url.removeprefix("http://").split(":")
        self.host, self.port = host, int(port)

    # -- recording -------------------------------------------------------
    def record(
        self,
        name: str,
        value: float | None,
        unit: str,
        *,
        target: str | None = None,
        ok: bool | None = None,
        **details: Any,
    ) -> None:
        entry = {
            "name": name,
            "value": value,
            "unit": unit,
            "target": target,
            "ok": ok,
            **details,
        }
        self.results.append(entry)
        verdict = "" if ok is None else ("  ok" if ok else "  MISSED")
        shown = f"{value:.2f}" if isinstance(value, float) else str(value)
        print(
            f"  {name}: {shown} {unit}"
            + (f" (target {target})" if target else "")
            + verdict,
            flush=True,
        )

    # -- HTTP ------------------------------------------------------------
    def request(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        headers: dict[str, str] | None = None,
        conn: http.client.HTTPConnection | None = None,
    ) -> tuple[int, bytes, float, float | None, int | None]:
        own = conn is None
        conn = conn or http.client.HTTPConnection(self.host, self.port, timeout=60)
        payload = json.dumps(body).encode() if body is not None else None
        head = {"Content-Type": "application/json"} if payload is not None else {}
        head.update(headers or {})
        start = time.perf_counter()
        conn.request(method, path, body=payload, headers=head)
        response = conn.getresponse()
        data = response.read()
        elapsed = (time.perf_counter() - start) * 1000
        timing = response.getheader("Server-Timing") or ""
        server = TIMING.search(timing)
        db = DB_TIMING.search(timing)
        if own:
            conn.close()
        return (
            response.status,
            data,
            elapsed,
            float(server.group(1)) if server else None,
            int(db.group(2)) if db else None,
        )

    def time_get(
        self,
        paths: str | list[str] | Callable[[int], str],
        *,
        count: int,
        warmup: int = 5,
        concurrency: int = 1,
        headers: dict[str, str] | None = None,
    ) -> Timings:
        """GET each path (or path(i)) ``count`` times; collect timings."""
        if isinstance(paths, str):
            # One path; indexing the string would GET its characters.
            paths = [paths]

        def path_for(i: int) -> str:
            return paths(i) if callable(paths) else paths[i % len(paths)]

        timings = Timings()
        conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        for i in range(warmup):
            self.request("GET", path_for(i), headers=headers, conn=conn)

        def worker(indices: range) -> list[tuple[int, float, float | None, int | None]]:
            local = http.client.HTTPConnection(self.host, self.port, timeout=60)
            out = []
            for i in indices:
                status, _, client, server, queries = self.request(
                    "GET", path_for(i), headers=headers, conn=local
                )
                out.append((status, client, server, queries))
            local.close()
            return out

        chunks = [range(w, count, concurrency) for w in range(concurrency)]
        with ThreadPoolExecutor(concurrency) as pool:
            for rows in pool.map(worker, chunks):
                for status, client, server, queries in rows:
                    timings.add(status, client, server, queries)
        conn.close()
        return timings

    def record_timings(
        self,
        name: str,
        timings: Timings,
        *,
        median_ms: float | None = None,
        p99_ms: float | None = None,
    ) -> None:
        summary = timings.summary()
        ok = None
        if median_ms is not None:
            ok = (
                summary["server_median_ms"] is not None
                and summary["server_median_ms"] < median_ms
            )
            if p99_ms is not None:
                ok = ok and summary["server_p99_ms"] < p99_ms
            ok = ok and set(summary["statuses"]) == {"200"}
        target = None
        if median_ms is not None:
            target = f"median < {median_ms} ms" + (
                f", p99 < {p99_ms} ms" if p99_ms else ""
            )
        self.record(
            name,
            summary["server_median_ms"],
            "ms (server median)",
            target=target,
            ok=ok,
            **summary,
        )

    @staticmethod
    def query(path: str, **params: Any) -> str:
        return path + ("?" + urlencode(params, doseq=True) if params else "")

    # -- commands --------------------------------------------------------
    def pantry(
        self, *args: str, stdin: Any = None, stdout: Any = subprocess.DEVNULL
    ) -> dict[str, float]:
        """Run a pantry command against the bench database; wall time and peak RSS."""
        return run_measured(
            [sys.executable, "-m", "pantry.platform.cli", *args],
            env=self.env,
            stdin=stdin,
            stdout=stdout,
        )


def run_measured(
    command: list[str],
    *,
    env: dict[str, str],
    stdin: Any = None,
    stdout: Any = subprocess.DEVNULL,
) -> dict[str, float]:
    """Run a command; return its wall seconds and its own peak RSS (MB)."""
    import tempfile

    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(
            command, env=env, cwd=ROOT, stdin=stdin, stdout=stdout, stderr=err
        )
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            err.seek(0)
            raise RuntimeError(
                f"{' '.join(command[2:])} failed: {err.read().decode()[-2000:]}"
            )
    # ru_maxrss is in kilobytes on Linux.
    return {
        "seconds": round(elapsed, 3),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
    }


def bench_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        PANTRY_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        PANTRY_SSL_REDIRECT="0",
        PANTRY_SERVER_TIMING="1",
        PANTRY_DATA_DIR=str(data_dir),
        PANTRY_LOG_LEVEL="WARNING",
        # No mail server on bench machines: emails are rendered, not sent.
        PANTRY_EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        # Every client is 127.0.0.1: production's per-address limits would
        # measure the limiter, not the shop.
        PANTRY_RATE_LIMIT_ORDERS="off",
        PANTRY_RATE_LIMIT_SIGNUP="off",
        PANTRY_RATE_LIMIT_LOGIN="off",
        PANTRY_RATE_LIMIT_PASSWORD_RESET="off",  # noqa: S106 - a limit, not a password
        # Time slow queries rather than cut them off at the web default (5 s).
        PANTRY_WEB_STATEMENT_TIMEOUT="60",
        # Caches off: every page computes its facet counts (issue 18) and
        # does its whole work (the pages case measures the page cache too).
        PANTRY_PAGE_CACHE_ENTRIES="0",
    )
    if "BENCH_DATABASE_URL" in os.environ:
        env["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
    return env


@contextmanager
def server(env: dict[str, str], port: int, *, workers: int) -> Iterator[str]:
    from pantry.platform.embedded import EmbeddedPostgres
    from pantry.platform.server import server_command

    _refuse_taken_port(port)
    embedded = (
        EmbeddedPostgres(Path(env["PANTRY_DATA_DIR"]))
        if "DATABASE_URL" not in env
        else None
    )
    started = embedded.ensure_running() if embedded else False
    try:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pantry.platform.cli",
                "migrate",
                "--no-input",
                "-v0",
            ],
            env=env,
            cwd=ROOT,
            check=True,
        )
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pantry.platform.cli",
                "collectstatic",
                "--no-input",
                "-v0",
            ],
            env=env,
            cwd=ROOT,
            check=True,
        )
        process = subprocess.Popen(
            server_command(port=port, workers=workers, threads=4),
            env=env,
            cwd=ROOT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            # Inside the try: a server that never gets healthy is stopped too.
            wait_for_health(process, port, what="the benchmark server")
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    finally:
        if embedded and started:
            embedded.stop()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def extra_server(
    env: dict[str, str], port: int, *, workers: int, what: str, threads: int = 8
) -> Iterator[None]:
    """A second production server with its own settings, for one case."""
    from pantry.platform.server import server_command

    process = subprocess.Popen(
        server_command(port=port, workers=workers, threads=threads),
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_for_health(process, port, what=what)
        yield
    finally:
        process.terminate()
        process.wait(timeout=20)


def wait_for_health(
    process: subprocess.Popen[Any], port: int, *, what: str, timeout: float = 60
) -> None:
    """Wait until the server on ``port`` answers /healthz, or raise."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not start")
        time.sleep(0.1)


def _refuse_taken_port(port: int) -> None:
    # granian binds with SO_REUSEPORT: a server left from an earlier run
    # would silently share the port and answer some requests itself.
    with socket.socket() as probe:
        # Connections of a finished run linger in TIME_WAIT; only a listener
        # should count.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            raise RuntimeError(
                f"port {port} is taken (a server left from an earlier run?); "
                "stop it or pass --port"
            ) from None


def machine() -> dict[str, Any]:
    commit = subprocess.run(
        ["git", "rev-parse", "HEAD"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    dirty = subprocess.run(
        ["git", "status", "--porcelain"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return {
        "cores": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "commit": commit.stdout.strip() or None,
        "dirty": bool(dirty.stdout.strip()),
    }


def _psql(url: str, extra: list[str], stdin: str | None, what: str) -> str:
    from pantry.platform.embedded import bin_dir

    out = subprocess.run(
        [str(bin_dir() / "psql"), url, "-XqAt", "-v", "ON_ERROR_STOP=1", *extra],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ},
    )
    if out.returncode != 0:
        raise RuntimeError(f"psql {what!r} failed: {out.stderr.strip()}")
    return out.stdout


def psql(url: str, command: str, *, stdin: str | None = None) -> str:
    """Run one psql command (the embedded server's psql) and return its rows."""
    return _psql(url, ["-c", command], stdin, command[:60])


def psql_script(url: str, sql: str, **variables: str) -> str:
    """Run ``sql`` with ``:'name'`` variables (psql quotes them); its rows."""
    extra: list[str] = []
    for name, value in variables.items():
        extra += ["-v", f"{name}={value}"]
    return _psql(url, extra, sql, sql.strip()[:60])


def pantry_output(env: dict[str, str], *args: str) -> str:
    """Run a pantry command and return what it printed."""
    return subprocess.run(
        [sys.executable, "-m", "pantry.platform.cli", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
