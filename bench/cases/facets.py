"""Facet counts uncached at the catalog's scale (issue 18).

1. Lookups (no filter, a category, in stock): GET /api/v1/products/facets,
   server median and p99.
2. A different random combination of the list's filters on every request
   (category, tag, any_tag, in_stock, price range, q), never repeated, so
   nothing cached can help: server median and p99 (targets < 30 ms, < 100
   ms), and the share answered with estimates.
3. The storefront list page with random filters from 8 clients: requests
   per second over the wall time (target >= 150/s).
4. Order placement when every order flips a product out of stock (each
   flip updates facet rows) against the same orders with ample stock.

The bench server runs with PANTRY_PAGE_CACHE_ENTRIES=0 (harness), so the
page's per-worker cache is off. Runs after catalog_data; alone (``--only
facets``) it seeds the catalog itself.
"""

from __future__ import annotations

import http.client
import json
import random
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bench.harness import Bench, Timings, pantry_output, psql

MEDIAN_MS, P99_MS = 30, 100
PAGE_CLIENTS, PAGE_RATE = 8, 150
FLIP_CLIENTS = 16
FLIP_SKUS = 400

SETUP = """
from django.db import transaction
from pantry.catalog.models import Category, Product, Variant
with transaction.atomic():
    category, _ = Category.objects.get_or_create(
        slug="bench-flips", defaults={"name": "Bench flips", "path": "bench_flips"})
    for i in range(COUNT):
        for kind, stock in (("flip", 1), ("ample", 1_000_000)):
            sku = f"BENCH-{kind.upper()}-{i:04d}"
            product, _ = Product.objects.get_or_create(
                slug=sku.lower(),
                defaults={"name": sku, "category": category, "tags": ["bench"]})
            Variant.objects.update_or_create(
                sku=sku, defaults={"product": product, "price": "9.90",
                                   "currency": CURRENCY, "stock": stock})
"""


def _get(bench: Bench, path: str, **params: Any) -> Any:
    status, body, *_ = bench.request("GET", bench.query(path, **params))
    if status != 200:
        raise RuntimeError(f"GET {path} {params}: {status} {body[:300]!r}")
    return json.loads(body)


def _walk(nodes: list[dict[str, Any]], depth: int = 0) -> list[tuple[str, int, bool]]:
    out: list[tuple[str, int, bool]] = []
    for node in nodes:
        out.append((node["slug"], depth, not node["children"]))
        out += _walk(node["children"], depth + 1)
    return out


def combinations(
    rng: random.Random, tags: list[str], roots: list[str], leaves: list[str]
) -> dict[str, Any]:
    """One random combination of the list's filters (possibly none)."""
    params: dict[str, Any] = {}
    if rng.random() < 0.5:
        params["category"] = rng.choice(roots if rng.random() < 0.4 else leaves)
    if rng.random() < 0.4:
        params["tag"] = rng.choice(tags)
    if rng.random() < 0.15:
        params["any_tag"] = rng.sample(tags, 2)
    if rng.random() < 0.3:
        params["in_stock"] = "true"
    if rng.random() < 0.3:
        low = rng.choice([5, 10, 20, 50, 100])
        params["min_price"] = str(low)
        params["max_price"] = str(low * rng.choice([2, 4, 10]))
    if rng.random() < 0.1:
        params["q"] = rng.choice(tags)
    return params


def run(bench: Bench) -> None:
    wanted = 1_000_000 if bench.scale == "full" else 20_000
    url = pantry_output(bench.env, "db", "url").strip()
    products = int(psql(url, "SELECT count(*) FROM catalog_product").strip())
    if products < wanted:
        bench.pantry("seed", "catalog", "--products", str(wanted), "--replace")
    everything = _get(bench, "/api/v1/products/facets")
    tags = [t["value"] for t in everything["tags"]]
    tree = _walk(_get(bench, "/api/v1/categories"))
    roots = [slug for slug, depth, _ in tree if depth == 0]
    leaves = [slug for slug, _, leaf in tree if leaf]
    count = 300 if bench.scale == "full" else 150

    lookups = ["/api/v1/products/facets"] + [
        bench.query("/api/v1/products/facets", **params)
        for params in [{"in_stock": "true"}]
        + [{"category": c} for c in roots[:10]]
        + [{"category": c} for c in leaves[:10]]
    ]
    bench.record_timings(
        "facets.lookups",
        bench.time_get(lookups, count=count),
        median_ms=MEDIAN_MS,
        p99_ms=P99_MS,
    )

    rng = random.Random(18)
    combos = [combinations(rng, tags, roots, leaves) for _ in range(count + 5)]
    paths = [bench.query("/api/v1/products/facets", **c) for c in combos]
    bench.record_timings(
        "facets.random_filters",
        bench.time_get(paths, count=count),
        median_ms=MEDIAN_MS,
        p99_ms=P99_MS,
    )
    estimated = sum(
        1
        for path in paths[:50]
        if json.loads(bench.request("GET", path)[1])["count_is_estimate"]
    )
    bench.results[-1]["estimated_share_of_first_50"] = estimated / 50

    pages = [bench.query("/products/", **c) for c in combos]
    started = time.perf_counter()
    timings = bench.time_get(pages, count=count * 2, warmup=0, concurrency=PAGE_CLIENTS)
    elapsed = time.perf_counter() - started
    rate = len(timings.client_ms) / elapsed
    summary = timings.summary()
    bench.record(
        "facets.list_page_random_filters_8_clients",
        round(rate, 1),
        "req/s",
        target=f">= {PAGE_RATE} req/s",
        ok=rate >= PAGE_RATE and set(summary["statuses"]) == {"200"},
        **summary,
    )

    _flips(bench)


def _flips(bench: Bench) -> None:
    """Orders/s when each order takes a product's last unit (a facet row
    update) and when none does, in one category (the hottest rows)."""
    currency = bench.env.get("PANTRY_CURRENCY", "EUR")
    pantry_output(
        bench.env,
        "shell",
        "-c",
        f"COUNT = {FLIP_SKUS}\nCURRENCY = {currency!r}\n" + SETUP,
    )
    lock = threading.Lock()
    for kind in ("ample", "flip"):
        timings = Timings()

        def client(worker: int, kind: str = kind, timings: Timings = timings) -> None:
            conn = http.client.HTTPConnection(bench.host, bench.port, timeout=60)
            for i in range(worker, FLIP_SKUS, FLIP_CLIENTS):
                body = {
                    "customer": {"name": f"Bench {i}", "email": f"flip{i}@example.com"},
                    "lines": [{"sku": f"BENCH-{kind.upper()}-{i:04d}", "quantity": 1}],
                }
                status, _, client_ms, server_ms, _ = bench.request(
                    "POST",
                    "/api/v1/orders",
                    body=body,
                    headers={"Idempotency-Key": uuid.uuid4().hex},
                    conn=conn,
                )
                with lock:
                    timings.add(status, client_ms, server_ms)
            conn.close()

        started = time.perf_counter()
        with ThreadPoolExecutor(FLIP_CLIENTS) as pool:
            list(pool.map(client, range(FLIP_CLIENTS)))
        elapsed = time.perf_counter() - started
        placed = timings.statuses.get(201, 0)
        bench.record(
            f"facets.orders_{kind}_16_clients",
            round(placed / elapsed, 1),
            "orders/s",
            **timings.summary(),
        )
