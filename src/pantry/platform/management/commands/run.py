"""`pantry run`: migrate, load demo data into an empty database, and serve."""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from pantry.platform.cli import close_connections
from pantry.platform.errors import CliError
from pantry.platform.processes import background_commands
from pantry.platform.server import Supervisor, server_command


class Command(BaseCommand):
    help = "Migrate, load demo data into an empty database, and serve."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="server processes (default: PANTRY_WORKERS, else cores)",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=None,
            help="threads per process (default: PANTRY_THREADS, else 4)",
        )
        parser.add_argument(
            "--no-demo", action="store_true", help="do not load demo data"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        host, port = options["host"], options["port"]
        if not 0 < port < 65536:
            raise CliError(f"--port must be between 1 and 65535, not {port}")
        for name in ("workers", "threads"):
            if options[name] is not None and options[name] < 1:
                raise CliError(f"--{name} must be at least 1, not {options[name]}")
        if not port_free(host, port):
            raise CliError(
                f"port {port} on {host} is already in use; stop what listens "
                "there or pass --port"
            )
        call_command("migrate", interactive=False, verbosity=1)
        if not options["no_demo"]:
            call_command("demo", if_empty=True)
        if settings.PRODUCTION:
            call_command("collectstatic", interactive=False, verbosity=0)
        base = site_url(host, port)
        if settings.PANTRY_ENV == "development":
            self.stdout.write(admin_login(base))
        background = [] if settings.PRODUCTION else background_commands()
        close_connections()
        command = server_command(
            host=host, port=port, workers=options["workers"], threads=options["threads"]
        )
        self.stdout.write(f"pantry: serving on http://{host}:{port}/ (Ctrl-C stops)")
        for line in background:
            self.stdout.write(f"pantry: running `pantry {' '.join(line)}` alongside")
        self.stdout.flush()
        with metrics_dir() as metrics:
            code = Supervisor(
                command,
                background,
                env=server_env(base, metrics),
                say=self.stdout.write,
            ).run()
        self.stdout.write("pantry: stopped")
        if code:
            raise SystemExit(code)


def port_free(host: str, port: int) -> bool:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise CliError(f"cannot use host {host!r}: {exc.strerror}") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError:
            return False
    return True


def site_url(host: str, port: int) -> str:
    """The base of links in emails: PANTRY_SITE_URL if set, else where we serve."""
    if os.environ.get("PANTRY_SITE_URL", "").strip():
        return settings.PANTRY_SITE_URL
    if host in {"0.0.0.0", "::", ""}:  # noqa: S104 - a name, not a bind
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def server_env(base: str, metrics: str) -> dict[str, str]:
    return {**os.environ, "PANTRY_SITE_URL": base, "PROMETHEUS_MULTIPROC_DIR": metrics}


@contextlib.contextmanager
def metrics_dir() -> Iterator[str]:
    """An empty directory where every worker writes its metrics.

    Without one, each granian worker counts alone and a scrape sees one
    worker's share. A configured directory is emptied first (files of a
    previous run would add up with this one's); otherwise a temporary one
    lives as long as the server.
    """
    configured = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "").strip()
    if configured:
        path = Path(configured)
        path.mkdir(parents=True, exist_ok=True)
        for stale in path.glob("*.db"):
            stale.unlink()
        yield str(path)
        return
    with tempfile.TemporaryDirectory(prefix="pantry-metrics-") as temporary:
        yield temporary


def admin_login(base: str) -> str:
    """How to log in to the admin; creates a local admin on first run."""
    from django.contrib.auth import get_user_model

    users = get_user_model()
    if users.objects.filter(is_superuser=True, is_active=True).exists():
        return (
            f"admin: {base}/admin/ (forgot the password? "
            "`pantry changepassword USERNAME`; another admin: "
            "`pantry createsuperuser`)"
        )
    username = "admin"
    if users.objects.filter(username=username).exists():
        username = f"admin-{secrets.token_hex(3)}"
    password = secrets.token_urlsafe(12)
    users.objects.create_superuser(username=username, email="", password=password)
    return (
        f"admin: log in at {base}/admin/ as {username} with password {password} "
        f"(shown once; `pantry changepassword {username}` sets another)"
    )
