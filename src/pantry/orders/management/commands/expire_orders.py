from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pantry.orders.expiry import BATCH, expire_orders


class Command(BaseCommand):
    help = (
        "Expire unpaid orders past their payment window, returning stock and vouchers."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=BATCH)
        parser.add_argument("--max-batches", type=int, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        if not 1 <= options["batch"] <= 10_000:
            raise CommandError("--batch must be from 1 to 10000.")
        started = time.monotonic()
        swept = expire_orders(
            batch=options["batch"], max_batches=options["max_batches"]
        )
        seconds = time.monotonic() - started
        rate = swept.orders / seconds if seconds > 0 else 0.0
        self.stdout.write(
            f"expired {swept.orders} order(s) in {swept.batches} batch(es), "
            f"{seconds:.2f} s, {rate:.0f} orders/s"
        )
