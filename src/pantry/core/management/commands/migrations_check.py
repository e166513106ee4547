"""Check migrations: none missing, all lint-clean, all reversible.

Runs on a scratch database on the same server, so development data is never
touched: migrate forward, every pantry app back to zero, and forward again.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections

PANTRY_APPS = [
    "orders",
    "payments",
    "vouchers",
    "tax",
    "shipping",
    "search",
    "journal",
    "catalog",
    "core",
]


class Command(BaseCommand):
    help = "Fail unless migrations are complete, lint-clean and reversible."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write("checking for missing migrations")
        call_command("makemigrations", check=True, dry_run=True, verbosity=1)

        self.stdout.write("linting migrations")
        try:
            call_command(
                "lintmigrations", include_apps=PANTRY_APPS, no_cache=True, verbosity=1
            )
        except SystemExit as exit_:
            if exit_.code:
                raise CommandError("django-migration-linter found problems") from None

        scratch = f"pantry_migrations_check_{uuid.uuid4().hex[:8]}"
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{scratch}"')
        original = connection.settings_dict["NAME"]
        self._use_database(scratch)
        try:
            self.stdout.write(f"migrating {scratch} forward, to zero and forward again")
            call_command("migrate", interactive=False, verbosity=0)
            for app in PANTRY_APPS:
                call_command("migrate", app, "zero", interactive=False, verbosity=0)
            call_command("migrate", interactive=False, verbosity=0)
        finally:
            self._use_database(original)
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
        self.stdout.write(
            self.style.SUCCESS("migrations are complete, clean and reversible")
        )

    def _use_database(self, name: str) -> None:
        for conn in connections.all(initialized_only=True):
            conn.close()
            close_pool = getattr(conn, "close_pool", None)
            if close_pool:
                close_pool()
        connection.settings_dict["NAME"] = name
