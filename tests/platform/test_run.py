"""`pantry run` with real processes: respawn, a complete stop, the site URL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection

from tests.helpers import ROOT, free_port
from tests.platform.processes import (
    alive,
    cmdline,
    descendants,
    environ,
    healthy,
    kill_tree,
    port_free,
    wait_for,
)
from tests.storefront.conftest import database_url

# pytest-django sets up the test database only for tests that ask for it.
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def run_env(django_db_setup: Any, django_db_blocker: Any) -> dict[str, str]:
    """`pantry run` on the (migrated) test database, no demo data."""
    with django_db_blocker.unblock():
        url = database_url()
    assert connection.settings_dict["NAME"].startswith("test_")
    env = {**os.environ, "DATABASE_URL": url, "PANTRY_ENV": "test"}
    env.pop("PANTRY_SITE_URL", None)
    env["PANTRY_LOG_LEVEL"] = "WARNING"
    return env


class Run:
    def __init__(self, process: subprocess.Popen[str], port: int):
        self.process, self.port = process, port
        self.base = f"http://127.0.0.1:{port}"

    def granian(self) -> list[int]:
        return [
            pid for pid in descendants(self.process.pid) if "granian" in cmdline(pid)
        ]

    def workers(self) -> list[int]:
        mains = [
            pid
            for pid in self.granian()
            if "granian" not in " ".join(cmdline(_parent(pid)))
        ]
        return [pid for pid in self.granian() if pid not in mains]


def _parent(pid: int) -> int:
    with open(f"/proc/{pid}/stat") as handle:
        return int(handle.read().rsplit(")", 1)[1].split()[1])


@pytest.fixture
def start_run(run_env: dict[str, str]) -> Iterator[Any]:
    started: list[Run] = []

    def start(*args: str) -> Run:
        port = free_port()
        process = subprocess.Popen(
            [sys.executable, "-m", "pantry.platform.cli", "run", "--no-demo",
             "--port", str(port), *args],
            cwd=ROOT, env=run_env, text=True, start_new_session=True,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )  # fmt: skip
        run = Run(process, port)
        started.append(run)
        wait_for(lambda: healthy(run.base) or process.poll() is not None, 90, "serving")
        assert process.poll() is None, process.stdout.read() if process.stdout else ""
        return run

    yield start
    for run in started:
        kill_tree(run.process.pid)
        run.process.wait()


def stopped_cleanly(run: Run, signum: int) -> str:
    pids = descendants(run.process.pid)
    assert pids, "pantry run has no children"
    if signum == signal.SIGINT:
        os.killpg(run.process.pid, signum)  # what a terminal's Ctrl-C does
    else:
        run.process.send_signal(signum)
    output, _ = run.process.communicate(timeout=40)
    assert run.process.returncode == 0, output
    left = [pid for pid in pids if alive(pid)]
    assert left == [], f"left running: {[cmdline(pid) for pid in left]}"
    assert port_free(run.port)
    return output


def test_a_worker_killed_with_sigkill_is_respawned_and_the_site_stays_up(start_run):
    run = start_run("--workers", "2")
    workers = wait_for(
        lambda: len(run.workers()) == 2 and run.workers(), 30, "2 workers"
    )
    assert isinstance(workers, list)

    os.kill(workers[0], signal.SIGKILL)

    # The other worker serves while the dead one is replaced (a request
    # caught in the dying worker may fail).
    during = [healthy(run.base) for _ in range(10)]
    assert True in during
    wait_for(
        lambda: len(run.workers()) == 2 and workers[0] not in run.workers(),
        30,
        "a new worker",
    )
    assert [healthy(run.base) for _ in range(10)] == [True] * 10
    assert run.process.poll() is None
    stopped_cleanly(run, signal.SIGTERM)


@pytest.mark.parametrize("attempt", [1, 2, 3])
def test_ctrl_c_to_the_process_group_stops_every_process_and_frees_the_port(
    start_run, attempt
):
    run = start_run("--workers", "2")
    wait_for(lambda: len(run.workers()) == 2, 30, "2 workers")

    output = stopped_cleanly(run, signal.SIGINT)

    assert output.splitlines()[-1] == "pantry: stopped"


def test_sigterm_stops_every_process_and_frees_the_port(start_run):
    run = start_run("--workers", "1")

    output = stopped_cleanly(run, signal.SIGTERM)

    assert "Traceback" not in output


def test_the_port_is_the_base_of_links_in_emails_unless_the_site_url_is_set(
    start_run, run_env
):
    run = start_run("--workers", "1")
    server = [pid for pid in run.granian() if _parent(pid) == run.process.pid]

    assert environ(server[0])["PANTRY_SITE_URL"] == f"http://127.0.0.1:{run.port}"
    stopped_cleanly(run, signal.SIGTERM)

    run_env["PANTRY_SITE_URL"] = "https://shop.example.com"
    try:
        run = start_run("--workers", "1")
        server = [pid for pid in run.granian() if _parent(pid) == run.process.pid]
        assert environ(server[0])["PANTRY_SITE_URL"] == "https://shop.example.com"
        stopped_cleanly(run, signal.SIGTERM)
    finally:
        del run_env["PANTRY_SITE_URL"]


def test_metrics_of_every_worker_add_up_and_their_directory_goes_with_the_server(
    start_run,
):
    import re
    import urllib.request

    run = start_run("--workers", "2")
    wait_for(lambda: len(run.workers()) == 2, 30, "2 workers")
    server = [pid for pid in run.granian() if _parent(pid) == run.process.pid]
    directory = environ(server[0])["PROMETHEUS_MULTIPROC_DIR"]
    # Some probes may time out on a busy machine; count those answered.
    answered = sum(healthy(run.base) for _ in range(30))
    assert answered >= 20

    with urllib.request.urlopen(f"{run.base}/metrics", timeout=30) as response:
        body = response.read().decode()

    match = re.search(
        r'^pantry_requests_total\{method="GET",route="/healthz",status="200"\} (\S+)$',
        body,
        re.MULTILINE,
    )
    assert match is not None, body
    assert float(match.group(1)) >= answered
    assert os.path.isdir(directory)
    stopped_cleanly(run, signal.SIGTERM)
    assert not os.path.exists(directory)
