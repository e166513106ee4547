"""Import products from JSON Lines or CSV: stage with COPY, check, upsert.

The steps: ``formats`` reads a file line by line, ``checks`` checks one
product's shape, ``staging`` holds the SQL of the staging tables, ``load``
writes chunk after chunk, and ``pipeline`` runs them in one transaction.
"""

from pantry.catalog.importing.formats import (
    CSV_HELP,
    FORMATS,
    detect_format,
    open_import_file,
)
from pantry.catalog.importing.pipeline import import_products
from pantry.catalog.importing.report import ImportFileError, ImportResult

__all__ = [
    "CSV_HELP",
    "FORMATS",
    "ImportFileError",
    "ImportResult",
    "detect_format",
    "import_products",
    "open_import_file",
]
