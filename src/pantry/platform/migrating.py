"""Migrations that cannot hang a busy shop, and rehearsals of them on a copy.

Every migration runs under ``lock_timeout`` and ``statement_timeout``: a
lock that cannot be had in time fails the migration (one clear line)
rather than queueing every later query behind it.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

import psycopg
from django.conf import settings
from django.db import DatabaseError, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.executor import MigrationExecutor
from psycopg import sql

from pantry.platform import backup

# Lock modes from weakest to strongest (PostgreSQL's table-level locks).
MODES = [
    "AccessShareLock",
    "RowShareLock",
    "RowExclusiveLock",
    "ShareUpdateExclusiveLock",
    "ShareLock",
    "ShareRowExclusiveLock",
    "ExclusiveLock",
    "AccessExclusiveLock",
]
# From ShareLock up, a lock blocks writes; AccessExclusiveLock blocks reads.
BLOCKS_WRITES = MODES.index("ShareLock")
SAMPLE_SECONDS = 0.02
LOCK_NOT_AVAILABLE = "55P03"
QUERY_CANCELED = "57014"


@contextmanager
def migration_timeouts(connection: BaseDatabaseWrapper) -> Iterator[None]:
    """Run the block with the migration timeouts of settings on ``connection``."""
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('lock_timeout', %s, false),"
            " set_config('statement_timeout', %s, false)",
            [
                settings.PANTRY_MIGRATION_LOCK_TIMEOUT,
                settings.PANTRY_MIGRATION_STATEMENT_TIMEOUT,
            ],
        )
    try:
        yield
    finally:
        # A failed migration may have left the connection unusable; it is
        # closed then, and the settings go with it.
        with suppress(DatabaseError), connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout; RESET statement_timeout")


def timeout_message(exc: BaseException, migration: str | None) -> str | None:
    """One line for a migration stopped by a timeout, None for other errors."""
    cause = exc.__cause__ if not isinstance(exc, psycopg.Error) else exc
    state = getattr(cause, "sqlstate", None)
    where = f"migration {migration}" if migration else "a migration"
    if state == LOCK_NOT_AVAILABLE:
        return (
            f"{where} could not take its lock within "
            f"PANTRY_MIGRATION_LOCK_TIMEOUT={settings.PANTRY_MIGRATION_LOCK_TIMEOUT}: "
            "another session holds it; nothing of that migration was applied, "
            "retry when the shop is quieter"
        )
    if state == QUERY_CANCELED:
        return (
            f"{where} ran longer than PANTRY_MIGRATION_STATEMENT_TIMEOUT="
            f"{settings.PANTRY_MIGRATION_STATEMENT_TIMEOUT}; nothing of that "
            "migration was applied"
        )
    return None


# -- rehearsal ---------------------------------------------------------------


@dataclass
class LockHeld:
    relation: str
    mode: str
    seconds: float
    rows: int


@dataclass
class Rehearsed:
    """One migration as applied to the copy."""

    name: str
    seconds: float = 0.0
    locks: dict[str, LockHeld] = field(default_factory=dict)

    def strongest(self) -> LockHeld | None:
        return max(
            self.locks.values(),
            key=lambda lock: (MODES.index(lock.mode), lock.seconds),
            default=None,
        )

    def blocked(self, level: int) -> float:
        """How long any other session would have waited on a lock this strong."""
        return max(
            (
                lock.seconds
                for lock in self.locks.values()
                if MODES.index(lock.mode) >= level
            ),
            default=0.0,
        )

    def as_json(self) -> dict[str, Any]:
        strongest = self.strongest()
        return {
            "migration": self.name,
            "seconds": round(self.seconds, 3),
            "strongest_lock": None
            if strongest is None
            else {
                "relation": strongest.relation,
                "mode": strongest.mode,
                "seconds": round(strongest.seconds, 3),
                "rows": strongest.rows,
            },
            "reads_blocked_seconds": round(self.blocked(len(MODES) - 1), 3),
            "writes_blocked_seconds": round(self.blocked(BLOCKS_WRITES), 3),
            "locks": [
                {
                    "relation": lock.relation,
                    "mode": lock.mode,
                    "seconds": round(lock.seconds, 3),
                }
                for lock in sorted(self.locks.values(), key=lambda lock: lock.relation)
            ],
        }


_OWN_LOCKS = """
SELECT c.relname, l.mode, greatest(c.reltuples, 0)::bigint
FROM pg_locks l
JOIN pg_class c ON c.oid = l.relation
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE l.pid = %s AND l.granted AND l.locktype = 'relation'
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND c.relkind IN ('r', 'p', 'm') AND c.relname <> 'django_migrations'
"""


def _note(
    report: Rehearsed, relation: str, mode: str, seconds: float, rows: int
) -> None:
    if mode not in MODES:
        return
    held = report.locks.get(relation)
    if held is None or (MODES.index(mode), seconds) > (
        MODES.index(held.mode),
        held.seconds,
    ):
        report.locks[relation] = LockHeld(relation, mode, seconds, rows)


class LockWatch:
    """The locks a migration takes, and for how long it holds them.

    After every statement of a migration the migrating session reads its own
    locks from pg_locks (inside its transaction, so tables it has just
    created are visible; other sessions cannot see those, nor wait for them,
    so the thread skips them): a lock taken inside a transaction is held until
    the commit at the migration's end. A thread samples pg_locks too, for
    statements outside a transaction (non-atomic migrations).
    """

    def __init__(self, connection: BaseDatabaseWrapper, conninfo: dict[str, Any]):
        self.connection = connection
        self.conninfo = conninfo
        self.pid = 0
        self.current: Rehearsed | None = None
        self.opened: dict[tuple[str, str], tuple[float, int]] = {}
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._sample_loop, daemon=True)

    def start(self, pid: int) -> None:
        self.pid = pid
        self.thread.start()

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=5)

    def begin(self, report: Rehearsed) -> None:
        self.current = report
        self.opened = {}

    def end(self) -> None:
        """The migration committed: every lock it took is released now."""
        now = time.monotonic()
        if self.current is not None:
            for (relation, mode), (since, rows) in self.opened.items():
                _note(self.current, relation, mode, now - since, rows)
        self.current = None
        self.opened = {}

    def __call__(
        self, execute: Any, sql_text: str, params: Any, many: bool, context: Any
    ) -> Any:
        before = time.monotonic()
        result = execute(sql_text, params, many, context)
        if self.current is not None and self.connection.in_atomic_block:
            raw = self.connection.connection
            for relation, mode, rows in raw.execute(_OWN_LOCKS, [self.pid]):
                self.opened.setdefault((relation, mode), (before, rows))
        return result

    def _sample_loop(self) -> None:
        try:
            with psycopg.connect(**self.conninfo, autocommit=True) as conn:
                seen: dict[tuple[int, str, str], float] = {}
                while not self.stopping.is_set():
                    current = self.current
                    now = time.monotonic()
                    if current is not None:
                        for relation, mode, rows in conn.execute(
                            _OWN_LOCKS, [self.pid]
                        ):
                            since = seen.setdefault((id(current), relation, mode), now)
                            _note(current, relation, mode, now - since, rows)
                    time.sleep(SAMPLE_SECONDS)
        except psycopg.Error:
            return  # the in-session readings remain


def _connections_to(config: dict[str, Any], database: str) -> int:
    with backup.connect(config, "postgres") as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [database]
        ).fetchone()
    return int(row[0]) if row else 0


def _close_all() -> None:
    for conn in connections.all(initialized_only=True):
        conn.close()
        close_pool = getattr(conn, "close_pool", None)
        if close_pool:
            close_pool()


def copy_database(config: dict[str, Any], scratch: str) -> str:
    """Copy the database of ``config`` into ``scratch``; return how."""
    source = config["NAME"]
    _close_all()
    with backup.connect(config, "postgres") as conn:
        if _connections_to(config, source) == 0:
            try:
                conn.execute(
                    sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                        sql.Identifier(scratch), sql.Identifier(source)
                    )
                )
                return "template"
            except psycopg.errors.ObjectInUse:
                pass  # someone connected meanwhile
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(scratch)))
    with _temporary_file() as dump:
        backup.backup(config, dump)
        backup.restore(config, dump, database=scratch)
    return "dump and restore"


@contextmanager
def _temporary_file() -> Iterator[Any]:
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory(prefix="pantry-rehearsal-") as folder:
        yield Path(folder) / "copy.dump"


def rehearse(
    *, progress: Callable[[str], None] = lambda line: None
) -> tuple[str, list[Rehearsed]]:
    """Apply the pending migrations to a copy of the database; report each.

    Returns how the copy was made and one report per migration applied. The
    copy is dropped afterwards; the real database is only read.
    """
    default = connections["default"]
    config = dict(default.settings_dict)
    original = config["NAME"]
    scratch = f"{original[:40]}_rehearsal_{uuid.uuid4().hex[:8]}"
    method = copy_database(config, scratch)
    progress(f"copied {original} to {scratch} by {method}")
    reports: list[Rehearsed] = []
    default.settings_dict["NAME"] = scratch
    try:
        default.ensure_connection()
        with default.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        conninfo = {
            "dbname": scratch,
            "user": config.get("USER") or None,
            "password": config.get("PASSWORD") or None,
            "host": config.get("HOST") or None,
            "port": config.get("PORT") or None,
        }
        watch = LockWatch(default, conninfo)
        watch.start(pid)
        started: dict[str, float] = {}

        def callback(
            action: str, migration: Any = None, fake: bool | None = False, /
        ) -> None:
            if action == "apply_start":
                report = Rehearsed(name=f"{migration.app_label}.{migration.name}")
                reports.append(report)
                started[report.name] = time.monotonic()
                watch.begin(report)
            elif action == "apply_success":
                report = reports[-1]
                report.seconds = time.monotonic() - started[report.name]
                watch.end()
                progress(f"applied {report.name} in {report.seconds:.3f} s")

        try:
            with migration_timeouts(default), default.execute_wrapper(watch):
                executor = MigrationExecutor(default, callback)
                targets = executor.loader.graph.leaf_nodes()
                plan = executor.migration_plan(targets)
                executor.migrate(targets, plan=plan)
        finally:
            watch.stop()
    finally:
        _close_all()
        default.settings_dict["NAME"] = original
        with backup.connect(config, "postgres") as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                    sql.Identifier(scratch)
                )
            )
    return method, reports
