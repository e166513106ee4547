"""The embedded PostgreSQL: start, reuse, keep data, stop, refuse clearly."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import psycopg
import pytest

from pantry.platform.embedded import EmbeddedDatabaseError, EmbeddedPostgres
from tests.helpers import ROOT, free_port


@pytest.fixture
def server(tmp_path):
    instance = EmbeddedPostgres(tmp_path / "pgdata")
    yield instance
    instance.stop()


def test_server_starts_reuses_keeps_data_and_stops(server):
    assert server.ensure_running() is True
    assert server.ensure_running() is False  # reused, not started twice
    with psycopg.connect(**server.conninfo(), autocommit=True) as conn:
        conn.execute("CREATE TABLE kept (value text)")
        conn.execute("INSERT INTO kept VALUES ('still here')")

    assert server.stop() is True
    assert server.status().running is False
    assert server.stop() is False
    assert server.ensure_running() is True
    with psycopg.connect(**server.conninfo()) as conn:
        assert conn.execute("SELECT value FROM kept").fetchone() == ("still here",)


def test_a_data_directory_of_another_major_version_is_refused_untouched(tmp_path):
    data = tmp_path / "old"
    data.mkdir()
    (data / "PG_VERSION").write_text("16\n")
    (data / "base").mkdir()
    before = sorted(p.name for p in data.iterdir())

    with pytest.raises(
        EmbeddedDatabaseError,
        match=r"holds data of PostgreSQL 16, but the embedded server is PostgreSQL 18",
    ):
        EmbeddedPostgres(data).ensure_running()

    assert sorted(p.name for p in data.iterdir()) == before
    assert (data / "PG_VERSION").read_text() == "16\n"


def test_the_cli_reports_a_foreign_data_directory_in_one_line(tmp_path):
    data = tmp_path / "old"
    data.mkdir()
    (data / "PG_VERSION").write_text("15\n")
    env = {**os.environ, "PANTRY_DATA_DIR": str(data)}
    env.pop("DATABASE_URL", None)

    result = subprocess.run(
        [sys.executable, "-m", "pantry.platform.cli", "migrate"], env=env, cwd=ROOT,
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip

    assert result.returncode == 1
    assert result.stderr.startswith("pantry: ")
    assert "PostgreSQL 15" in result.stderr
    assert result.stderr.count("\n") == 1


def test_a_taken_tcp_port_is_refused_clearly(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        with pytest.raises(
            EmbeddedDatabaseError, match=rf"port {port} on 127.0.0.1 is already in use"
        ):
            EmbeddedPostgres(tmp_path / "pgdata", port=port).ensure_running()


def test_the_server_can_listen_on_tcp_too(tmp_path):
    port = free_port()
    server = EmbeddedPostgres(tmp_path / "pgdata", port=port)
    try:
        server.ensure_running()
        with psycopg.connect(
            host="127.0.0.1", port=port, user="postgres", dbname="pantry"
        ) as conn:
            assert conn.execute(
                "SELECT current_setting('server_version_num')::int / 10000"
            ).fetchone() == (18,)
    finally:
        server.stop()


def test_pantry_run_refuses_a_taken_http_port_in_one_line():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        result = subprocess.run(
            [sys.executable, "-m", "pantry.platform.cli", "run", "--port", str(port)], cwd=ROOT,
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip

    assert result.returncode == 1
    assert result.stderr == (
        f"pantry: port {port} on 127.0.0.1 is already in use; stop what listens there or pass --port\n"
    )


def test_an_initdb_failure_reports_its_cause_not_its_clean_up():
    from pantry.platform.embedded import _first_error

    stderr = (
        "The files belonging to this database system will be owned by user pantry.\n"
        'initdb: error: could not create directory "/x/pg_wal": No space left\n'
        'initdb: removing contents of data directory "/x"\n'
        "initdb: error: failed to remove contents of data directory\n"
    )
    assert _first_error(stderr) == (
        'initdb: error: could not create directory "/x/pg_wal": No space left'
    )
    assert _first_error("just one line\n") == "just one line"
