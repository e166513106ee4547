"""The ``pantry`` command: manage.py plus what manage.py cannot do itself.

Every command, `run` and `db` included, is a Django management command, so
`pantry help run` and `manage.py run` work alike. This wrapper only starts
the embedded database around a command that needs it and turns failures a
user can fix (an unreachable database, a taken port, a bad setting, a full
disk, a closed pipe) into one line on stderr and a non-zero exit.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator, Sequence
from typing import Any

from pantry.platform.embedded import EmbeddedDatabaseError, EmbeddedPostgres

# Defined apart from this module, which also runs as __main__ (`python -m`).
from pantry.platform.errors import CliError

PROG = "pantry"
# Commands that never touch the database, so need no server started; `db`
# manages the server itself. `check` and `makemigrations` do need it: the
# checks of GeneratedField ask the server for its version.
NO_DATABASE = {"help", "--help", "-h", "version", "--version", "db"}


def main(argv: Sequence[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pantry.settings")
    try:
        code = dispatch(args)
    except KeyboardInterrupt:
        code = 130
    except BrokenPipeError:
        code = _closed_pipe()
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


def _closed_pipe() -> int:
    # The reader (`| head`) left: say nothing, and point stdout at /dev/null
    # so the interpreter's final flush does not raise again.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return 141  # 128 + SIGPIPE, as a shell reports it


def version() -> str:
    from importlib.metadata import version as installed

    import django

    return f"{PROG} {installed('pantry')} (Django {django.get_version()})"


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
    if command in {"version", "--version"}:
        print(version())
        return 0
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
            close_connections()
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


def close_connections() -> None:
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        connection.close()
        close_pool = getattr(connection, "close_pool", None)
        if close_pool:
            close_pool()


if __name__ == "__main__":
    main()
