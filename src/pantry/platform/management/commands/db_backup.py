"""``pantry db backup FILE``: a pg_dump custom-format backup of the database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from pantry.platform.backup import BackupError, backup


class Command(BaseCommand):
    help = "Write a custom-format backup (pg_dump -Fc) of the database to FILE."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, metavar="FILE")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            size = backup(settings.DATABASES["default"], options["file"])
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"backup written to {options['file']} ({size:,} bytes)")
