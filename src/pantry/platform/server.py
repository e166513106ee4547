"""The production server (granian) and the processes `pantry run` supervises.

``server_command`` is the one place the granian command line is built: `pantry
run`, the benchmarks and the tests all use it. ``Supervisor`` runs the server
and any background commands, each in a process group of its own, so that
stopping is pantry's job and always complete: a terminal's Ctrl-C reaches
pantry only, pantry stops every child in order, and whatever is left of a
group (a granian worker, say) is killed with the group. See docs/run.md.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

# Seconds a child gets to stop after SIGTERM/SIGINT before its group is killed.
STOP_TIMEOUT = 10.0
# Backoff of a background command that keeps crashing: 0.5 s doubling to 30 s.
RESTART_DELAY = 0.5
RESTART_DELAY_MAX = 30.0


def server_command(
    *,
    host: str = "127.0.0.1",
    port: int,
    workers: int | None = None,
    threads: int | None = None,
    application: str = "pantry.wsgi:application",
) -> list[str]:
    """The granian command serving pantry; counts default to the settings."""
    if workers is None or threads is None:
        from django.conf import settings

        workers = settings.PANTRY_WORKERS if workers is None else workers
        threads = settings.PANTRY_THREADS if threads is None else threads
    return [
        sys.executable, "-m", "granian",
        "--interface", "wsgi",
        "--host", host,
        "--port", str(port),
        "--workers", str(workers),
        "--blocking-threads", str(threads),
        # A worker that dies (OOM, kill -9) is replaced; the others keep
        # serving meanwhile.
        "--respawn-failed-workers",
        "--respawn-interval", "0.5",
        "--workers-kill-timeout", str(int(STOP_TIMEOUT)),
        "--no-ws",
        "--log-level", "warning",
        application,
    ]  # fmt: skip


def manage_command(args: Sequence[str]) -> list[str]:
    """A pantry management command as a child process."""
    return [sys.executable, "-m", "pantry.platform.cli", *args]


def _own_group() -> None:
    # Runs in the child before exec: a process group of its own (the
    # terminal's Ctrl-C goes to pantry, which stops children in order), and
    # SIGTERM when pantry dies, even by SIGKILL.
    os.setpgid(0, 0)
    _set_parent_death_signal(signal.SIGTERM)


def _set_parent_death_signal(signum: int) -> None:
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    pr_set_pdeathsig = 1
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(pr_set_pdeathsig, signum, 0, 0, 0)


@dataclass
class Child:
    name: str
    command: list[str]
    restart: bool
    env: dict[str, str] | None = None
    process: subprocess.Popen[bytes] | None = None
    restarts: int = 0
    next_start: float = 0.0
    delay: float = RESTART_DELAY
    started_at: float = field(default=0.0)

    def start(self) -> None:
        self.process = subprocess.Popen(
            self.command, env=self.env, preexec_fn=_own_group, stdin=subprocess.DEVNULL
        )
        self.started_at = time.monotonic()

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def signal_group(self, signum: int) -> None:
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signum)

    def reap(self) -> None:
        """Kill whatever is left of the group once its leader has exited."""
        self.signal_group(signal.SIGKILL)


class Supervisor:
    """Run the server and background commands; stop all of them together."""

    def __init__(
        self,
        server: list[str],
        background: Sequence[Sequence[str]] = (),
        *,
        env: dict[str, str] | None = None,
        say: Callable[[str], None] = print,
    ):
        self.say = say
        self.children = [Child("server", list(server), restart=False, env=env)]
        for args in background:
            self.children.append(
                Child(" ".join(args), manage_command(args), restart=True, env=env)
            )
        self._stopping: int | None = None

    @property
    def server(self) -> Child:
        return self.children[0]

    def _on_signal(self, signum: int, frame: Any) -> None:
        self._stopping = signum

    def run(self) -> int:
        """Until the server exits or SIGINT/SIGTERM arrive; the server's code."""
        previous = {
            signum: signal.signal(signum, self._on_signal)
            for signum in (signal.SIGINT, signal.SIGTERM)
        }
        try:
            for child in self.children:
                child.start()
            while self._stopping is None:
                code = self._watch()
                if code is not None:
                    return code
                time.sleep(0.1)
            return 0
        finally:
            self.stop()
            for signum, handler in previous.items():
                signal.signal(signum, handler)

    def _watch(self) -> int | None:
        if not self.server.running():
            assert self.server.process is not None
            code = self.server.process.returncode
            self.say(f"pantry: the server exited with code {code}")
            return code or 1
        now = time.monotonic()
        for child in self.children[1:]:
            if child.running():
                if now - child.started_at > 60:
                    child.delay = RESTART_DELAY  # it ran a while: a fresh start
                continue
            if child.next_start == 0.0:
                code = child.process.returncode if child.process else None
                child.reap()
                child.next_start = now + child.delay
                self.say(
                    f"pantry: {child.name} exited with code {code}; "
                    f"restarting in {child.delay:g} s"
                )
                child.delay = min(child.delay * 2, RESTART_DELAY_MAX)
            elif now >= child.next_start:
                child.next_start = 0.0
                child.restarts += 1
                child.start()
        return None

    def stop(self) -> None:
        """SIGTERM (granian: SIGINT) to every group, wait, then kill the rest."""
        for child in self.children:
            if not child.running():
                continue
            assert child.process is not None
            if child is self.server:
                # granian's own graceful stop: its main process stops workers.
                child.process.send_signal(signal.SIGINT)
            else:
                child.signal_group(signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT
        for child in self.children:
            if child.process is None:
                continue
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            child.reap()
            if child.process.poll() is None:
                child.process.wait()
