"""``pantry explain [NAME ...] [--json]``: EXPLAIN ANALYZE of the key queries."""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pantry.platform.explain import NAMES, PlanReport, Skipped, run_cases


class Command(BaseCommand):
    help = (
        "Run pantry's key queries with EXPLAIN (ANALYZE, BUFFERS) on the current "
        "data; exit 1 when a plan is flagged. Names: " + ", ".join(NAMES)
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("names", nargs="*", metavar="NAME")
        parser.add_argument("--json", action="store_true", help="one JSON document")

    def handle(self, *args: Any, **options: Any) -> None:
        names = options["names"]
        unknown = [name for name in names if name not in NAMES]
        if unknown:
            raise CommandError(
                f"unknown query {unknown[0]!r}; known: {', '.join(NAMES)}"
            )
        results = run_cases(names)
        reports = [r for r in results if isinstance(r, PlanReport)]
        skipped = [str(r) for r in results if isinstance(r, Skipped)]
        flagged = sum(1 for report in reports if report.flags)
        if options["json"]:
            document = {
                "queries": [report.as_json() for report in reports],
                "skipped": skipped,
                "flagged": flagged,
            }
            self.stdout.write(json.dumps(document, indent=2))
        else:
            self._table(reports, skipped, flagged)
        if flagged:
            sys.exit(1)

    def _table(
        self, reports: list[PlanReport], skipped: list[str], flagged: int
    ) -> None:
        width = max((len(report.name) for report in reports), default=10)
        self.stdout.write(
            f"{'query':<{width}}  {'ms':>8}  {'rows':>7}  {'hit':>7}  {'read':>6}"
            "  indexes"
        )
        for report in reports:
            indexes = ", ".join(report.indexes) or "-"
            self.stdout.write(
                f"{report.name:<{width}}  {report.time_ms:>8.2f}  {report.rows:>7}"
                f"  {report.shared_hit:>7}  {report.shared_read:>6}  {indexes}"
            )
            for flag in report.flags:
                self.stdout.write(f"{'':<{width}}  FLAG: {flag}")
        for name in skipped:
            self.stdout.write(
                f"{name:<{width}}  skipped: no data to draw parameters from"
            )
        self.stdout.write(
            f"{len(reports)} statements, {flagged} flagged"
            + (f", {len(skipped)} skipped" if skipped else "")
        )
