"""``pantry import products FILE``: load products from JSON Lines or CSV.

Ops tooling rather than catalog code: it wraps the catalog's import in the
search app's bulk load, so that the lexicon is counted on the side.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pantry.catalog.importing import (
    CSV_HELP,
    FORMATS,
    ImportFileError,
    detect_format,
    import_products,
    open_import_file,
)
from pantry.search.bulk import bulk_load

JSONL_HELP = """\
JSON Lines: one product per line, in the create shape of the API:
  {"slug", "name", "description", "category": "<category slug>", "tags": [...],
   "specs": {...}, "attributes": {"key": "value"}, "is_active": true,
   "variants": [{"sku", "price", "currency", "stock", "options": {...}}]}
Products are matched by slug, variants by SKU: new ones are created, changed
ones updated, equal ones left alone. Variants missing from a line are kept.
"""


class Command(BaseCommand):
    help = "Import catalog data: pantry import products FILE."

    def add_arguments(self, parser: CommandParser) -> None:
        from argparse import RawDescriptionHelpFormatter

        sub = parser.add_subparsers(dest="what", required=True)
        products = sub.add_parser(
            "products",
            help="import products and their variants",
            description=(
                "Import products from JSON Lines (.jsonl) or CSV (.csv). "
                "Any invalid line is reported with its number and reason; "
                "unless --skip-invalid, nothing is then imported."
            ),
            epilog=JSONL_HELP + "\n" + CSV_HELP,
            formatter_class=RawDescriptionHelpFormatter,
        )
        products.add_argument("file", type=Path, help="the file to import")
        products.add_argument(
            "--format",
            choices=FORMATS,
            help="jsonl or csv (default: from the file extension)",
        )
        products.add_argument(
            "--skip-invalid",
            action="store_true",
            help="import the valid lines even when some are invalid",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            file_format = detect_format(path, options["format"])
            raw = open_import_file(path)
        except ImportFileError as exc:
            raise CommandError(str(exc)) from None
        with raw:
            bar = _progress_bar(path)
            try:
                with bulk_load() as words:
                    result = import_products(
                        raw,
                        file_format=file_format,
                        skip_invalid=options["skip_invalid"],
                        progress=(
                            (lambda done: bar.update(done - bar.n)) if bar else None
                        ),
                        insert_hook=words,
                        image_base=path.resolve().parent,
                    )
            except ImportFileError as exc:
                raise CommandError(str(exc)) from None
            finally:
                if bar:
                    bar.close()
        for line in result.report():
            self.stderr.write(line)
        if not result.loaded:
            raise CommandError(result.summary())
        self.stdout.write(result.summary())


def _progress_bar(path: Path) -> Any:
    # Only a person at a terminal wants a bar; logs and pipes do not.
    if not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(
        total=os.path.getsize(path),
        unit="B",
        unit_scale=True,
        desc=f"importing {path.name}",
        file=sys.stderr,
    )
