"""``pantry db restore FILE [--replace]``: restore a backup in one transaction."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from pantry.platform.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by `pantry db backup` into an empty database; "
        "--replace overwrites a database that has tables."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, metavar="FILE")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="drop what the database holds, in the restoring transaction",
        )
        parser.add_argument(
            "--dbname",
            help="restore into this database on the same server (it must exist)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        config = settings.DATABASES["default"]
        target = options["dbname"] or config["NAME"]
        try:
            restore(
                config, options["file"], database=target, replace=options["replace"]
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"restored {options['file']} into database {target}")
