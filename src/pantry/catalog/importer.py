"""Import products from JSON Lines or CSV: stage with COPY, check, upsert.

The file is read once, line by line, in bounded memory. Each line is parsed
and its shape checked in Python (JSON, types, lengths, signs); lines that
pass go, a chunk at a time, with COPY into temporary staging tables. What
needs the file so far or the database (unknown categories, slugs and SKUs
repeated in the file, a SKU that belongs to another product) is checked in
SQL on the staging tables. Then the chunk's products are upserted by slug and
variants by SKU, touching only rows whose values differ, so importing the
same file twice changes nothing, not even ``updated_at``. The whole file is
one transaction: when a line is invalid (and invalid lines are not to be
skipped) everything is rolled back.

A file larger than the catalog is a bulk load: secondary indexes are dropped
and built once at the end, and product summaries are recomputed once. Into
an empty catalog nothing can conflict, so rows are inserted rather than
upserted, the unique indexes are dropped too, and repeats within the file
are found by one aggregate at the end (see FRESH_SQL).
"""

from __future__ import annotations

import codecs
import csv
import json
import math
import queue
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import (
    DEFAULT_DB_ALIAS,
    DatabaseError,
    connection,
    connections,
    transaction,
)
from django.utils.text import slugify

from pantry.catalog import bulk
from pantry.events.audit import acting_as
from pantry.events.outbox import emit

FORMATS = ("jsonl", "csv")
NAME_MAX = 200
SLUG_MAX = 200
SKU_MAX = 64
TAG_MAX = 50
PRICE_MAX = Decimal("9999999999.99")
STOCK_MAX = 2**31 - 1
SLUG_RE = re.compile(r"^[-a-zA-Z0-9_]+\Z")
CURRENCY_RE = re.compile(r"^[A-Z]{3}\Z")
PRODUCT_FIELDS = {
    "slug",
    "name",
    "description",
    "category",
    "tags",
    "specs",
    "attributes",
    "is_active",
    "variants",
}
VARIANT_FIELDS = {"sku", "price", "currency", "stock", "options"}
# CSV: one row per variant; the product columns repeat on each row of a
# product (taken from its first row), and consecutive rows with the same
# slug belong to one product. A product without variants is one row with an
# empty sku.
CSV_REQUIRED = ("name", "category")
CSV_COLUMNS = (
    "slug",
    "name",
    "description",
    "category",
    "tags",
    "specs",
    "attributes",
    "is_active",
    "sku",
    "price",
    "currency",
    "stock",
    "options",
)
CSV_HELP = """\
CSV columns (header row required; order free; unknown columns refused):
  slug         product slug; empty: derived from the name
  name         product name (required)
  description  text
  category     category slug (required; must exist)
  tags         tags separated by "|", e.g. "kitchen|gift"
  specs        a JSON object, e.g. {"power_w": 2200}
  attributes   a flat JSON object of strings, e.g. {"brand": "Aurora"}
  is_active    true or false (default true)
  sku, price, currency, stock, options
               one variant per row (options a JSON object); rows of one
               product are consecutive and repeat its product columns; a
               product without variants is one row with an empty sku
"""
# Errors kept for the report; the rest are counted.
REPORT_LIMIT = 1000
# Above this share of new rows, indexes are rebuilt rather than maintained.
REBUILD_RATIO = 1.0


class ImportFileError(Exception):
    """The file cannot be imported at all (unreadable, no header, ...)."""


@dataclass
class ImportResult:
    lines: int = 0
    valid: int = 0
    staged: int = 0
    products_created: int = 0
    products_updated: int = 0
    variants_created: int = 0
    variants_updated: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    error_count: int = 0
    loaded: bool = False

    def add_error(self, line: int, reason: str) -> None:
        self.error_count += 1
        if len(self.errors) < REPORT_LIMIT:
            self.errors.append((line, reason))

    def counts(self) -> dict[str, int]:
        return {
            "products_created": self.products_created,
            "products_updated": self.products_updated,
            "variants_created": self.variants_created,
            "variants_updated": self.variants_updated,
        }

    def report(self) -> list[str]:
        """The invalid lines in file order, one message each."""
        lines = [f"line {line}: {reason}" for line, reason in sorted(self.errors)]
        if self.error_count > len(self.errors):
            lines.append(f"... and {self.error_count - len(self.errors)} more")
        return lines

    def summary(self) -> str:
        if not self.loaded:
            return (
                f"{self.lines} lines read, {self.error_count} invalid: nothing imported"
            )
        return (
            f"{self.lines} lines read, {self.valid} valid, {self.error_count} "
            f"invalid; products: {self.products_created} created, "
            f"{self.products_updated} updated; variants: {self.variants_created} "
            f"created, {self.variants_updated} updated"
        )


class LineError(Exception):
    """One line is invalid; the message says why."""


# -- parsing and checking one product -----------------------------------------


def _string(
    value: Any, name: str, *, required: bool = False, max_length: int = 0
) -> str:
    if value is None:
        if required:
            raise LineError(f"{name} is required")
        return ""
    if not isinstance(value, str):
        raise LineError(f"{name} must be a string")
    if required and not value.strip():
        raise LineError(f"{name} is required")
    if max_length and len(value) > max_length:
        raise LineError(f"{name} is longer than {max_length} characters")
    if "\x00" in value:
        raise LineError(f"{name} contains a NUL character")
    return value


