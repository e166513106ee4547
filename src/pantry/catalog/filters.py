# Long on purpose: every list parameter's declaration and parser, so they agree.
"""The product list's parameters, declared and parsed once for both doors.

``parse_filters(params, strict=True)`` is the API's: the first bad
parameter is a 400 whose message names it. ``strict=False`` is the
storefront's: a bad filter is dropped and ``ListRequest.notes`` says so on
the page. The OpenAPI document is built from the same declarations
(``openapi_parameters``). The query side (``queries.filtered_products``)
takes the ``ProductFilters`` this returns.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from pantry.catalog.errors import UnknownCategory
from pantry.catalog.models import Category
from pantry.core.errors import BadRequest
from pantry.core.pagination import MAX_LIMIT, check_limit

SORTS = ("relevance", "newest", "price", "-price", "name")
MAX_FILTER_VALUES = 20
MAX_SPEC_PATH = 200
MAX_PRICE_FILTER = Decimal("1e12")
_NUMBER = re.compile(r"-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?")


@dataclass(frozen=True)
class ProductFilters:
    """The filters of GET /products; empty fields filter nothing."""

    q: str = ""
    tags: Sequence[str] = ()
    any_tags: Sequence[str] = ()
    category: str | None = None
    # (path of keys, value) pairs: spec.screen.resolution=1920x1080.
    specs: Sequence[tuple[Sequence[str], str]] = ()
    attributes: Sequence[tuple[str, str]] = ()
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    in_stock: bool | None = None
    now: datetime = field(default_factory=timezone.now)


@dataclass(frozen=True)
class ListRequest:
    """A product list request, checked: filters, order and page."""

    filters: ProductFilters
    sort: str
    limit: int
    cursor: str | None
    # Lenient parsing only: what was dropped, as sentences for the page.
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Parameter:
    """One documented query parameter of the product list."""

    name: str
    schema: dict[str, Any]
    description: str
    label: str


PARAMETERS = (
    Parameter(
        "q",
        {"type": "string"},
        'web-search text ("exact phrase", or, -exclude), stemmed',
        "Keywords",
    ),
    Parameter(
        "tag",
        {"type": "array", "items": {"type": "string"}, "maxItems": MAX_FILTER_VALUES},
        "product has every one of these tags (repeatable)",
        "Tags",
    ),
    Parameter(
        "any_tag",
        {"type": "array", "items": {"type": "string"}, "maxItems": MAX_FILTER_VALUES},
        "product has at least one of these tags (repeatable)",
        "Tags",
    ),
    Parameter(
        "category",
        {"type": "string"},
        "category slug, descendants included",
        "Category",
    ),
    Parameter(
        "min_price",
        {"type": "string", "format": "decimal"},
        "some variant's effective price is at least this",
        "Lowest price",
    ),
    Parameter(
        "max_price",
        {"type": "string", "format": "decimal"},
        "some variant's effective price is at most this",
        "Highest price",
    ),
    Parameter(
        "in_stock",
        {"type": "boolean"},
        "true: some variant has stock; false: none has",
        "In stock",
    ),
    Parameter(
        "sort",
        {"type": "string", "enum": list(SORTS)},
        "order: relevance (default with q), newest (default), price, -price, name",
        "Sort",
    ),
    Parameter(
        "limit",
        {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
        "page size (default 20)",
        "Page size",
    ),
    Parameter("cursor", {"type": "string"}, "the `next` of the previous page", "Page"),
)
LIST_PARAMETERS = tuple(p.name for p in PARAMETERS)
FACET_PARAMETERS = tuple(
    name for name in LIST_PARAMETERS if name not in ("sort", "limit", "cursor")
)
_BY_NAME = {p.name: p for p in PARAMETERS}
PATTERN_HELP = (
    "Also spec.<dotted.path>=value (the value at that path of specs equals"
    " this) and attr.<key>=value (attributes[key] equals this), at most"
    f" {MAX_FILTER_VALUES} of them together."
)


def openapi_parameters(names: Sequence[str]) -> list[dict[str, Any]]:
    """OpenAPI query parameter objects of ``names``, for a route's extra."""
    return [
        {
            "in": "query",
            "name": name,
            "required": False,
            "schema": _BY_NAME[name].schema,
            "description": _BY_NAME[name].description,
            **({"explode": True} if _BY_NAME[name].schema["type"] == "array" else {}),
        }
        for name in names
    ]


