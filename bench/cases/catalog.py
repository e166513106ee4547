"""GET /api/v1/products with each filter and common pairs, and facets.

Runs after ``catalog_data`` has seeded the bench database (1,000,000
products at full scale, 20,000 at small). Filter values come from the data
itself (pages of products and the category tree, fetched over the API), so
the case fits whatever the seeder produced. Each measured filter rotates
through up to ten values, so one cached plan or page does not flatter it.

Targets (issue 3): lists median < 15 ms and p99 < 50 ms server time;
facets of a filtered set of up to 10,000 products median < 50 ms.
"""

from __future__ import annotations

import json
from collections import Counter
from decimal import Decimal
from typing import Any

from bench.harness import Bench

LIST_MEDIAN_MS, LIST_P99_MS = 15, 50
FACETS_MEDIAN_MS = 50
FACET_SET_MAX = 10_000


def _get(bench: Bench, path: str, **params: Any) -> Any:
    status, body, *_ = bench.request("GET", bench.query(path, **params))
    if status != 200:
        raise RuntimeError(f"GET {path} {params}: {status} {body[:300]!r}")
    return json.loads(body)


def _leaf_paths(value: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """Dotted paths to string/number leaves of a specs object."""
    out: list[tuple[str, str]] = []
    if isinstance(value, dict):
        for key, item in value.items():
            out += _leaf_paths(item, (*prefix, key))
    elif isinstance(value, str | int | float) and not isinstance(value, bool):
        out.append((".".join(prefix), str(value)))
    return out


def _categories(tree: list[dict[str, Any]], depth: int = 0) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    for node in tree:
        out.append((depth, node["slug"]))
        out += _categories(node["children"], depth + 1)
    return out


def run(bench: Bench) -> None:
    tree = _get(bench, "/api/v1/categories")
    depths = _categories(tree)
    roots = [slug for depth, slug in depths if depth == 0]
    leaves = [slug for depth, slug in depths if depth >= 2]
    # The newest products and the first by name alone would be a narrow
    # sample (other cases add products; names sort by brand), so a page of
    # each top category joins them.
    sample = _get(bench, "/api/v1/products", limit=100)["items"]
    sample += _get(bench, "/api/v1/products", limit=100, sort="name")["items"]
    for root in roots:
        sample += _get(bench, "/api/v1/products", limit=100, category=root)["items"]
    if not sample:
        raise RuntimeError("the bench catalog is empty; run the catalog_data case")

    tag_counts = Counter(tag for p in sample for tag in p["tags"])
    common_tags = [tag for tag, _ in tag_counts.most_common(10)]
    rare_tags = [tag for tag, n in tag_counts.most_common()[::-1] if n == 1][:10]
    spec_pairs = Counter(pair for p in sample for pair in _leaf_paths(p["specs"]))
    specs = [pair for pair, _ in spec_pairs.most_common(10)]
    brands = Counter(
        p["attributes"]["brand"] for p in sample if "brand" in p["attributes"]
    )
    attrs = [("brand", brand) for brand, _ in brands.most_common(10)]
    prices = sorted(Decimal(p["price"]["min"]) for p in sample if p["price"]["min"])
    median_price = prices[len(prices) // 2]
    ranges = [
        (
            str((median_price * Decimal(f)).quantize(Decimal(1))),
            str((median_price * Decimal(f) * Decimal("1.2")).quantize(Decimal(1))),
        )
        for f in ("0.5", "0.7", "0.9", "1.1", "1.3")
    ]

    def rot(values: list[Any], make: Any) -> list[str]:
        return [bench.query("/api/v1/products", **make(v)) for v in values] or []

    cases: dict[str, list[str]] = {
        "none": [bench.query("/api/v1/products")],
        "tag_common": rot(common_tags, lambda t: {"tag": t}),
        "tag_rare": rot(rare_tags, lambda t: {"tag": t}),
        "any_tag": rot(
            list(zip(rare_tags, common_tags[::-1], strict=False)),
            lambda pair: {"any_tag": list(pair)},
        ),
        "spec": rot(specs, lambda pv: {f"spec.{pv[0]}": pv[1]}),
        "attr": rot(attrs, lambda kv: {f"attr.{kv[0]}": kv[1]}),
        "category_root": rot(roots[:10], lambda c: {"category": c}),
        "category_leaf": rot(leaves[:10], lambda c: {"category": c}),
        "price_range": rot(ranges, lambda r: {"min_price": r[0], "max_price": r[1]}),
        "in_stock": [bench.query("/api/v1/products", in_stock="true")],
        "sort_price": [bench.query("/api/v1/products", sort="price")],
        "sort_-price": [bench.query("/api/v1/products", sort="-price")],
        "sort_name": [bench.query("/api/v1/products", sort="name")],
        "tag+in_stock": rot(common_tags, lambda t: {"tag": t, "in_stock": "true"}),
        "category+tag": rot(
            list(zip(roots, common_tags, strict=False)),
            lambda ct: {"category": ct[0], "tag": ct[1]},
        ),
        "category+price": rot(
            list(zip(leaves, ranges * 2, strict=False)),
            lambda cr: {
                "category": cr[0],
                "min_price": cr[1][0],
                "max_price": cr[1][1],
            },
        ),
        "category+in_stock+sort_price": rot(
            leaves[:10], lambda c: {"category": c, "in_stock": "true", "sort": "price"}
        ),
        "attr+spec": rot(
            list(zip(attrs, specs, strict=False)),
            lambda ap: {f"attr.{ap[0][0]}": ap[0][1], f"spec.{ap[1][0]}": ap[1][1]},
        ),
        "tag+price": rot(
            list(zip(common_tags, ranges * 2, strict=False)),
            lambda tr: {"tag": tr[0], "min_price": tr[1][0], "max_price": tr[1][1]},
        ),
    }
    count = 200 if bench.scale == "small" else 300
    for name, paths in cases.items():
        if not paths:
            bench.record(f"catalog.list.{name}", None, "", ok=None, skipped="no values")
            continue
        bench.record_timings(
            f"catalog.list.{name}",
            bench.time_get(paths, count=count),
            median_ms=LIST_MEDIAN_MS,
            p99_ms=LIST_P99_MS,
        )

    # Second pages cost the same as first ones (keyset).
    first = _get(bench, "/api/v1/products", limit=20, tag=common_tags[0])
    if first["next"]:
        bench.record_timings(
            "catalog.list.tag_common_page2",
            bench.time_get(
                [
                    bench.query(
                        "/api/v1/products", tag=common_tags[0], cursor=first["next"]
                    )
                ],
                count=count,
            ),
            median_ms=LIST_MEDIAN_MS,
            p99_ms=LIST_P99_MS,
        )

    # Facets of sets no larger than 10,000 products: leaf categories and
    # rare tags, sized by the facets themselves.
    facet_paths: list[str] = []
    sizes: list[int] = []
    for params in [{"category": c} for c in leaves[:10]] + [
        {"tag": t} for t in rare_tags
    ]:
        facets = _get(bench, "/api/v1/products/facets", **params)
        size = max((c["count"] for c in facets["categories"]), default=0)
        if 0 < size <= FACET_SET_MAX:
            facet_paths.append(bench.query("/api/v1/products/facets", **params))
            sizes.append(size)
    if facet_paths:
        timings = bench.time_get(facet_paths, count=count)
        bench.record_timings(
            "catalog.facets.up_to_10k", timings, median_ms=FACETS_MEDIAN_MS
        )
        bench.results[-1]["set_sizes"] = sorted(sizes)
    # For information: the facets of everything (not a target).
    bench.record_timings(
        "catalog.facets.everything",
        bench.time_get([bench.query("/api/v1/products/facets")], count=3, warmup=0),
    )
