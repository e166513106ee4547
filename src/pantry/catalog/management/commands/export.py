"""``pantry export products [--output FILE]``: products as JSON Lines."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pantry.catalog.exporter import export_products
from pantry.core.files import FileWriteError, atomic_write


class Command(BaseCommand):
    help = "Export catalog data: pantry export products [--output FILE]."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        products = sub.add_parser(
            "products",
            help="export products and their variants as JSON Lines",
            description=(
                "Write every product, ordered by slug, as JSON Lines in the "
                "format `pantry import products` reads."
            ),
        )
        products.add_argument(
            "--output", "-o", type=Path, help="file to write (default: stdout)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path | None = options["output"]
        if path is None:
            try:
                count = export_products(sys.stdout)
                sys.stdout.flush()
            except BrokenPipeError:
                # The reader left (`pantry export products | head`): stop
                # quietly, and keep the exit flush from failing again.
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
                return
        else:
            try:
                with atomic_write(path) as out:
                    count = export_products(out)
            except FileWriteError as exc:
                raise CommandError(str(exc)) from None
        self.stderr.write(f"exported {count} products")
