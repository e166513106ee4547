"""Storefront pages at the catalog's bench scale (1,000,000 products at full).

The product list page (/products/) must render in under 50 ms median server
time. Runs after catalog_data, which leaves the seeded catalog in the bench
database; run alone (``--only storefront``), it seeds the catalog itself.

Facet counts (tags, categories, price range) are computed on every request:
the harness turns the per-worker page cache off, facets' included
(PANTRY_PAGE_CACHE_ENTRIES=0; docs/facets.md).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

from bench.harness import ROOT, Bench

LIST_TARGET_MS = 50
PAGE_TARGET_MS = 50

COUNT = """
import django
django.setup()
from pantry.catalog.models import Category, Product
from django.db.models import Count
tags = (
    Product.objects.order_by("-id").values_list("tags", flat=True)[:200]
)
seen = {}
for row in tags:
    for tag in row:
        seen[tag] = seen.get(tag, 0) + 1
category = (
    Category.objects.filter(parent__isnull=True).order_by("slug")
    .values_list("slug", flat=True).first()
)
print(
    Product.objects.count(),
    max(seen, key=seen.get) if seen else "",
    category or "",
)
"""


def _catalog(bench: Bench) -> tuple[int, str, str]:
    env = {**bench.env, "DJANGO_SETTINGS_MODULE": "pantry.settings"}
    out = subprocess.run(
        [sys.executable, "-c", COUNT],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    count, tag, category = [*out.stdout.split(), "", "", ""][:3]
    return int(count), tag, category


def _next_link(bench: Bench, path: str) -> str | None:
    status, body, *_ = bench.request("GET", path)
    if status != 200:
        return None
    found = re.search(rb'<a rel="next" href="\?([^"]+)"', body)
    if not found:
        return None
    return "/products/?" + found.group(1).decode().replace("&amp;", "&")


def run(bench: Bench) -> None:
    wanted = 1_000_000 if bench.scale == "full" else 20_000
    products, tag, category = _catalog(bench)
    if products < wanted:
        bench.pantry("seed", "catalog", "--products", str(wanted), "--replace")
        products, tag, category = _catalog(bench)
    count = 200 if bench.scale == "small" else 400

    first_page = ["/products/"]
    listing = bench.time_get(first_page, count=count, warmup=8)
    bench.record_timings("storefront.products_page", listing, median_ms=LIST_TARGET_MS)

    filtered = [
        bench.query("/products/", tag=tag) if tag else "/products/",
        bench.query("/products/", sort="price"),
        bench.query("/products/", in_stock="true", sort="-price"),
        bench.query("/products/", min_price="20", max_price="80"),
    ]
    if category:
        filtered.append(f"/categories/{category}/")
    following = _next_link(bench, "/products/")
    if following:
        filtered.append(following)
    mixed = bench.time_get(filtered, count=count, warmup=len(filtered) * 2)
    bench.record_timings(
        "storefront.products_filtered", mixed, median_ms=PAGE_TARGET_MS
    )

    status, body, *_ = bench.request("GET", "/api/v1/products?limit=1")
    slug = json.loads(body)["items"][0]["slug"] if status == 200 else None
    others = ["/"] + ([f"/products/{slug}/"] if slug else [])
    pages = bench.time_get(others, count=count // 2, warmup=4)
    bench.record_timings("storefront.home_and_product", pages)
    bench.record("storefront.catalog_products", products, "products")