def price_filter_value(raw: str) -> Decimal | None:
    """A ``min_price``/``max_price`` value: None when empty; ValueError
    unless a finite decimal from 0 to ``MAX_PRICE_FILTER``."""
    if raw == "":
        return None
    try:
        value = Decimal(raw)
    except ArithmeticError:
        raise ValueError(raw) from None
    if not value.is_finite() or value < 0 or value > MAX_PRICE_FILTER:
        raise ValueError(raw)
    return value


def spec_values(raw: str) -> list[Any]:
    """The JSON values a spec filter's text may mean: the string, and the
    number or boolean it spells (``15.6`` matches ``"15.6"`` and ``15.6``)."""
    values: list[Any] = [raw]
    if _NUMBER.fullmatch(raw):
        try:
            number = json.loads(raw)
        except ValueError:  # more digits than Python converts
            number = None
        if isinstance(number, int) or (
            isinstance(number, float) and abs(number) != float("inf")
        ):
            values.append(number)
    elif raw in ("true", "false"):
        values.append(raw == "true")
    elif raw == "null":
        values.append(None)
    return values


def nested(path: Sequence[str], value: Any) -> dict[str, Any]:
    """``["screen", "resolution"], v`` → ``{"screen": {"resolution": v}}``."""
    result: Any = value
    for key in reversed(path):
        result = {key: result}
    return result


def subtree_ids(slug: str) -> list[int]:
    """Ids of the category ``slug`` and all below it; raise UnknownCategory."""
    category = Category.objects.filter(slug=slug).only("path").first()
    if category is None:
        raise UnknownCategory(fields={"category": "no such category"})
    subtree = Category.objects.filter(path__descendant_of=category.path)
    return list(subtree.values_list("id", flat=True))


def text_problem(value: str) -> str | None:
    """Why PostgreSQL cannot hold ``value`` as text, or None."""
    if "\x00" in value:
        return "text may not contain NUL characters"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "text is not valid Unicode"
    return None


class _Reader:
    """Refuses (strict) or notes and drops (lenient) each bad parameter."""

    def __init__(self, strict: bool) -> None:
        self.strict = strict
        self.notes: list[str] = []

    def bad(self, detail: str, note: str, fields: dict[str, str] | None = None) -> None:
        if self.strict:
            raise BadRequest(detail, fields=fields)
        if note not in self.notes:
            self.notes.append(note)


def _label(key: str) -> str:
    if key in _BY_NAME:
        return _BY_NAME[key].label
    return key.split(".", 1)[-1].replace("_", " ").replace(".", " / ").capitalize()


def parse_filters(
    params: Any,
    *,
    strict: bool,
    allowed: Sequence[str] = LIST_PARAMETERS,
    category: str | None = None,
    default_limit: int | None = None,
) -> ListRequest:
    """Check a product list's query parameters (a QueryDict).

    Strict: raise BadRequest naming the first bad parameter. Lenient: drop
    each bad filter and say so in ``notes``; unknown parameters are ignored
    and a form's empty spec/attr choice means "any". ``category`` (a
    category page's own) replaces the parameter. An unknown category is
    found by the query (UnknownCategory), not here.
    """
    reader = _Reader(strict)
    values: dict[str, list[str]] = {}
    for key, raw_values in params.lists():
        if key not in allowed and not key.startswith(("spec.", "attr.")):
            valid = ", ".join([*allowed, "spec.<path>", "attr.<key>"])
            if strict:
                raise BadRequest(
                    f"Unknown parameter {key!r}; valid parameters are: {valid}.",
                    fields={key: "unknown parameter"},
                )
            continue
        problem = next(filter(None, map(text_problem, [key, *raw_values])), None)
        if problem is not None:
            reader.bad(
                f"Parameter {key!r}: {problem}.",
                f"{_label(key)} could not be read; it was ignored.",
            )
            continue
        values[key] = list(raw_values)

    def one(name: str) -> str:
        found = values.get(name)
        return found[-1].strip() if found else ""

    specs, attributes = _pairs(values, reader)
    low = _price(one("min_price"), "min_price", reader)
    high = _price(one("max_price"), "max_price", reader)
    if not strict and low is not None and high is not None and low > high:
        reader.bad("", "The lowest price was above the highest; both were ignored.")
        low = high = None
    q = one("q")
    filters = ProductFilters(
        q=q,
        tags=_tags(values.get("tag", []), "tag", reader),
        any_tags=_tags(values.get("any_tag", []), "any_tag", reader),
        category=category or one("category") or None,
        specs=specs,
        attributes=attributes,
        min_price=low,
        max_price=high,
        in_stock=_boolean(one("in_stock"), "in_stock", reader),
    )
    return ListRequest(
        filters=filters,
        sort=_sort(one("sort"), q, reader),
        limit=_limit(one("limit"), reader, default_limit),
        cursor=one("cursor") or None,
        notes=tuple(reader.notes),
    )


