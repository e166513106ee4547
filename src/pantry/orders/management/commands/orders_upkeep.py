from __future__ import annotations

import signal
import threading
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections

from pantry.events.audit import acting_as
from pantry.orders.expiry import BATCH, expire_orders
from pantry.orders.rollups import fold, rebuild


class Command(BaseCommand):
    help = (
        "Expire unpaid orders past their window and fold the sales rollups; "
        "once, or every --every seconds until stopped."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--every", type=float, default=None, help="repeat, this many seconds apart"
        )
        parser.add_argument(
            "--rebuild",
            action="store_true",
            help="count the sales rollups afresh from the orders, then stop",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        every = options["every"]
        if every is not None and not 1 <= every <= 86_400:
            raise CommandError("--every must be from 1 to 86400 seconds.")
        if options["rebuild"]:
            started = time.monotonic()
            rebuilt = rebuild()
            self.stdout.write(
                f"rebuilt the sales rollups ({rebuilt.sales_days} days, window "
                f"{rebuilt.first_day} to {rebuilt.last_day}) in "
                f"{time.monotonic() - started:.2f} s"
            )
            return
        stopping = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stopping.set())
        while True:
            self._round(quiet=every is not None)
            if every is None or stopping.wait(every):
                return
            close_old_connections()

    def _round(self, *, quiet: bool) -> None:
        with acting_as("command:orders_upkeep"):
            swept = expire_orders(batch=BATCH, max_batches=None)
            folded = fold()
        if swept.orders or not quiet:
            self.stdout.write(
                f"expired {swept.orders} order(s); sales rollups folded "
                f"(window {folded.first_day} to {folded.last_day})"
            )
