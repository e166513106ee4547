"""Point-in-time recovery as docs/operations.md describes it, on real servers.

A primary archives its WAL; a base backup is taken; rows are written, a
moment is noted, a "mistake" is written after it. The base backup restored
with the archive and that moment as its recovery target holds every row
written before the moment and none after.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.conf import settings

from pantry.platform.embedded import EmbeddedPostgres, bin_dir, open_path_to
from tests.helpers import free_port

pytestmark = pytest.mark.skipif(
    not settings.EMBEDDED_DATABASE, reason="runs servers of the embedded build"
)


@pytest.fixture
def folder() -> Iterator[Path]:
    # Beside the test server's data, which the server's system user can reach.
    path = EmbeddedPostgres().data_dir.parent / f"test-pitr-{uuid.uuid4().hex[:8]}"
    path.mkdir(parents=True)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def owned_by_server(server: EmbeddedPostgres, path: Path) -> dict[str, Any]:
    """Make ``path`` the server user's; the keywords to run as that user."""
    run_as = server._run_as()
    path.mkdir(parents=True, exist_ok=True)
    open_path_to(path)
    if run_as:
        os.chown(path, int(run_as["user"]), int(run_as["group"]))  # type: ignore[call-overload]
    return run_as


def query(server: EmbeddedPostgres, sql: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(**server.conninfo("postgres"), autocommit=True) as conn:  # type: ignore[arg-type]
        cursor = conn.execute(sql)
        return cursor.fetchall() if cursor.description else []


def test_a_base_backup_and_the_archive_recover_to_a_chosen_moment(folder: Path):
    archive = folder / "archive"
    primary = EmbeddedPostgres(folder / "primary", port=free_port())
    run_as = owned_by_server(primary, archive)
    primary._initdb()
    with (primary.data_dir / "postgresql.auto.conf").open("a") as conf:
        conf.write(
            "archive_mode = on\n"
            f"archive_command = 'test ! -f {archive}/%f && cp %p {archive}/%f'\n"
        )
    primary.ensure_running()
    restored: EmbeddedPostgres | None = None
    try:
        query(primary, "CREATE TABLE ledger (id int PRIMARY KEY, note text)")
        query(primary, "INSERT INTO ledger VALUES (1, 'before the backup')")
        base = folder / "base"
        owned_by_server(primary, base)
        base.chmod(0o700)
        subprocess.run(
            [str(bin_dir() / "pg_basebackup"), "-h", str(primary.socket_dir),
             "-p", str(primary.port), "-U", "postgres", "-D", str(base),
             "-X", "stream", "--checkpoint=fast"],
            check=True, capture_output=True, **run_as,
        )  # fmt: skip
        query(primary, "INSERT INTO ledger VALUES (2, 'after the backup')")
        time.sleep(0.2)
        [(moment,)] = query(primary, "SELECT clock_timestamp()")
        time.sleep(0.2)
        query(primary, "DELETE FROM ledger")  # the mistake
        [(segment,)] = query(primary, "SELECT pg_walfile_name(pg_switch_wal())")
        deadline = time.monotonic() + 30
        while not (archive / segment).exists():
            assert time.monotonic() < deadline, "the WAL segment was not archived"
            time.sleep(0.1)
        primary.stop()

        target = folder / "restored"
        # As a restore would: the files keep their owner, the server's user.
        subprocess.run(["cp", "-a", str(base), str(target)], check=True)
        (target / "postmaster.pid").unlink(missing_ok=True)
        with (target / "postgresql.auto.conf").open("a") as conf:
            conf.write(
                f"restore_command = 'cp {archive}/%f %p'\n"
                f"recovery_target_time = '{moment.isoformat()}'\n"
                "recovery_target_action = 'promote'\n"
                "archive_mode = off\n"
            )
        (target / "recovery.signal").touch()
        restored = EmbeddedPostgres(target, port=free_port())
        owned_by_server(restored, target)
        restored.ensure_running()
        deadline = time.monotonic() + 30
        while query(restored, "SELECT pg_is_in_recovery()") == [(True,)]:
            assert time.monotonic() < deadline, "recovery did not finish"
            time.sleep(0.1)

        assert query(restored, "SELECT id, note FROM ledger ORDER BY id") == [
            (1, "before the backup"),
            (2, "after the backup"),
        ]
    finally:
        primary.stop()
        if restored is not None:
            restored.stop()
