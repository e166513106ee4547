"""``pantry db top``: the heaviest statements (pg_stat_statements)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pantry.platform.statements import (
    ORDERS,
    StatementsUnavailable,
    reset_statements,
    top_statements,
)

QUERY_WIDTH = 100


class Command(BaseCommand):
    help = "Show the statements with the most total (or mean) time, calls or rows."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--order", choices=sorted(ORDERS), default="total")
        parser.add_argument("--limit", type=int, default=20)
        parser.add_argument("--json", action="store_true")
        parser.add_argument(
            "--reset", action="store_true", help="clear the statistics afterwards"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not 1 <= options["limit"] <= 1000:
            raise CommandError("--limit must be between 1 and 1000")
        try:
            rows = top_statements(order=options["order"], limit=options["limit"])
            if options["reset"]:
                reset_statements()
        except StatementsUnavailable as exc:
            raise CommandError(str(exc)) from None
        if options["json"]:
            self.stdout.write(json.dumps([row.as_json() for row in rows], indent=2))
            return
        self.stdout.write(
            f"{'total ms':>12} {'mean ms':>10} {'calls':>9} {'rows':>10}  query"
        )
        for row in rows:
            query = row.query
            if len(query) > QUERY_WIDTH:
                query = query[: QUERY_WIDTH - 1] + "…"
            self.stdout.write(
                f"{row.total_ms:>12.1f} {row.mean_ms:>10.3f} {row.calls:>9}"
                f" {row.rows:>10}  {query}"
            )