def _pairs(
    values: dict[str, list[str]], reader: _Reader
) -> tuple[list[tuple[list[str], str]], list[tuple[str, str]]]:
    specs: list[tuple[list[str], str]] = []
    attributes: list[tuple[str, str]] = []
    for key, raw_values in values.items():
        if not key.startswith(("spec.", "attr.")):
            continue
        # A form's "any" choice sends an empty value: no filter.
        given = raw_values if reader.strict else [v for v in raw_values if v.strip()]
        name = key.split(".", 1)[1]
        if key.startswith("spec."):
            if not name or len(name) > MAX_SPEC_PATH:
                reader.bad(
                    f"A spec filter needs a path of 1 to {MAX_SPEC_PATH} characters.",
                    "A spec filter without a proper name was ignored.",
                    fields={key: "bad path"},
                )
                continue
            specs.extend((name.split("."), value.strip()) for value in given)
        elif name or reader.strict:
            attributes.extend((name, value.strip()) for value in given)
    if len(specs) + len(attributes) > MAX_FILTER_VALUES:
        reader.bad(
            f"At most {MAX_FILTER_VALUES} spec and attr filters.",
            f"Only the first {MAX_FILTER_VALUES} spec filters were used.",
        )
        kept = max(MAX_FILTER_VALUES - len(specs), 0)
        specs, attributes = specs[:MAX_FILTER_VALUES], attributes[:kept]
    return specs, attributes


def _tags(raw: list[str], name: str, reader: _Reader) -> list[str]:
    if len(raw) > MAX_FILTER_VALUES:
        reader.bad(
            f"At most {MAX_FILTER_VALUES} {name} values.",
            f"Only the first {MAX_FILTER_VALUES} tags were used.",
            fields={name: "too many"},
        )
        raw = raw[:MAX_FILTER_VALUES]
    return [value.strip().lower() for value in raw if value.strip()]


def _price(raw: str, name: str, reader: _Reader) -> Decimal | None:
    try:
        return price_filter_value(raw)
    except ValueError:
        reader.bad(
            f"{name} must be a non-negative decimal number.",
            f"{_label(name)} must be a number of 0 or more; it was ignored.",
            fields={name: "not a price"},
        )
        return None


def _boolean(raw: str, name: str, reader: _Reader) -> bool | None:
    lowered = raw.lower()
    if lowered == "":
        return None
    # "on" is what an HTML checkbox without a value sends.
    if lowered in ("true", "1", "yes", "on"):
        return True
    if lowered in ("false", "0", "no", "off"):
        return False
    reader.bad(
        f"{name} must be true or false.",
        f"{_label(name)} must be true or false; it was ignored.",
        fields={name: "not a boolean"},
    )
    return None


def _sort(raw: str, q: str, reader: _Reader) -> str:
    if raw and raw not in SORTS:
        reader.bad(
            f"sort must be one of: {', '.join(SORTS)}.",
            "That sort order is unknown; the default order is used.",
            fields={"sort": "unknown sort"},
        )
        raw = ""
    # Without search words relevance means nothing: newest first.
    if raw == "relevance" and not q:
        return "newest"
    return raw or ("relevance" if q else "newest")


def _limit(raw: str, reader: _Reader, default: int | None) -> int:
    if not reader.strict or raw == "":
        return default if default is not None else check_limit(None)
    try:
        number = int(raw)
    except ValueError:
        raise BadRequest(
            "limit must be an integer.", fields={"limit": "not an integer"}
        ) from None
    return check_limit(number)
