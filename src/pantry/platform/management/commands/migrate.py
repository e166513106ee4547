"""``pantry migrate``: Django's migrate under lock and statement timeouts,
plus ``--rehearse`` on a throw-away copy of the database."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.core.management.commands import migrate
from django.db import DatabaseError, connections

from pantry.platform.backup import BackupError
from pantry.platform.migrating import (
    migration_timeouts,
    rehearse,
    timeout_message,
)


class Command(migrate.Command):
    help = (
        migrate.Command.help + " Runs under PANTRY_MIGRATION_LOCK_TIMEOUT and"
        " PANTRY_MIGRATION_STATEMENT_TIMEOUT; --rehearse applies the pending"
        " migrations to a copy and reports durations and locks."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--rehearse",
            action="store_true",
            help="apply pending migrations to a copy of the database and report "
            "per migration its duration and locks; the database is untouched",
        )
        parser.add_argument(
            "--json", action="store_true", help="with --rehearse: a JSON report"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["rehearse"]:
            self._rehearse(options)
            return
        self._current: str | None = None
        connection = connections[options["database"]]
        try:
            with migration_timeouts(connection):
                super().handle(*args, **options)
        except DatabaseError as exc:
            message = timeout_message(exc, self._current)
            if message is None:
                raise
            raise CommandError(message) from None

    def migration_progress_callback(
        self, action: str, migration: Any = None, fake: bool = False
    ) -> None:
        if action in ("apply_start", "unapply_start"):
            self._current = f"{migration.app_label}.{migration.name}"
        super().migration_progress_callback(action, migration, fake)

    def _rehearse(self, options: dict[str, Any]) -> None:
        if options["database"] != "default" or options.get("app_label"):
            raise CommandError("--rehearse applies every pending migration of default")

        def progress(line: str) -> None:
            if not options["json"]:
                self.stdout.write(line)

        try:
            method, reports = rehearse(progress=progress)
        except BackupError as exc:
            raise CommandError(f"cannot copy the database: {exc}") from None
        except DatabaseError as exc:
            message = timeout_message(exc, None)
            if message is None:
                raise
            raise CommandError(message) from None
        if options["json"]:
            document = {"copy": method, "migrations": [r.as_json() for r in reports]}
            self.stdout.write(json.dumps(document, indent=2))
            return
        if not reports:
            self.stdout.write("no pending migrations")
            return
        for report in reports:
            data = report.as_json()
            lock = data["strongest_lock"]
            held = (
                f"{lock['mode']} on {lock['relation']} ({lock['rows']:,} rows) "
                f"for {lock['seconds']:.3f} s"
                if lock
                else "no table locks seen"
            )
            self.stdout.write(
                f"{report.name}: {data['seconds']:.3f} s; strongest lock {held}; "
                f"reads would wait {data['reads_blocked_seconds']:.3f} s, "
                f"writes {data['writes_blocked_seconds']:.3f} s"
            )
