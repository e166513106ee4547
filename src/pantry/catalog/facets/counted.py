"""What each way of counting facets returns, and the API's JSON of it."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pantry.catalog.facets.specs import SpecCounts

FACET_TAGS = 30


@dataclass
class Counted:
    """Counts of one way, before shaping: (tag, n), (slug, name, path, n)."""

    tags: list[tuple[str, int]]
    categories: list[tuple[str, str, list[str], int]]
    total: int
    in_stock: int
    low: Decimal | None
    high: Decimal | None
    # Estimates only: what one matched row stands for.
    scale: float = 1.0
    # Spec values, when the exact pass counted them too.
    specs: SpecCounts | None = None

    @classmethod
    def empty(cls) -> Counted:
        return cls([], [], 0, 0, None, None)


# Rows of a CTE ``direct`` (category_id, n, stocked) as the answer's rows:
# 'c' each category with its subtree's count (every ancestor of a counted
# category), 'n' the totals.
ROLLUP = """
SELECT 'c', above.slug, above.name, above.path::text, sum(d.n)::bigint, NULL::bigint
FROM direct d
JOIN catalog_category c ON c.id = d.category_id
JOIN catalog_category above ON above.path @> c.path
GROUP BY above.id, above.slug, above.name, above.path
UNION ALL
SELECT 'n', NULL, NULL, NULL, coalesce(sum(n), 0)::bigint,
       coalesce(sum(stocked), 0)::bigint
FROM direct
"""


def counted_of(rows: list[tuple[Any, ...]]) -> Counted:
    """Counted of rows 't' (tag), 'c' (category), 'n' (totals), 'p' (prices)."""
    total, in_stock = next((int(r[4]), int(r[5])) for r in rows if r[0] == "n")
    low, high = next(((r[4], r[5]) for r in rows if r[0] == "p"), (None, None))
    return Counted(
        tags=[(r[1], int(r[4])) for r in rows if r[0] == "t"],
        categories=[
            (r[1], r[2], r[3].split("."), int(r[4])) for r in rows if r[0] == "c"
        ],
        total=total,
        in_stock=in_stock,
        low=low,
        high=high,
    )


def about(count: float) -> int:
    """An estimated count rounded to two significant digits (a sample's
    counts are good to a few per cent, not to the unit)."""
    if count <= 0:
        return 0
    digits = len(str(int(count))) - 2
    return int(round(count, -digits)) if digits > 0 else round(count)


def shaped(counted: Counted, *, estimate: bool) -> dict[str, Any]:
    """The API's JSON of ``counted``; estimates scaled and rounded."""
    scale = counted.scale

    def number(n: int) -> int:
        return about(n * scale) if estimate else n

    tag_counts = sorted(
        ((tag, number(n)) for tag, n in counted.tags), key=lambda t: (-t[1], t[0])
    )
    tags = [{"value": tag, "count": n} for tag, n in tag_counts]
    categories = [
        {"slug": slug, "name": name, "path": path, "count": number(n)}
        for slug, name, path, n in sorted(counted.categories, key=lambda c: c[2])
    ]
    result: dict[str, Any] = {
        "tags": tags,
        "categories": categories,
        "price": {"min": _money(counted.low), "max": _money(counted.high)},
        "in_stock": {"count": number(counted.in_stock)},
        "total": number(counted.total),
        "count_is_estimate": estimate,
    }
    if counted.specs is not None:
        result["spec_counts"] = counted.specs  # the page's, not the API's
    return result


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"
