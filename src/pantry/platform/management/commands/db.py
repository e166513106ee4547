"""`pantry db`: the database server's state, URL, a psql shell, start/stop."""

from __future__ import annotations

import argparse
import contextlib
import signal
import subprocess
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from pantry.platform.cli import check_connection
from pantry.platform.embedded import EmbeddedPostgres, bin_dir
from pantry.platform.errors import CliError

ACTIONS = {
    "status": "is the server up, and where (exit 3 when stopped)",
    "url": "print the connection URL (usable as DATABASE_URL)",
    "psql": "open psql on the database (further arguments go to psql)",
    "start": "start the embedded server and leave it running",
    "stop": "stop the embedded server",
}


class Command(BaseCommand):
    help = "The database server: " + "; ".join(f"{k}: {v}" for k, v in ACTIONS.items())
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=list(ACTIONS))
        parser.add_argument("psql_args", nargs=argparse.REMAINDER)

    def handle(self, *args: Any, **options: Any) -> None:
        code = self.act(options["action"], options["psql_args"])
        if code:
            raise SystemExit(code)

    def act(self, action: str, rest: list[str]) -> int:
        server = EmbeddedPostgres() if settings.EMBEDDED_DATABASE else None
        config = settings.DATABASES["default"]
        if rest and action != "psql":
            raise CliError(f"`db {action}` takes no arguments, got {rest[0]!r}")
        if action == "url":
            self.stdout.write(server.url() if server else settings.DATABASE_URL)
            return 0
        if action == "status":
            if server is None:
                check_connection(config)
                where = f"{config.get('HOST') or 'localhost'}:{config.get('PORT') or 5432}/{config['NAME']}"
                self.stdout.write(f"external database {where}: reachable")
                return 0
            status = server.status()
            state = f"running (pid {status.pid})" if status.running else "stopped"
            version = status.version or "(not initialised)"
            self.stdout.write(f"embedded PostgreSQL {version}: {state}")
            self.stdout.write(f"data directory: {status.data_dir}")
            self.stdout.write(f"socket: {status.socket_dir} port {status.port}")
            return 0 if status.running else 3
        if action in {"start", "stop"}:
            if server is None:
                raise CliError(
                    "DATABASE_URL is set: pantry does not manage that server"
                )
            if action == "start":
                started = server.ensure_running()
                self.stdout.write("started" if started else "already running")
            else:
                self.stdout.write("stopped" if server.stop() else "not running")
            return 0
        # psql
        if server is None:
            return subprocess.call(
                [str(bin_dir() / "psql"), settings.DATABASE_URL, *rest]
            )
        started = server.ensure_running()
        try:
            with _ignore_sigint():
                return subprocess.call([*server.psql_command(), *rest])
        finally:
            if started:
                server.stop()


@contextlib.contextmanager
def _ignore_sigint() -> Iterator[None]:
    # psql handles Ctrl-C itself (cancels the query); do not die with it.
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
