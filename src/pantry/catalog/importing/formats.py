"""The file formats products are imported from: JSON Lines and CSV.

Each reader yields ``(line number, document or LineError)`` in file order,
reading one line at a time.
"""

from __future__ import annotations

import codecs
import csv
import json
import math
import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from pantry.catalog.importing.report import ImportFileError, ImportResult, LineError
from pantry.catalog.rules import derive_slug

FORMATS = ("jsonl", "csv")

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
    "images",
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
  images       image sources separated by "|": file paths (relative to the
               file's folder) or http(s) URLs; alt text is the name
"""


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
        slug = values.get("slug", "").strip() or derive_slug(values.get("name", ""))
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
                "images": [
                    i.strip() for i in values.get("images", "").split("|") if i.strip()
                ],
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


# One encoder for every value: json.dumps() with options builds a new one
# per call, which is a tenth of the parsing thread's time.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def json_text(value: Any) -> str:
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
            json_text(value).encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("a \\u escape is an unpaired UTF-16 surrogate") from None
    return value


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


def open_import_file(path: Path) -> IO[bytes]:
    try:
        return path.open("rb")
    except FileNotFoundError:
        raise ImportFileError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise ImportFileError(f"{path} is a directory, not a file") from None
    except PermissionError:
        raise ImportFileError(f"cannot read {path}: permission denied") from None
