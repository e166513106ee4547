"""The `pantry` command: Django's doors for run and db, one-line failures."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import version

import django
import pytest

from pantry.platform.embedded import EmbeddedPostgres, bin_dir
from tests.helpers import ROOT

PANTRY = [sys.executable, "-m", "pantry.platform.cli"]


def pantry(*args: str, env: dict[str, str] | None = None, timeout: float = 120):
    return subprocess.run(
        [*PANTRY, *args], cwd=ROOT, env=env or os.environ.copy(),
        capture_output=True, text=True, timeout=timeout, check=False,
    )  # fmt: skip


@pytest.fixture
def embedded_env(tmp_path):
    """An environment whose embedded server lives in tmp_path; stopped after."""
    server = EmbeddedPostgres(tmp_path / "pgdata")
    env = {**os.environ, "PANTRY_DATA_DIR": str(server.data_dir)}
    env.pop("DATABASE_URL", None)
    yield server, env
    server.stop()


def test_help_lists_run_and_db_among_the_platform_commands():
    result = pantry("--help")

    assert result.returncode == 0
    lines = result.stdout.splitlines()
    section = lines[lines.index("[platform]") + 1 :]
    section = section[: section.index("")] if "" in section else section
    assert "    db" in section
    assert "    run" in section


def test_help_of_run_comes_from_the_management_command():
    result = pantry("help", "run")

    assert result.returncode == 0
    assert result.stdout.startswith(
        "usage: pantry run [-h] [--host HOST] [--port PORT]"
    )
    assert "Migrate, load demo data into an empty database, and serve." in result.stdout


def test_manage_py_knows_run_and_db_too():
    result = subprocess.run(
        [sys.executable, "manage.py", "help", "db"], cwd=ROOT,
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip

    assert result.returncode == 0
    assert result.stdout.startswith("usage: pantry db [-h]")
    assert "{status,url,psql,start,stop,backup,restore,top,replicas}" in result.stdout


def test_version_prints_pantrys_version():
    for spelling in ("version", "--version"):
        result = pantry(spelling)

        assert result.returncode == 0
        assert result.stdout == (
            f"pantry {version('pantry')} (Django {django.get_version()})\n"
        )


def test_a_reader_that_goes_away_gives_no_traceback():
    read, write = os.pipe()
    process = subprocess.Popen(
        [*PANTRY, "--help"], cwd=ROOT, stdout=write, stderr=subprocess.PIPE
    )
    os.close(write)
    os.close(read)  # like `| head` exiting before pantry writes

    _, stderr = process.communicate(timeout=60)

    assert stderr == b""
    assert process.returncode == 141


def test_db_url_is_a_database_url_pantry_accepts(embedded_env):
    server, env = embedded_env
    server.ensure_running()

    url = pantry("db", "url", env=env).stdout.strip()
    status = pantry("db", "status", env={**env, "DATABASE_URL": url})
    psql = subprocess.run(
        [str(bin_dir() / "psql"), url, "-tAc", "SELECT current_database()"],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip

    assert url == server.url()
    assert status.returncode == 0, status.stderr
    assert status.stdout == (
        f"external database {server.socket_dir}:{server.port}/pantry: reachable\n"
    )
    assert psql.stdout == "pantry\n"


def test_check_and_makemigrations_start_a_stopped_embedded_server(embedded_env):
    server, env = embedded_env
    server.ensure_running()
    server.stop()

    check = pantry("check", env=env, timeout=60)
    makemigrations = pantry("makemigrations", "--check", "--dry-run", env=env)

    assert (check.returncode, check.stderr) == (0, "")
    assert check.stdout == "System check identified no issues (0 silenced).\n"
    assert (makemigrations.returncode, makemigrations.stdout) == (
        0,
        "No changes detected\n",
    )
    assert server.status().running is False  # stopped again, as it was


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("PANTRY_WORKERS", "0", "PANTRY_WORKERS must be at least 1, not 0"),
        ("PANTRY_THREADS", "many", "PANTRY_THREADS must be a whole number, not 'many'"),
    ],
)
def test_a_bad_worker_or_thread_count_is_one_line(name, value, message):
    result = pantry("check", env={**os.environ, name: value})

    assert result.returncode == 1
    assert result.stderr == f"pantry: configuration error: {message}\n"


def test_secret_key_fallbacks_are_read_from_the_environment():
    code = (
        "import django; django.setup()\n"
        "from django.conf import settings\n"
        "from django.core.signing import Signer\n"
        "print(settings.SECRET_KEY_FALLBACKS)\n"
        "print(Signer().unsign(Signer(key='old-key').sign('kept')))\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "pantry.settings",
        "SECRET_KEY": "new-key",
        "SECRET_KEY_FALLBACKS": "old-key, older-key",
    }
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env,
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip

    assert result.stdout == "['old-key', 'older-key']\nkept\n", result.stderr
