"""``pantry purge_stale``: delete expired sessions and carts left untouched."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from pantry.customers.carts import purge_stale_carts
from pantry.customers.sessions import purge_expired_sessions


class Command(BaseCommand):
    help = (
        "Delete expired sessions and saved carts untouched for "
        "PANTRY_CART_MAX_AGE_DAYS, in bounded batches (run it daily)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--cart-days",
            type=int,
            default=None,
            help="Override PANTRY_CART_MAX_AGE_DAYS for this run.",
        )
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["cart_days"] or settings.PANTRY_CART_MAX_AGE_DAYS
        batch = options["batch_size"]
        if days < 1 or batch < 1:
            raise CommandError("--cart-days and --batch-size must be at least 1.")
        sessions = purge_expired_sessions(batch_size=batch)
        carts = purge_stale_carts(older_than=timedelta(days=days), batch_size=batch)
        self.stdout.write(f"purged {sessions} expired sessions and {carts} stale carts")
