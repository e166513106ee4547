"""The ``pantry`` command: every manage.py command, plus run, db and token.

Failures a user can fix (a database that is unreachable, a taken port, a
bad setting) print one line on stderr and exit non-zero, never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator, Sequence
from typing import Any

from pantry.platform.embedded import EmbeddedDatabaseError, EmbeddedPostgres

PROG = "pantry"
# Commands that never touch the database, so need no server started.
NO_DATABASE = {
    "help",
    "--help",
    "-h",
    "version",
    "--version",
    "makemigrations",
    "check",
}


class CliError(Exception):
    """A failure the user can fix; its message is printed as one line."""


def main(argv: Sequence[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pantry.settings")
    try:
        code = dispatch(args)
    except KeyboardInterrupt:
        code = 130
    except (CliError, EmbeddedDatabaseError) as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        code = 1
    except Exception as exc:
        message = _friendly(exc)
        if message is None:
            raise
        print(f"{PROG}: {message}", file=sys.stderr)
        code = 1
    sys.exit(code)


def _friendly(exc: BaseException) -> str | None:
    """One line for errors of setup and connection, None for real bugs."""
    from django.core.exceptions import ImproperlyConfigured

    if isinstance(exc, ImproperlyConfigured):
        return f"configuration error: {exc}"
    try:
        import psycopg
        from django.db import OperationalError
        from psycopg_pool import PoolTimeout
    except ImportError:  # pragma: no cover
        return None
    if not isinstance(exc, OperationalError | psycopg.OperationalError):
        return None
    cause = exc if isinstance(exc, psycopg.Error) else exc.__cause__
    # Only a failed connection is the user's to fix (sqlstate class 08, or
    # none when the server was never reached); other operational errors
    # are bugs and keep their traceback.
    sqlstate = getattr(cause, "sqlstate", None)
    if isinstance(cause, PoolTimeout) or sqlstate is None or sqlstate.startswith("08"):
        return "cannot reach the database: " + _first_line(str(exc))
    return None


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[0] if lines else "no reason given"


def dispatch(args: list[str]) -> int:
    command = args[0] if args else "help"
    if command == "run":
        return run(args[1:])
    if command == "db":
        return db(args[1:])
    if command in NO_DATABASE:
        return django_command(args)
    with database_available():
        return django_command(args)


def django_command(args: list[str]) -> int:
    from django.core.management import execute_from_command_line

    execute_from_command_line([PROG, *args])
    return 0


def _settings() -> Any:
    from django.conf import settings

    settings.DATABASES  # noqa: B018 - loads and validates the settings
    return settings


@contextlib.contextmanager
def database_available() -> Iterator[None]:
    """Make sure the database answers; start the embedded one if needed.

    An embedded server started here is stopped again on the way out.
    """
    settings = _settings()
    server = EmbeddedPostgres() if settings.EMBEDDED_DATABASE else None
    started = server.ensure_running() if server else False
    try:
        check_connection(settings.DATABASES["default"])
        yield
    finally:
        if server and started:
            _close_connections()
            server.stop()


def check_connection(config: dict[str, Any]) -> None:
    import psycopg

    options = {
        key: value
        for key, value in config.get("OPTIONS", {}).items()
        if key in {"sslmode", "connect_timeout", "sslrootcert", "options"}
    }
    options.setdefault("connect_timeout", 5)
    target = f"{config.get('HOST') or 'localhost'}:{config.get('PORT') or 5432}/{config['NAME']}"
    try:
        psycopg.connect(
            dbname=config["NAME"],
            user=config.get("USER") or None,
            password=config.get("PASSWORD") or None,
            host=config.get("HOST") or None,
            port=config.get("PORT") or None,
            **options,
        ).close()
    except psycopg.Error as exc:
        raise CliError(
            f"cannot reach the database at {target}: {_first_line(str(exc))}"
        ) from None


def _close_connections() -> None:
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        connection.close()
        close_pool = getattr(connection, "close_pool", None)
        if close_pool:
            close_pool()


# -- pantry run ---------------------------------------------------------------


def run(args: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog=f"{PROG} run",
        description="Migrate, load demo data into an empty database, and serve.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument(
        "--workers", type=int, default=None, help="server processes (default: cores)"
    )
    parser.add_argument(
        "--threads", type=int, default=None, help="threads per process (default: 4)"
    )
    parser.add_argument("--no-demo", action="store_true", help="do not load demo data")
    options = parser.parse_args(args)
    if not 0 < options.port < 65536:
        raise CliError(f"--port must be between 1 and 65535, not {options.port}")
    if not _port_free(options.host, options.port):
        raise CliError(
            f"port {options.port} on {options.host} is already in use; stop what "
            "listens there or pass --port"
        )

    with database_available():
        import django
        from django.core.management import call_command

        django.setup()
        settings = _settings()
        call_command("migrate", interactive=False, verbosity=1)
        if not options.no_demo:
            call_command("demo", if_empty=True)
        if settings.PRODUCTION:
            call_command("collectstatic", interactive=False, verbosity=0)
        _close_connections()
        workers = options.workers or int(
            os.environ.get("PANTRY_WORKERS") or os.cpu_count() or 1
        )
        threads = options.threads or int(os.environ.get("PANTRY_THREADS") or 4)
        return serve(options.host, options.port, workers=workers, threads=threads)


def _port_free(host: str, port: int) -> bool:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise CliError(f"cannot use host {host!r}: {exc.strerror}") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError:
            return False
    return True


def serve(host: str, port: int, *, workers: int, threads: int) -> int:
    """Serve with granian until it exits or Ctrl-C; return its exit code."""
    command = [
        sys.executable, "-m", "granian",
        "--interface", "wsgi",
        "--host", host,
        "--port", str(port),
        "--workers", str(workers),
        "--blocking-threads", str(threads),
        "--no-ws",
        "--log-level", "warning",
        "pantry.wsgi:application",
    ]  # fmt: skip
    print(f"pantry: serving on http://{host}:{port}/ (Ctrl-C stops)", flush=True)
    server = subprocess.Popen(command)

    def forward(signum: int, frame: Any) -> None:
        if server.poll() is None:
            server.send_signal(signal.SIGINT)

    previous = signal.signal(signal.SIGTERM, forward)
    try:
        while True:
            try:
                return server.wait()
            except KeyboardInterrupt:
                # The terminal sends SIGINT to the whole group; make sure the
                # server got it, then wait for its graceful shutdown.
                forward(signal.SIGINT, None)
                try:
                    server.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait()
                print("pantry: stopped", flush=True)
                return 0
    finally:
        signal.signal(signal.SIGTERM, previous)


# -- pantry db ----------------------------------------------------------------


def db(args: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog=f"{PROG} db", description="The database server."
    )
    sub = parser.add_subparsers(dest="action", required=True)
    sub.add_parser("status", help="is the server up, and where")
    sub.add_parser("url", help="print the connection URL")
    sub.add_parser("psql", help="open psql on the database")
    sub.add_parser("start", help="start the embedded server and leave it running")
    sub.add_parser("stop", help="stop the embedded server")
    options, rest = parser.parse_known_args(args)
    settings = _settings()
    server = EmbeddedPostgres() if settings.EMBEDDED_DATABASE else None
    config = settings.DATABASES["default"]

    if options.action == "url":
        print(server.url() if server else settings.DATABASE_URL)
        return 0
    if options.action == "status":
        if server is None:
            check_connection(config)
            print(
                f"external database {config.get('HOST') or 'localhost'}:{config.get('PORT') or 5432}/{config['NAME']}: reachable"
            )
            return 0
        status = server.status()
        state = f"running (pid {status.pid})" if status.running else "stopped"
        print(f"embedded PostgreSQL {status.version or '(not initialised)'}: {state}")
        print(f"data directory: {status.data_dir}")
        print(f"socket: {status.socket_dir} port {status.port}")
        return 0 if status.running else 3
    if options.action == "start":
        if server is None:
            raise CliError("DATABASE_URL is set: pantry does not manage that server")
        started = server.ensure_running()
        print("started" if started else "already running")
        return 0
    if options.action == "stop":
        if server is None:
            raise CliError("DATABASE_URL is set: pantry does not manage that server")
        print("stopped" if server.stop() else "not running")
        return 0
    # psql
    from pantry.platform.embedded import bin_dir

    if server is None:
        command = [str(bin_dir() / "psql"), settings.DATABASE_URL, *rest]
        return subprocess.call(command)
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


if __name__ == "__main__":
    main()
