"""Check migrations: none missing, all lint-clean, each app reversible alone.

Runs on a scratch database on the same server, so development data is never
touched: migrate forward, then for each pantry app migrate that app alone to
zero and everything forward again. Migrating one app to zero unapplies only
what declares a dependency on it, so a missing dependency (a trigram index
of another app when pg_trgm is dropped) fails here rather than in use.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.apps import apps
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection, connections
from django.db.migrations.loader import MigrationLoader

from pantry.core.migration_safety import check_migrations, project_plan


def pantry_apps() -> list[str]:
    """Labels of pantry's apps that have migrations, in INSTALLED_APPS order."""
    migrated = MigrationLoader(None, ignore_no_migrations=True).migrated_apps
    return [
        config.label
        for config in apps.get_app_configs()
        if config.name.startswith("pantry.") and config.label in migrated
    ]


class Command(BaseCommand):
    help = "Fail unless migrations are complete, lint-clean and reversible per app."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--skip-lint", action="store_true", help="skip makemigrations and lint"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        labels = pantry_apps()
        if not options["skip_lint"]:
            self.stdout.write("checking for missing migrations")
            call_command("makemigrations", check=True, dry_run=True, verbosity=1)
            self.stdout.write("linting migrations")
            try:
                call_command(
                    "lintmigrations", include_apps=labels, no_cache=True, verbosity=1
                )
            except SystemExit as exit_:
                if exit_.code:
                    raise CommandError(
                        "django-migration-linter found problems"
                    ) from None
            self.stdout.write("checking that no migration blocks a busy table")
            findings = check_migrations(project_plan())
            if findings:
                raise CommandError(
                    "migrations that would block a busy table (fix them, or say "
                    "why in the migration's `safety` attribute):\n"
                    + "\n".join(f"  {finding}" for finding in findings)
                )

        scratch = f"pantry_migrations_check_{uuid.uuid4().hex[:8]}"
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{scratch}"')
        original = connection.settings_dict["NAME"]
        self._use_database(scratch)
        try:
            self.stdout.write(f"migrating {scratch} forward")
            call_command("migrate", interactive=False, verbosity=0)
            for label in labels:
                self.stdout.write(f"migrating {label} alone to zero and forward again")
                try:
                    call_command(
                        "migrate", label, "zero", interactive=False, verbosity=0
                    )
                except DatabaseError as exc:
                    first = str(exc).strip().splitlines()[0]
                    raise CommandError(
                        f"`migrate {label} zero` failed: {first}; a migration of "
                        "another app probably lacks a dependency on it"
                    ) from None
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
