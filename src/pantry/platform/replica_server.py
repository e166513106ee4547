"""A streaming replica of the embedded server, for tests and benchmarks."""

from __future__ import annotations

import subprocess
from pathlib import Path

from pantry.platform.embedded import EmbeddedDatabaseError, EmbeddedPostgres, bin_dir


def create_streaming_replica(
    primary: EmbeddedPostgres, data_dir: Path, *, port: int
) -> EmbeddedPostgres:
    """Clone ``primary`` with ``pg_basebackup -R`` and start it as a hot standby
    listening on 127.0.0.1:``port``; the caller stops it."""
    replica = EmbeddedPostgres(data_dir, port=port)
    if replica.initialised():
        raise EmbeddedDatabaseError(f"{data_dir} already holds a data directory")
    run_as = replica._run_as()
    data_dir.chmod(0o700)
    result = subprocess.run(
        [
            str(bin_dir() / "pg_basebackup"),
            "-h", str(primary.socket_dir),
            "-p", str(primary.status().port),
            "-U", "postgres",
            "-D", str(data_dir),
            "-R",  # standby.signal and primary_conninfo
            "-X", "stream",
            "--checkpoint=fast",
        ],
        check=False,
        capture_output=True,
        text=True,
        **run_as,  # type: ignore[call-overload]
    )  # fmt: skip
    if result.returncode != 0:
        lines = result.stderr.strip().splitlines()
        raise EmbeddedDatabaseError(
            "pg_basebackup failed: " + (lines[-1] if lines else "no reason given")
        )
    # The copy holds the primary's socket path and log settings; it needs
    # its own socket directory, which the -k of its start gives it.
    (data_dir / "postmaster.pid").unlink(missing_ok=True)
    replica.ensure_running()
    return replica
