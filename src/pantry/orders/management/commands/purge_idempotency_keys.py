from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pantry.orders.services import IDEMPOTENCY_TTL, purge_idempotency_keys


class Command(BaseCommand):
    help = "Delete stored Idempotency-Key records older than --hours (default 24)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--hours", type=int, default=int(IDEMPOTENCY_TTL.total_seconds() // 3600)
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["hours"] < 1:
            raise CommandError("--hours must be at least 1.")
        deleted = purge_idempotency_keys(older_than=timedelta(hours=options["hours"]))
        self.stdout.write(f"purged {deleted} idempotency key(s)")
