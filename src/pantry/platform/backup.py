"""Backups with pg_dump's custom format, and restores that change nothing
unless they succeed as a whole."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import psycopg

from pantry.platform.embedded import EmbeddedDatabaseError, bin_dir

# Every custom-format archive starts with these bytes (pg_backup_archiver.c).
MAGIC = b"PGDMP"


class BackupError(Exception):
    """A backup or restore that cannot be done; the message is for the user."""


def tool(name: str) -> str:
    """The bundled client program ``name`` (same major version as the server)."""
    try:
        path = bin_dir() / name
    except EmbeddedDatabaseError:
        path = Path("/nonexistent")
    if path.exists():
        return str(path)
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed; run `make install`")
    return found


def libpq_env(config: dict[str, Any], database: str | None = None) -> dict[str, str]:
    """Environment variables that point libpq programs at ``config``."""
    env = dict(os.environ)
    values = {
        "PGHOST": config.get("HOST"),
        "PGPORT": config.get("PORT"),
        "PGUSER": config.get("USER"),
        "PGPASSWORD": config.get("PASSWORD"),
        "PGDATABASE": database or config["NAME"],
        "PGCONNECT_TIMEOUT": config.get("OPTIONS", {}).get("connect_timeout", 5),
        "PGSSLMODE": config.get("OPTIONS", {}).get("sslmode"),
    }
    for key, value in values.items():
        if value not in (None, ""):
            env[key] = str(value)
    return env


def connect(config: dict[str, Any], database: str | None = None) -> psycopg.Connection:
    options = config.get("OPTIONS", {})
    try:
        return psycopg.connect(
            dbname=database or config["NAME"],
            user=config.get("USER") or None,
            password=config.get("PASSWORD") or None,
            host=config.get("HOST") or None,
            port=config.get("PORT") or None,
            connect_timeout=options.get("connect_timeout", 5),
            autocommit=True,
        )
    except psycopg.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else "no reason"
        raise BackupError(
            f"cannot reach database {database or config['NAME']}: {first}"
        ) from None


def _failure(result: subprocess.CompletedProcess[str], what: str) -> BackupError:
    lines = [line for line in result.stderr.strip().splitlines() if line.strip()]
    reason = lines[0] if lines else f"exit status {result.returncode}"
    return BackupError(f"{what} failed: {reason}")


def backup(config: dict[str, Any], file: Path) -> int:
    """Dump the database of ``config`` to ``file``; return its size in bytes.

    The dump goes to a temporary file renamed into place, so a failed backup
    leaves no half-written file and an older backup of that name intact.
    """
    file = file.expanduser()
    if not file.parent.is_dir():
        raise BackupError(f"cannot write {file}: {file.parent} is not a directory")
    connect(config).close()
    partial = file.with_name(f".{file.name}.partial")
    result = subprocess.run(
        [tool("pg_dump"), "--format=custom", "--file", str(partial)],
        env=libpq_env(config),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        partial.unlink(missing_ok=True)
        raise _failure(result, "pg_dump")
    partial.replace(file)
    return file.stat().st_size


def check_archive(file: Path) -> None:
    """Raise BackupError unless ``file`` is a readable custom-format dump."""
    try:
        with open(file, "rb") as handle:
            head = handle.read(len(MAGIC))
    except FileNotFoundError:
        raise BackupError(f"{file} does not exist") from None
    except OSError as exc:
        raise BackupError(f"cannot read {file}: {exc.strerror}") from None
    if head != MAGIC:
        raise BackupError(
            f"{file} is not a backup: not a pg_dump custom-format archive"
        )
    listed = subprocess.run(
        [tool("pg_restore"), "--list", str(file)],
        capture_output=True,
        text=True,
        check=False,
    )
    if listed.returncode != 0:
        raise _failure(listed, f"reading {file}")


def user_tables(config: dict[str, Any], database: str | None = None) -> int:
    """The number of tables outside PostgreSQL's own schemas."""
    with connect(config, database) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_class c"
            " JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE c.relkind IN ('r', 'p')"
            " AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
            " AND n.nspname NOT LIKE 'pg\\_toast%%'"
            " AND n.nspname NOT LIKE 'pg\\_temp%%'"
        ).fetchone()
    return int(row[0]) if row else 0


def restore(
    config: dict[str, Any],
    file: Path,
    *,
    database: str | None = None,
    replace: bool = False,
) -> None:
    """Restore ``file`` into the database (``database`` on the same server).

    Refuses a database that holds tables unless ``replace``; then its public
    schema is dropped in the same transaction that restores, so a restore
    that fails leaves the database as it was.
    """
    file = file.expanduser()
    target = database or config["NAME"]
    check_archive(file)
    tables = user_tables(config, target)
    if tables and not replace:
        raise BackupError(
            f"database {target} is not empty ({tables} tables); pass --replace "
            "to overwrite it"
        )
    script = subprocess.Popen(
        [tool("pg_restore"), "--no-owner", "--no-privileges", "--file", "-", str(file)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    psql = [tool("psql"), "--quiet", "--no-psqlrc", "--set", "ON_ERROR_STOP=1"]
    psql.append("--single-transaction")
    if replace:
        psql += [
            "--command",
            "DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;",
        ]
    psql += ["--file", "-"]
    result = subprocess.run(
        psql,
        stdin=script.stdout,
        env=libpq_env(config, target),
        capture_output=True,
        text=True,
        check=False,
    )
    assert script.stdout is not None
    script.stdout.close()
    script_errors = script.stderr.read().decode() if script.stderr else ""
    if script.wait() != 0:
        raise BackupError(f"pg_restore failed: {script_errors.strip() or 'no reason'}")
    if result.returncode != 0:
        raise _failure(result, "restore (nothing was changed)")