def _object(value: Any, name: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise LineError(f"{name} must be a JSON object")
    return value


def _price(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise LineError("price must be a number or a decimal string")
    try:
        price = Decimal(str(value).strip())
    except InvalidOperation:
        raise LineError(f"price {value!r} is not a number") from None
    if not price.is_finite():
        raise LineError(f"price {value!r} is not a number")
    if price < 0:
        raise LineError("price must not be negative")
    if price > PRICE_MAX:
        raise LineError(f"price must be at most {PRICE_MAX}")
    if price != price.quantize(Decimal("0.01")):
        raise LineError("price has more than two decimal places")
    return f"{price:.2f}"


def _stock(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int):
        raise LineError("stock must be a whole number")
    if value < 0:
        raise LineError("stock must not be negative")
    if value > STOCK_MAX:
        raise LineError(f"stock must be at most {STOCK_MAX}")
    return value


def check_product(doc: Any, currency: str) -> dict[str, Any]:
    """The product with defaults filled in and tags normalised, or LineError."""
    if not isinstance(doc, dict):
        raise LineError("a line must be a JSON object")
    if unknown := sorted(set(doc) - PRODUCT_FIELDS):
        raise LineError(f"unknown field {unknown[0]!r}")
    name = _string(doc.get("name"), "name", required=True, max_length=NAME_MAX)
    slug = doc.get("slug")
    if slug is None or slug == "":
        slug = slugify(name)[:SLUG_MAX]
        if not slug:
            raise LineError("slug cannot be derived from the name; give one")
    else:
        slug = _string(slug, "slug", max_length=SLUG_MAX)
        if not SLUG_RE.match(slug):
            raise LineError(f"slug {slug!r} may hold only letters, digits, '-' and '_'")
    description = _string(doc.get("description"), "description")
    category = _string(doc.get("category"), "category", required=True, max_length=100)
    tags_in = doc.get("tags")
    if tags_in is None:
        tags_in = []
    if not isinstance(tags_in, list):
        raise LineError("tags must be a list of strings")
    tags = []
    for tag in tags_in:
        if not isinstance(tag, str):
            raise LineError("tags must be a list of strings")
        tag = tag.strip().lower()
        if not tag:
            raise LineError("tags must not be empty")
        if len(tag) > TAG_MAX:
            raise LineError(f"tag {tag[:20]!r}... is longer than {TAG_MAX} characters")
        if "\x00" in tag:
            raise LineError("tags contain a NUL character")
        tags.append(tag)
    specs = _json(_object(doc.get("specs"), "specs"))
    if "\\u0000" in specs:
        raise LineError("specs contain a NUL character")
    attributes = _object(doc.get("attributes"), "attributes")
    for key, value in attributes.items():
        if not isinstance(value, str):
            raise LineError(f"attributes must be flat: {key!r} is not a string")
        if "\x00" in key or "\x00" in value:
            raise LineError("attributes contain a NUL character")
    is_active = doc.get("is_active", True)
    if not isinstance(is_active, bool):
        raise LineError("is_active must be true or false")
    variants_in = doc.get("variants")
    if variants_in is None:
        variants_in = []
    if not isinstance(variants_in, list):
        raise LineError("variants must be a list")
    variants = []
    skus: set[str] = set()
    for position, variant in enumerate(variants_in, 1):
        try:
            variants.append(check_variant(variant, currency))
        except LineError as exc:
            raise LineError(f"variant {position}: {exc}") from None
        sku = variants[-1]["sku"]
        if sku in skus:
            raise LineError(f"variant {position}: SKU {sku!r} repeats in this product")
        skus.add(sku)
    return {
        "slug": slug,
        "name": name,
        "description": description,
        "category": category,
        "tags": tags,
        "specs": specs,
        "attributes": attributes,
        "is_active": is_active,
        "variants": variants,
    }


def check_variant(doc: Any, currency: str) -> dict[str, Any]:
    if not isinstance(doc, dict):
        raise LineError("must be a JSON object")
    if unknown := sorted(set(doc) - VARIANT_FIELDS):
        raise LineError(f"unknown field {unknown[0]!r}")
    sku = _string(doc.get("sku"), "sku", required=True, max_length=SKU_MAX)
    if "price" not in doc or doc["price"] is None:
        raise LineError("price is required")
    price = _price(doc["price"])
    variant_currency = doc.get("currency")
    if variant_currency is None:
        variant_currency = currency
    if not isinstance(variant_currency, str) or not CURRENCY_RE.match(variant_currency):
        raise LineError("currency must be three capital letters (ISO 4217)")
    stock = _stock(doc.get("stock"))
    options = _json(_object(doc.get("options"), "options"))
    if "\\u0000" in options:
        raise LineError("options contain a NUL character")
    return {
        "sku": sku,
        "price": price,
        "currency": variant_currency,
        "stock": stock,
        "options": options,
    }


# -- reading files -------------------------------------------------------------


def decoded_lines(
    raw: IO[bytes], on_bad: Callable[[int, str], None]
) -> Iterator[tuple[int, str | None]]:
    """(line number, text) for each line; text is None when not UTF-8."""
    for number, data in enumerate(raw, 1):
        if number == 1 and data.startswith(codecs.BOM_UTF8):
            data = data[len(codecs.BOM_UTF8) :]
        try:
            yield number, data.decode("utf-8")
        except UnicodeDecodeError as exc:
            on_bad(
                number,
                f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at column {exc.start + 1})",
            )
            yield number, None


def jsonl_products(raw: IO[bytes], result: ImportResult) -> Iterator[tuple[int, Any]]:
    """(line number, parsed JSON) for each non-blank, well-formed line."""
    for number, text in decoded_lines(raw, result.add_error):
        result.lines = number
        if text is None:
            continue
        if not text.strip():
            continue
        try:
            yield number, loads(text.rstrip("\r\n"))
        except json.JSONDecodeError as exc:
            result.add_error(number, f"bad JSON: {exc.msg} at column {exc.colno}")
        except ValueError as exc:
            result.add_error(number, f"bad JSON: {exc}")


def _csv_json(value: str, column: str) -> Any:
    if not value.strip():
        return None
    try:
        return loads(value)
    except json.JSONDecodeError as exc:
        raise LineError(f"{column} is not valid JSON: {exc.msg}") from None
    except ValueError as exc:
        raise LineError(f"{column} is not valid JSON: {exc}") from None


def _csv_bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in {"", "true", "1", "yes"}:
        return True
    if lowered in {"false", "0", "no"}:
        return False
    raise LineError(f"is_active must be true or false, not {value!r}")


def _csv_int(value: str, column: str) -> Any:
    if not value.strip():
        return None
    try:
        return int(value.strip())
    except ValueError:
        raise LineError(f"{column} must be a whole number, not {value!r}") from None


def csv_products(raw: IO[bytes], result: ImportResult) -> Iterator[tuple[int, Any]]:
    """(line number of its first row, product dict or LineError) per product."""
    bad_lines: set[int] = set()

    def on_bad(number: int, reason: str) -> None:
        bad_lines.add(number)
        result.add_error(number, reason)

    line_iter = decoded_lines(raw, on_bad)
    position = {"line": 0}

    def texts() -> Iterator[str]:
        for number, text in line_iter:
            position["line"] = number
            result.lines = number
            yield text if text is not None else "\n"

    reader = csv.reader(texts(), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        raise ImportFileError(f"line 1: bad CSV header: {exc}") from None
    if 1 in bad_lines:
        raise ImportFileError("line 1: the CSV header is not valid UTF-8")
    columns = [name.strip().lower() for name in header]
    if missing := [name for name in CSV_REQUIRED if name not in columns]:
        raise ImportFileError(f"line 1: missing CSV columns: {', '.join(missing)}")
    if unknown := [name for name in columns if name not in CSV_COLUMNS]:
        raise ImportFileError(f"line 1: unknown CSV columns: {', '.join(unknown)}")
    if len(set(columns)) != len(columns):
        raise ImportFileError("line 1: a CSV column appears twice")

    current: dict[str, Any] | None = None
    current_line = 0
    current_error: LineError | None = None
    previous_end = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            start = previous_end + 1
            previous_end = position["line"]
            if current is not None:
                yield current_line, current_error or current
                current = None
            result.add_error(start, f"bad CSV: {exc}")
            continue
        start, previous_end = previous_end + 1, position["line"]
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        if any(number in bad_lines for number in range(start, previous_end + 1)):
            continue
        if len(row) != len(columns):
            if current is not None:
                yield current_line, current_error or current
                current = None
            result.add_error(
                start, f"expected {len(columns)} CSV fields, found {len(row)}"
            )
            continue
        values = dict(zip(columns, row, strict=True))
        slug = values.get("slug", "").strip() or slugify(values.get("name", ""))
        if current is not None and slug == current.get("slug"):
            if current_error is None:
                try:
                    _csv_add_variant(current, values)
                except LineError as exc:
                    current_error = LineError(f"line {start}: {exc}")
            continue
        if current is not None:
            yield current_line, current_error or current
        current_line, current_error = start, None
        try:
            current = {
                "slug": slug,
                "name": values.get("name", ""),
                "description": values.get("description", ""),
                "category": values.get("category", ""),
                "tags": [t for t in values.get("tags", "").split("|") if t.strip()],
                "specs": _csv_json(values.get("specs", ""), "specs"),
                "attributes": _csv_json(values.get("attributes", ""), "attributes"),
                "is_active": _csv_bool(values.get("is_active", "")),
                "variants": [],
            }
            _csv_add_variant(current, values)
        except LineError as exc:
            current = {"slug": slug}
            current_error = exc
    if current is not None:
        yield current_line, current_error or current


def _csv_add_variant(product: dict[str, Any], values: dict[str, str]) -> None:
    sku = values.get("sku", "")
    if not sku.strip():
        return
    variant: dict[str, Any] = {"sku": sku}
    if values.get("price", "").strip():
        variant["price"] = values["price"].strip()
    if values.get("currency", "").strip():
        variant["currency"] = values["currency"].strip()
    variant["stock"] = _csv_int(values.get("stock", ""), "stock")
    variant["options"] = _csv_json(values.get("options", ""), "options")
    product["variants"].append(variant)


# -- staging and loading -------------------------------------------------------

STAGING_SQL = """
CREATE TEMPORARY TABLE import_product (
    line integer NOT NULL,
    slug text NOT NULL,
    name text NOT NULL,
    description text NOT NULL,
    category text NOT NULL,
    tags text[] NOT NULL,
    specs jsonb NOT NULL,
    attributes hstore NOT NULL,
    is_active boolean NOT NULL
) ON COMMIT DROP;
CREATE TEMPORARY TABLE import_variant (
    line integer NOT NULL,
    product_slug text NOT NULL,
    sku text NOT NULL,
    price numeric(12, 2) NOT NULL,
    currency text NOT NULL,
    stock integer NOT NULL,
    options jsonb NOT NULL
) ON COMMIT DROP;
CREATE TEMPORARY TABLE import_invalid (
    line integer NOT NULL,
    reason text NOT NULL
) ON COMMIT DROP;
CREATE TEMPORARY TABLE import_seen_slug (
    slug text PRIMARY KEY,
    line integer NOT NULL
) ON COMMIT DROP;
CREATE TEMPORARY TABLE import_seen_sku (
    sku text PRIMARY KEY,
    line integer NOT NULL
) ON COMMIT DROP;
"""
STAGING_TABLES = (
    "import_product, import_variant, import_invalid, import_seen_slug, import_seen_sku"
)

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: str) -> str:
    # Most values need no escaping; four substring tests beat translate().
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.translate(_ESCAPES)
    return value


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _tags_literal(tags: list[str]) -> str:
    # Every element quoted, so commas, braces and spaces inside tags survive.
    return "{" + ",".join(_quoted(tag) for tag in tags) + "}"


def _hstore_literal(attributes: dict[str, str]) -> str:
    return ", ".join(f"{_quoted(k)}=>{_quoted(v)}" for k, v in attributes.items())


# One encoder for every value: json.dumps() with options builds a new one
# per call, which is a tenth of the parsing thread's time.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _json(value: Any) -> str:
    try:
        return _ENCODER.encode(value)
    except TypeError:
        # A Decimal from parse_number(): write its digits as they came.
        return _json_exact(value)


def _json_exact(value: Any) -> str:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return (
            "{"
            + ",".join(
                f"{json.dumps(k, ensure_ascii=False)}:{_json_exact(v)}"
                for k, v in value.items()
            )
            + "}"
        )
    if isinstance(value, list):
        return "[" + ",".join(_json_exact(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def parse_number(text: str) -> float | Decimal:
    """A float when it prints back as ``text``, else the exact Decimal.

    Keeps ``2.10`` and ``1e400`` as written (jsonb stores numerics exactly),
    so export and import round-trip byte for byte.
    """
    value = float(text)
    if math.isfinite(value) and repr(value) == text:
        return value
    return Decimal(text)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def loads(text: str) -> Any:
    """Parse JSON text keeping numbers exact and refusing NaN/Infinity.

    Raises ValueError (JSONDecodeError is one) for text that is not JSON or
    holds a UTF-16 surrogate escape without its pair, which has no UTF-8
    form and so cannot be stored.
    """
    try:
        value = json.loads(
            text, parse_float=parse_number, parse_constant=_reject_constant
        )
    except RecursionError:
        raise ValueError("nested too deeply") from None
    if _SURROGATE_ESCAPE.search(text):
        try:
            _json(value).encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("a \\u escape is an unpaired UTF-16 surrogate") from None
    return value


def product_rows(line: int, product: dict[str, Any]) -> tuple[str, list[str]]:
    """The COPY text rows for one checked product and its variants."""
    slug = _copy_text(product["slug"])
    product_row = "\t".join(
        (
            str(line),
            slug,
            _copy_text(product["name"]),
            _copy_text(product["description"]),
            _copy_text(product["category"]),
            _copy_text(_tags_literal(product["tags"])),
            _copy_text(product["specs"]),
            _copy_text(_hstore_literal(product["attributes"])),
            "t" if product["is_active"] else "f",
        )
    )
    variant_rows = [
        "\t".join(
            (
                str(line),
                slug,
                _copy_text(variant["sku"]),
                variant["price"],
                variant["currency"],
                str(variant["stock"]),
                _copy_text(variant["options"]),
            )
        )
        for variant in product["variants"]
    ]
    return product_row, variant_rows


# Checks that need the file so far or the database, run on each chunk in
# the staging tables; each adds (line, reason) rows to import_invalid. The
# seen tables keep the first line of every slug and SKU of the file.
def _first_lines(key: str, staging: str, label: str) -> tuple[str, str]:
    """Keep the first line of each ``key`` in ``import_seen_<key>``, and
    report the chunk's lines whose ``key`` came earlier."""
    return (
        f"""
        INSERT INTO import_seen_{key} ({key}, line)
        SELECT DISTINCT ON ({key}) {key}, line FROM {staging} ORDER BY {key}, line
        ON CONFLICT ({key}) DO NOTHING
        """,
        f"""
        INSERT INTO import_invalid (line, reason)
        SELECT s.line, format('{label} %L is also on line %s', s.{key}, seen.line)
        FROM {staging} s JOIN import_seen_{key} seen USING ({key})
        WHERE seen.line <> s.line
        """,
    )


CATEGORY_CHECK = """
INSERT INTO import_invalid (line, reason)
SELECT s.line, format('unknown category %L', s.category)
FROM import_product s
WHERE NOT EXISTS (SELECT FROM catalog_category c WHERE c.slug = s.category)
"""
SQL_CHECKS = (
    CATEGORY_CHECK,
    *_first_lines("slug", "import_product", "slug"),
    *_first_lines("sku", "import_variant", "SKU"),
)
# Only for the first line of a SKU (a repeat is reported as one above), and
# only when the catalog had variants before the import: SKUs that this
# import added to another product are repeats in the file.
OWNER_CHECK = (
    """
    INSERT INTO import_invalid (line, reason)
    SELECT v.line, format('SKU %L belongs to product %L', v.sku, p.slug)
    FROM import_variant v
    JOIN import_seen_sku seen ON seen.sku = v.sku AND seen.line = v.line
    JOIN catalog_variant cv ON cv.sku = v.sku
    JOIN catalog_product p ON p.id = cv.product_id
    WHERE p.slug <> v.product_slug
    """,
)

# Rows whose values all equal the stored ones are left alone (the WHERE of
# DO UPDATE), so a re-import bumps no updated_at and writes no tuples.
UPSERT_PRODUCTS = """
WITH upserted AS (
    INSERT INTO catalog_product AS p (
        slug, name, description, category_id, tags, specs, attributes,
        is_active, created_at, updated_at
    )
    SELECT s.slug, s.name, s.description, c.id, s.tags, s.specs,
           s.attributes,
           s.is_active, statement_timestamp(), statement_timestamp()
    FROM import_product s
    JOIN catalog_category c ON c.slug = s.category
    WHERE NOT EXISTS (SELECT FROM import_invalid i WHERE i.line = s.line)
    ON CONFLICT (slug) DO UPDATE SET
        name = EXCLUDED.name,
        description = EXCLUDED.description,
        category_id = EXCLUDED.category_id,
        tags = EXCLUDED.tags,
        specs = EXCLUDED.specs,
        attributes = EXCLUDED.attributes,
        is_active = EXCLUDED.is_active,
        updated_at = EXCLUDED.updated_at
    WHERE (p.name, p.description, p.category_id, p.tags, p.specs,
           p.attributes, p.is_active)
        IS DISTINCT FROM
          (EXCLUDED.name, EXCLUDED.description, EXCLUDED.category_id,
           EXCLUDED.tags, EXCLUDED.specs, EXCLUDED.attributes,
           EXCLUDED.is_active)
    RETURNING xmax = 0 AS created
)
SELECT count(*) FILTER (WHERE created), count(*) FILTER (WHERE NOT created)
FROM upserted
"""
UPSERT_VARIANTS = """
WITH upserted AS (
    INSERT INTO catalog_variant AS v (
        sku, product_id, options, price, currency, stock
    )
    SELECT s.sku, p.id, s.options, s.price, s.currency, s.stock
    FROM import_variant s
    JOIN catalog_product p ON p.slug = s.product_slug
    WHERE NOT EXISTS (SELECT FROM import_invalid i WHERE i.line = s.line)
    ON CONFLICT (sku) DO UPDATE SET
        options = EXCLUDED.options,
        price = EXCLUDED.price,
        currency = EXCLUDED.currency,
        stock = EXCLUDED.stock
    WHERE (v.options, v.price, v.currency, v.stock)
        IS DISTINCT FROM
          (EXCLUDED.options, EXCLUDED.price, EXCLUDED.currency, EXCLUDED.stock)
    RETURNING xmax = 0 AS created
)
SELECT count(*) FILTER (WHERE created), count(*) FILTER (WHERE NOT created)
FROM upserted
"""


# Loading into an empty catalog: no row can meet a stored one, so rows are
# inserted without ON CONFLICT while every index but the primary keys is
# dropped (the unique ones too), and the slugs and SKUs repeated in the file
# are found by one aggregate at the end instead of per chunk. Product ids
# are drawn up front, so variants find their product by line number.
FRESH_SQL = """
CREATE TEMPORARY TABLE import_slug_line (
    slug text NOT NULL,
    line integer NOT NULL
) ON COMMIT DROP;
CREATE TEMPORARY TABLE import_sku_line (
    sku text NOT NULL,
    line integer NOT NULL
) ON COMMIT DROP;
CREATE TEMPORARY TABLE import_chunk_product (
    line integer NOT NULL,
    id bigint NOT NULL
) ON COMMIT DROP;
CREATE TEMPORARY TABLE import_line_product (
    line integer NOT NULL,
    id bigint NOT NULL
) ON COMMIT DROP;
"""
FRESH_TABLES = (
    "import_slug_line, import_sku_line, import_chunk_product, import_line_product"
)
FRESH_CHECKS = (
    CATEGORY_CHECK,
    "INSERT INTO import_slug_line (slug, line) SELECT slug, line FROM import_product",
    "INSERT INTO import_sku_line (sku, line) SELECT sku, line FROM import_variant",
)
# A product's id is its line number plus the chunk's offset, so ids follow
# from where the identity sequence stood without drawing each one (no other
# writer: the table is locked); the sequence moves past them at the end.
FRESH_IDS = """
TRUNCATE import_chunk_product;
INSERT INTO import_chunk_product (line, id)
SELECT s.line, s.line + {offset}
FROM import_product s
WHERE NOT EXISTS (SELECT FROM import_invalid i WHERE i.line = s.line)
  AND ({skip_invalid} OR NOT EXISTS (SELECT FROM import_invalid));
INSERT INTO import_line_product (line, id) SELECT line, id FROM import_chunk_product;
"""
FRESH_PRODUCTS = """
INSERT INTO catalog_product (
    id, slug, name, description, category_id, tags, specs, attributes,
    is_active, created_at, updated_at
)
SELECT m.id, s.slug, s.name, s.description, c.id, s.tags, s.specs,
       s.attributes, s.is_active, statement_timestamp(), statement_timestamp()
FROM import_product s
JOIN import_chunk_product m USING (line)
JOIN catalog_category c ON c.slug = s.category
"""
FRESH_VARIANTS = """
INSERT INTO catalog_variant (sku, product_id, options, price, currency, stock)
SELECT s.sku, m.id, s.options, s.price, s.currency, s.stock
FROM import_variant s
JOIN import_chunk_product m USING (line)
"""
FRESH_SUMMARIES = """
INSERT INTO catalog_productsummary
    (product_id, category_id, price_min, price_max, has_stock)
SELECT m.id, c.id, min(v.price), max(v.price), bool_or(v.stock > 0)
FROM import_variant v
JOIN import_chunk_product m USING (line)
JOIN import_product s USING (line)
JOIN catalog_category c ON c.slug = s.category
GROUP BY m.id, c.id
ORDER BY m.id
"""
# The lexicon's word counts of a fresh load are computed on a second
# connection, off the loading one's path (the search_lexicon_insert trigger
# is off meanwhile), and added at the end: the same words and counts the
# trigger would have added, since both use search_words().
FRESH_WORDS = """
SELECT word, count(*)::int
FROM unnest(%s::text[]) AS d(doc), LATERAL search_words(d.doc) AS word
GROUP BY word
"""
FRESH_ADD_WORDS = """
INSERT INTO search_lexicon AS l (word, product_count, post_count)
SELECT word, n, 0 FROM unnest(%s::text[], %s::int[]) AS t(word, n) ORDER BY word
ON CONFLICT (word) DO UPDATE SET product_count = l.product_count + EXCLUDED.product_count
"""
FRESH_COUNTS = """
SELECT (SELECT count(*) FROM catalog_product), (SELECT count(*) FROM catalog_variant)
"""


def _repeats(key: str, label: str) -> str:
    """Report every line but the first of each ``key`` the file repeats."""
    return f"""
    INSERT INTO import_invalid (line, reason)
    SELECT l.line, format('{label} %L is also on line %s', l.{key}, r.first)
    FROM import_{key}_line l
    JOIN (
        SELECT {key}, min(line) AS first FROM import_{key}_line
        GROUP BY {key} HAVING count(*) > 1
    ) r USING ({key})
    WHERE l.line <> r.first
    """


FRESH_REPEATS = (_repeats("slug", "slug"), _repeats("sku", "SKU"))
# With --skip-invalid, the lines found invalid at the end are taken out again
# (summaries and variants before their products).
FRESH_UNDO = tuple(
    f"""
    DELETE FROM {table} t USING import_line_product m
    WHERE t.{column} = m.id AND m.line IN (SELECT line FROM import_invalid)
    """
    for table, column in (
        ("catalog_productsummary", "product_id"),
        ("catalog_variant", "product_id"),
        ("catalog_product", "id"),
    )
)


def detect_format(path: Path, given: str | None) -> str:
    if given:
        return given
    suffix = path.suffix.lower()
    if suffix in {".jsonl", ".ndjson", ".json"}:
        return "jsonl"
    if suffix == ".csv":
        return "csv"
    raise ImportFileError(
        f"cannot tell the format of {path.name!r} from its extension; "
        "pass --format jsonl or --format csv"
    )


@dataclass
class _Chunk:
    products: bytes
    variants: bytes
    count: int
    first_line: int
    last_line: int
    end: int
    # (line, text) of the active products: what the lexicon counts.
    words: list[tuple[int, str]]

    @classmethod
    def of(
        cls,
        products: list[str],
        variants: list[str],
        lines: range,
        end: int,
        words: list[tuple[int, str]],
    ) -> _Chunk:
        # Encoded here, in the reader thread, so that the loading thread
        # hands PostgreSQL one buffer per table and hardly needs the GIL.
        return cls(
            _copy_data(products),
            _copy_data(variants),
            len(products),
            lines.start,
            lines.stop - 1,
            end,
            words,
        )


def _copy_data(rows: list[str]) -> bytes:
    return ("\n".join(rows) + "\n").encode() if rows else b""


_DONE = object()
CHUNK_LINES = 20_000
TEMP_BUFFERS = "256MB"
COPY_PRODUCTS = (
    "COPY import_product (line, slug, name, description, category, tags, "
    "specs, attributes, is_active) FROM STDIN"
)
COPY_VARIANTS = (
    "COPY import_variant (line, product_slug, sku, price, currency, stock, "
    "options) FROM STDIN"
)


def _chunks(
    parsed: Iterable[tuple[int, Any]],
    raw: IO[bytes],
    result: ImportResult,
    progress: Callable[[int], None] | None,
    chunk_lines: int,
    gate: threading.Event,
) -> Iterator[_Chunk]:
    """Checked products as COPY rows, CHUNK_LINES products at a time.

    Waits at ``gate`` every few hundred lines: while the loading thread
    streams a COPY it needs the GIL all the time, and a parsing thread
    competing for it makes the COPY many times slower.
    """
    currency = settings.PANTRY_CURRENCY
    # A small first chunk sets the database to work sooner.
    limit = max(1, chunk_lines // 10)
    products: list[str] = []
    variants: list[str] = []
    words: list[tuple[int, str]] = []
    first = line = 0
    for line, doc in parsed:
        if line % 256 == 0:
            gate.wait()
            if progress and line % 1024 == 0:
                progress(raw.tell())
        if isinstance(doc, LineError):
            result.add_error(line, str(doc))
            continue
        try:
            product = check_product(doc, currency)
        except LineError as exc:
            result.add_error(line, str(exc))
            continue
        product_row, variant_rows = product_rows(line, product)
        if not products:
            first = line
        products.append(product_row)
        variants.extend(variant_rows)
        if product["is_active"]:
            # As the lexicon triggers read it: name || ' ' || joined tags.
            words.append((line, product["name"] + " " + " ".join(product["tags"])))
        if len(products) >= limit:
            yield _Chunk.of(
                products, variants, range(first, line + 1), raw.tell(), words
            )
            products, variants, words = [], [], []
            limit = chunk_lines
    if products:
        yield _Chunk.of(products, variants, range(first, line + 1), raw.tell(), words)


def _produce(
    source: Iterator[_Chunk], out: queue.Queue[Any], stop: threading.Event
) -> None:
    def put(item: Any) -> bool:
        while not stop.is_set():
            try:
                out.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    try:
        for chunk in source:
            if not put(chunk):
                return
        put(_DONE)
    except BaseException as exc:  # handed to the loading thread to raise
        put(exc)


def _copy_rows(cursor: Any, sql: str, data: bytes) -> None:
    if data:
        with cursor.copy(sql) as copy:
            copy.write(data)


def import_products(
    raw: IO[bytes],
    *,
    file_format: str,
    skip_invalid: bool = False,
    progress: Callable[[int], None] | None = None,
    rebuild_indexes: bool | None = None,
    chunk_lines: int = CHUNK_LINES,
) -> ImportResult:
    """Import products from ``raw``; return counts and the invalid lines.

    Without ``skip_invalid`` nothing is written when any line is invalid.
    ``rebuild_indexes`` drops secondary indexes for the load and builds them
    afterwards; by default that happens when the file holds more products
    than the catalog. Into an empty catalog, that load inserts instead of
    upserting (see FRESH_SQL). Raises ImportFileError when the file as a
    whole cannot be read.

    A reader thread parses and checks the next chunk of the file while
    PostgreSQL checks and upserts the current one (the database work
    releases the GIL), all in one transaction.
    """
    result = ImportResult()
    size = raw.seek(0, 2)
    raw.seek(0)
    parsed: Iterable[tuple[int, Any]] = (
        jsonl_products(raw, result)
        if file_format == "jsonl"
        else csv_products(raw, result)
    )
    chunks: queue.Queue[Any] = queue.Queue(maxsize=1)
    stop = threading.Event()
    gate = threading.Event()
    gate.set()
    reader = threading.Thread(
        target=_produce,
        args=(
            _chunks(parsed, raw, result, progress, chunk_lines, gate),
            chunks,
            stop,
        ),
        daemon=True,
    )
    with acting_as("import"), transaction.atomic(), connection.cursor() as cursor:
        _more_temp_buffers(cursor)
        cursor.execute(STAGING_SQL)
        # Django's foreign keys are deferred; immediate checks keep no queue
        # of a million pending events and allow dropping constraints.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "SELECT count(*), EXISTS (SELECT FROM catalog_variant) FROM catalog_product"
        )
        existing, had_variants = cursor.fetchone()
        load = _Load(cursor, result, skip_invalid, gate, had_variants=had_variants)
        reader.start()
        try:
            with ExitStack() as stack:
                first = True
                while (chunk := chunks.get()) is not _DONE:
                    if isinstance(chunk, BaseException):
                        raise chunk
                    if first:
                        first = False
                        if rebuild_indexes is None:
                            # Loading into an (almost) empty catalog: build
                            # indexes once afterwards instead of inserting
                            # every row into every GIN and btree index.
                            estimate = size * chunk.count / max(chunk.end, 1)
                            rebuild_indexes = (
                                estimate > max(existing, 1000) * REBUILD_RATIO
                            )
                        if rebuild_indexes:
                            fresh = existing == 0
                            stack.enter_context(_bulk_load(cursor, fresh))
                            if fresh:
                                load.insert_only()
                    load.chunk(chunk)
                if load.fresh:
                    load.finish_fresh()
                load.tally()
                if result.error_count and not skip_invalid:
                    # Leaving by an exception skips the index rebuild.
                    raise _Rejected
        except _Rejected:
            transaction.set_rollback(True)
            return result
        finally:
            stop.set()
            reader.join()
            load.close()
        result.loaded = True
        # One summary event, not one per product (docs/events.md).
        emit("catalog.imported", result.counts())
        # ON COMMIT DROP covers the usual case; an outer transaction (tests,
        # callers importing twice) needs them gone now.
        cursor.execute(f"DROP TABLE {STAGING_TABLES}")
        if load.fresh:
            cursor.execute(f"DROP TABLE {FRESH_TABLES}")
    return result


class _Rejected(Exception):
    """Invalid lines and no --skip-invalid: roll everything back."""


@contextmanager
def _bulk_load(cursor: Any, fresh: bool) -> Iterator[None]:
    # Memory for the sorts of the index builds and the whole-file
    # aggregates at the end.
    cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
    cursor.execute("SET LOCAL work_mem = '256MB'")
    tables = ["catalog_product", "catalog_variant", "catalog_productsummary"]
    # Fresh loads need no unique index: nothing stored can conflict, and
    # repeats in the file are found before the unique indexes come back.
    # A fresh load writes each chunk's summaries itself (FRESH_SUMMARIES).
    with (
        bulk.indexes_dropped(cursor, tables, keep_unique=not fresh),
        bulk.summaries_deferred(cursor, recompute=not fresh),
    ):
        yield


def _more_temp_buffers(cursor: Any) -> None:
    # The staging and seen tables of a large file outgrow the default 8 MB of
    # temporary buffers many times over; PostgreSQL allows the change only
    # before a session's first temporary table.
    try:
        with transaction.atomic():
            cursor.execute(f"SET LOCAL temp_buffers = '{TEMP_BUFFERS}'")
    except DatabaseError:
        pass


class _WordCounter:
    """Counts lexicon words of texts on a connection and thread of its own."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.error: BaseException | None = None
        self.texts: queue.Queue[list[str] | None] = queue.Queue(maxsize=2)
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def add(self, texts: list[str]) -> None:
        if texts:
            self.texts.put(texts)

    def total(self) -> Counter[str]:
        """Every count so far, once all added texts are counted."""
        self.texts.put(None)
        self.thread.join()
        if self.error is not None:
            raise self.error
        return self.counts

    def _run(self) -> None:
        helper = connections.create_connection(DEFAULT_DB_ALIAS)
        try:
            while (texts := self.texts.get()) is not None:
                if self.error is not None:
                    continue  # keep taking texts, so that add() never blocks
                try:
                    with helper.cursor() as cursor:
                        cursor.execute(FRESH_WORDS, [texts])
                        self.counts.update(dict(cursor.fetchall()))
                except BaseException as exc:  # raised by total()
                    self.error = exc
        finally:
            helper.close()

    def stop(self) -> None:
        """End the thread and its connection, counts unused."""
        self.texts.put(None)
        self.thread.join()


class _Load:
    """Stage, check and write chunk after chunk; one import's state."""

    def __init__(
        self,
        cursor: Any,
        result: ImportResult,
        skip_invalid: bool,
        gate: threading.Event,
        *,
        had_variants: bool,
    ) -> None:
        self.cursor = cursor
        self.result = result
        self.skip_invalid = skip_invalid
        self.gate = gate
        self.checks: tuple[str, ...] = (
            SQL_CHECKS + OWNER_CHECK if had_variants else SQL_CHECKS
        )
        self.fresh = False
        self.last_id = 0
        self.words: _WordCounter | None = None

    def insert_only(self) -> None:
        """Load into an empty catalog with its unique indexes dropped."""
        self.fresh = True
        self.cursor.execute(FRESH_SQL)
        self.checks = FRESH_CHECKS
        self.cursor.execute(
            "ALTER TABLE catalog_product DISABLE TRIGGER search_lexicon_insert"
        )
        self.words = _WordCounter()
        self.cursor.execute(
            "SELECT nextval(pg_get_serial_sequence('catalog_product', 'id')) - 1"
        )
        self.last_id = int(self.cursor.fetchone()[0])

    def chunk(self, chunk: _Chunk) -> None:
        cursor = self.cursor
        cursor.execute("TRUNCATE import_product, import_variant")
        self.gate.clear()
        try:
            _copy_rows(cursor, COPY_PRODUCTS, chunk.products)
            _copy_rows(cursor, COPY_VARIANTS, chunk.variants)
        finally:
            self.gate.set()
        self.result.staged += chunk.count
        if self.fresh:
            self._insert(chunk)
            return
        # No ANALYZE: it would cost more per chunk than the checks; without
        # statistics the planner sizes the staging tables from their pages.
        for check in self.checks:
            cursor.execute(check)
        if not self.skip_invalid:
            if self.result.error_count:
                return
            cursor.execute("SELECT EXISTS (SELECT FROM import_invalid)")
            if cursor.fetchone()[0]:
                # All will be rolled back: only check the rest of the file.
                return
        self._upsert()

    def _upsert(self) -> None:
        cursor, result = self.cursor, self.result
        cursor.execute(UPSERT_PRODUCTS)
        created, updated = cursor.fetchone()
        result.products_created += created
        result.products_updated += updated
        cursor.execute(UPSERT_VARIANTS)
        created, updated = cursor.fetchone()
        result.variants_created += created
        result.variants_updated += updated

    def _insert(self, chunk: _Chunk) -> None:
        # One round trip for the chunk: each statement's result would wait
        # for the GIL that the parsing thread holds.
        statements = list(self.checks)
        if self.skip_invalid or not self.result.error_count:
            ids = FRESH_IDS.format(
                offset=self.last_id - chunk.first_line + 1,
                skip_invalid="true" if self.skip_invalid else "false",
            )
            statements += [ids, FRESH_PRODUCTS, FRESH_VARIANTS, FRESH_SUMMARIES]
            self.last_id += chunk.last_line - chunk.first_line + 1
        cursor = self.cursor
        cursor.execute(";\n".join(s.strip().rstrip(";") for s in statements))
        if self.words is not None and chunk.words:
            # Lines found invalid were not inserted. (Without --skip-invalid,
            # once any line is invalid all is rolled back: counts are moot.)
            cursor.execute(
                "SELECT line FROM import_invalid WHERE line BETWEEN %s AND %s",
                [chunk.first_line, chunk.last_line],
            )
            invalid = {line for (line,) in cursor.fetchall()}
            self.words.add([text for line, text in chunk.words if line not in invalid])

    def close(self) -> None:
        if self.words is not None:
            self.words.stop()
            self.words = None

    def finish_fresh(self) -> None:
        """Report repeated slugs and SKUs (unloading them under --skip-invalid)."""
        cursor, result = self.cursor, self.result
        if self.words is not None:
            counts = self.words.total()
            self.words = None
            cursor.execute(FRESH_ADD_WORDS, [list(counts), list(counts.values())])
            # Products taken out below are counted out by the triggers.
            cursor.execute(
                "ALTER TABLE catalog_product ENABLE TRIGGER search_lexicon_insert"
            )
        cursor.execute("ANALYZE import_slug_line, import_sku_line")
        found = 0
        for sql in FRESH_REPEATS:
            cursor.execute(sql)
            found += cursor.rowcount
        if found and self.skip_invalid:
            for sql in FRESH_UNDO:
                cursor.execute(sql)
        # The catalog was empty: what it holds now is what was created.
        cursor.execute(FRESH_COUNTS)
        result.products_created, result.variants_created = cursor.fetchone()
        bulk.reset_sequence(cursor, "catalog_product")

    def tally(self) -> None:
        """Add the lines found invalid in SQL to the result."""
        cursor, result = self.cursor, self.result
        cursor.execute("SELECT count(DISTINCT line), count(*) FROM import_invalid")
        sql_invalid, sql_errors = cursor.fetchone()
        cursor.execute(
            "SELECT line, reason FROM import_invalid ORDER BY line, reason LIMIT %s",
            [REPORT_LIMIT],
        )
        reported = cursor.fetchall()
        for line, reason in reported:
            result.add_error(line, reason)
        result.error_count += sql_errors - len(reported)
        result.valid = result.staged - sql_invalid


def open_import_file(path: Path) -> IO[bytes]:
    try:
        return path.open("rb")
    except FileNotFoundError:
        raise ImportFileError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise ImportFileError(f"{path} is a directory, not a file") from None
    except PermissionError:
        raise ImportFileError(f"cannot read {path}: permission denied") from None
