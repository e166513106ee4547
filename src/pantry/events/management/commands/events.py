import signal
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pantry.events.audit import acting_as
from pantry.events.dispatch import Dispatcher
from pantry.events.retention import prune


class Command(BaseCommand):
    help = "Deliver webhooks, or prune old events and audit records."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        dispatch = sub.add_parser(
            "dispatch", help="deliver webhooks until stopped (SIGTERM/SIGINT)"
        )
        dispatch.add_argument(
            "--once", action="store_true", help="stop when nothing is due"
        )
        dispatch.add_argument("--batch", type=int, default=100)
        dispatch.add_argument("--concurrency", type=int, default=16)
        pruning = sub.add_parser("prune", help="delete old audit records and events")
        pruning.add_argument("--audit-days", type=int, default=365)
        pruning.add_argument("--events-days", type=int, default=30)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "dispatch":
            self._dispatch(options)
        else:
            for name in ("audit_days", "events_days"):
                if options[name] < 1:
                    raise CommandError(f"--{name.replace('_', '-')} must be at least 1")
            with acting_as("command:events prune"):
                pruned = prune(
                    audit_older_than=timedelta(days=options["audit_days"]),
                    events_older_than=timedelta(days=options["events_days"]),
                )
            self.stdout.write(
                f"pruned {pruned.audit} audit records and {pruned.events} events"
            )

    def _dispatch(self, options: dict[str, Any]) -> None:
        if not 1 <= options["batch"] <= 1000:
            raise CommandError("--batch must be from 1 to 1000")
        if not 1 <= options["concurrency"] <= 256:
            raise CommandError("--concurrency must be from 1 to 256")
        dispatcher = Dispatcher(
            batch=options["batch"], concurrency=options["concurrency"]
        )

        def stop(signum: int, frame: Any) -> None:
            dispatcher.stopping.set()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            count = dispatcher.run(once=options["once"])
        finally:
            dispatcher.close()
        self.stdout.write(f"dispatched {count} deliveries")
