"""Background commands beside the server: declared on AppConfigs, restarted
when they crash, stopped with the server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from typing import Any

import pytest

from pantry.platform.processes import background_commands
from tests.helpers import ROOT, free_port
from tests.platform.processes import (
    alive,
    cmdline,
    descendants,
    healthy,
    kill_tree,
    port_free,
    wait_for,
)
from tests.storefront.conftest import database_url

pytestmark = pytest.mark.django_db


def test_the_database_task_backend_brings_its_worker(settings):
    assert background_commands() == []

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    assert background_commands() == [["db_worker"]]


def test_a_declared_command_is_collected_once(settings, monkeypatch):
    from django.apps import apps

    config = apps.get_app_config("catalog")
    monkeypatch.setattr(
        config, "background_commands", [["events", "dispatch"]], raising=False
    )
    monkeypatch.setattr(
        apps.get_app_config("orders"),
        "background_commands",
        [["events", "dispatch"], ["clearsessions"]],
        raising=False,
    )

    assert background_commands() == [["events", "dispatch"], ["clearsessions"]]


def _pids(path: Any) -> list[int]:
    return [int(line) for line in path.read_text().split()] if path.exists() else []


def test_a_crashed_background_command_restarts_and_all_stop_with_the_server(
    tmp_path, django_db_blocker
):
    with django_db_blocker.unblock():
        url = database_url()
    started = tmp_path / "started"
    child = (
        "import os, time\n"
        f"open({str(started)!r}, 'a').write(f'{{os.getpid()}}\\n')\n"
        "time.sleep(600)\n"
    )
    port = free_port()
    script = textwrap.dedent(f"""
        import sys
        from pantry.platform.server import Supervisor, server_command
        command = server_command(port={port}, workers=1, threads=1)
        sys.exit(Supervisor(command, [["shell", "-c", {child!r}]]).run())
    """)
    env = {**os.environ, "DATABASE_URL": url, "PANTRY_ENV": "test"}
    process = subprocess.Popen(
        [sys.executable, "-c", script], cwd=ROOT, env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        wait_for(lambda: healthy(f"http://127.0.0.1:{port}"), 90, "the server")
        first = wait_for(lambda: _pids(started), 60, "the background command")
        assert isinstance(first, list)

        os.kill(first[0], signal.SIGKILL)

        pids = wait_for(
            lambda: len(_pids(started)) == 2 and _pids(started), 60, "a restart"
        )
        assert isinstance(pids, list)
        assert alive(pids[1])
        assert process.poll() is None
        everything = descendants(process.pid)

        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=40)

        assert process.returncode == 0, output
        assert (
            f"pantry: shell -c {child} exited with code -9; restarting in 0.5 s"
            in output
        )
        left = [pid for pid in everything if alive(pid)]
        assert left == [], [cmdline(pid) for pid in left]
        assert port_free(port)
    finally:
        kill_tree(process.pid)
        process.wait()
