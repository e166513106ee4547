"""Orders: checkout throughput, the hot-SKU race, the staff list, sales reports.

1. Needs a catalog: the catalog_data case seeds one first in a full run;
   alone, ``pantry seed catalog`` (when present) or ``pantry demo`` loads one.
2. ``pantry seed orders`` up to 5,000,000 orders (full) or 50,000 (small),
   only when the bench database holds fewer.
3. Order placement over HTTP: 16 concurrent clients, each POST with an
   Idempotency-Key, 1 to 3 lines of dedicated bench SKUs with ample stock,
   a German address, a shipping method, 19% tax and a 5% voucher;
   orders/s over the wall time, client p50/p99 and server median.
4. The hot-SKU race: 64 concurrent clients buy one unit each of a SKU with
   limited stock until refused; stock must end at 0 with exactly as many
   orders as units (never oversold), and no 5xx.
5. The staff order list filtered by status, and the 30-day daily sales
   report, timed from Server-Timing.
6. The staff dashboard (the admin index) as a signed-in superuser, after
   one `pantry orders_upkeep` (what the upkeep service does every 30 s),
   timed from Server-Timing; the rollup fold's own time too.
"""

from __future__ import annotations

import http.client
import json
import random
import statistics
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from bench.harness import ROOT, Bench, Timings, pantry_output, percentile, psql

PLACE_CLIENTS = 16
RACE_CLIENTS = 64
BENCH_SKUS = [f"BENCH-{i:03d}" for i in range(200)]
HOT_SKU = "BENCH-HOT"

# Placement ships to an address with a chosen method, is taxed and takes a
# voucher, as a real checkout does (issue 15).
ADDRESS = {
    "name": "Bench Customer",
    "line1": "Benchstrasse 1",
    "city": "Berlin",
    "postal_code": "10117",
    "country": "DE",
}
METHOD = "bench-standard"
VOUCHER = "BENCH5"

SETUP = """
from datetime import UTC, datetime
from decimal import Decimal
from django.db import transaction
from pantry.catalog.models import Category, Product, Variant
from pantry.shipping.models import Method
from pantry.shipping.services import add_method, add_rate, create_zone
from pantry.tax.models import TaxRate
from pantry.tax.services import add_tax_rate
from pantry.vouchers.services import create_voucher, find_voucher
with transaction.atomic():
    if not Method.objects.filter(code=METHOD).exists():
        zone = create_zone(name="Bench", countries=["DE"])
        add_method(zone=zone, code=METHOD, name="Bench standard")
        add_rate(method_code=METHOD, currency=CURRENCY, price=Decimal("4.90"))
    if not TaxRate.objects.filter(country="DE", tax_class__code="standard").exists():
        add_tax_rate(tax_class="standard", country="DE", rate=Decimal("19"),
                     valid_from=datetime(2000, 1, 1, tzinfo=UTC))
    if find_voucher(VOUCHER) is None:
        create_voucher(code=VOUCHER, percent_off="5")
    category, _ = Category.objects.get_or_create(
        slug="bench", defaults={"name": "Bench", "path": "bench"})
    # One product per SKU, as checkouts of a real catalog spread over products.
    for sku in SKUS + [HOT]:
        product, _ = Product.objects.get_or_create(
            slug=sku.lower(), defaults={"name": f"Bench {sku}", "category": category})
        Variant.objects.update_or_create(
            sku=sku, defaults={"product": product, "price": "9.90",
                               "currency": CURRENCY,
                               "stock": HOT_STOCK if sku == HOT else 1_000_000})
"""


def run(bench: Bench) -> None:
    target = 5_000_000 if bench.scale == "full" else 50_000
    url = pantry_output(bench.env, "db", "url").strip()
    _ensure_catalog(bench, url)
    _ensure_orders(bench, url, target)
    token = pantry_output(bench.env, "token", "create", "bench-orders").strip()
    hot_stock = 2000 if bench.scale == "full" else 500
    currency = bench.env.get("PANTRY_CURRENCY", "EUR")
    script = (
        f"SKUS = {BENCH_SKUS!r}\nHOT = {HOT_SKU!r}\nHOT_STOCK = {hot_stock}\n"
        f"CURRENCY = {currency!r}\nMETHOD = {METHOD!r}\nVOUCHER = {VOUCHER!r}\n" + SETUP
    )
    pantry_output(bench.env, "shell", "-c", script)

    count = 5000 if bench.scale == "full" else 2000
    _placement(bench, count)
    _hot_race(bench, url, hot_stock)
    _staff_list(bench, token)
    _sales_report(bench, token)
    _dashboard(bench)


def _ensure_catalog(bench: Bench, url: str) -> None:
    variants = int(psql(url, "SELECT count(*) FROM catalog_variant").strip())
    if variants > len(BENCH_SKUS) + 1:
        return
    has_seed = subprocess.run(
        [sys.executable, "-m", "pantry.platform.cli", "seed", "catalog", "--help"],
        env=bench.env,
        cwd=ROOT,
        capture_output=True,
    )
    if has_seed.returncode == 0:
        products = "1000000" if bench.scale == "full" else "20000"
        bench.pantry("seed", "catalog", "--products", products)
    else:
        bench.pantry("demo")


def _ensure_orders(bench: Bench, url: str, target: int) -> None:
    have = int(psql(url, "SELECT count(*) FROM orders_order").strip())
    if have >= target:
        bench.record("orders.seed", None, "s", have=have, note="already seeded")
        return
    missing = target - have
    measured = bench.pantry("seed", "orders", "--orders", str(missing))
    bench.record(
        "orders.seed",
        measured["seconds"],
        "s",
        orders=missing,
        orders_per_s=round(missing / measured["seconds"]),
        peak_rss_mb=measured["peak_rss_mb"],
    )


def _post(
    bench: Bench, conn: http.client.HTTPConnection, body: dict, key: str
) -> tuple[int, bytes, float, float | None]:
    status, data, client, server, _ = bench.request(
        "POST", "/api/v1/orders", body=body, headers={"Idempotency-Key": key}, conn=conn
    )
    return status, data, client, server


def _placement(bench: Bench, count: int) -> None:
    timings = Timings()
    lock = threading.Lock()

    def client(worker: int) -> None:
        rng = random.Random(worker)
        conn = http.client.HTTPConnection(bench.host, bench.port, timeout=60)
        for i in range(worker, count, PLACE_CLIENTS):
            lines = [
                {"sku": sku, "quantity": rng.randint(1, 3)}
                for sku in rng.sample(BENCH_SKUS, rng.randint(1, 3))
            ]
            body = {
                "customer": {"name": f"Bench {i}", "email": f"bench{i}@example.com"},
                "lines": lines,
                "shipping_address": ADDRESS,
                "shipping_method": METHOD,
                "voucher": VOUCHER,
            }
            status, _, client_ms, server_ms = _post(bench, conn, body, uuid.uuid4().hex)
            with lock:
                timings.add(status, client_ms, server_ms)
        conn.close()

    start = time.perf_counter()
    with ThreadPoolExecutor(PLACE_CLIENTS) as pool:
        list(pool.map(client, range(PLACE_CLIENTS)))
    elapsed = time.perf_counter() - start
    placed = timings.statuses.get(201, 0)
    rate = placed / elapsed
    summary = timings.summary()
    bench.record(
        "orders.place_16_clients",
        round(rate, 1),
        "orders/s",
        target=">= 300 orders/s",
        ok=rate >= 300 and placed == count,
        client_p50_ms=summary["client_median_ms"],
        client_p99_ms=summary["client_p99_ms"],
        server_median_ms=summary["server_median_ms"],
        server_p99_ms=summary["server_p99_ms"],
        statuses=summary["statuses"],
        seconds=round(elapsed, 2),
    )


def _units_sold(url: str) -> int:
    return int(
        psql(
            url,
            "SELECT coalesce(sum(quantity), 0) FROM orders_orderline "  # noqa: S608  the benchmark's own constant SKU
            f"WHERE sku = '{HOT_SKU}'",
        )
    )


def _hot_race(bench: Bench, url: str, stock: int) -> None:
    sold_before = _units_sold(url)
    results: list[tuple[int, float]] = []
    lock = threading.Lock()

    def client(worker: int) -> None:
        conn = http.client.HTTPConnection(bench.host, bench.port, timeout=60)
        i = 0
        while True:
            i += 1
            body = {
                "customer": {"name": "Racer", "email": f"racer{worker}@example.com"},
                "lines": [{"sku": HOT_SKU, "quantity": 1}],
                "shipping_address": ADDRESS,
                "shipping_method": METHOD,
            }
            status, _, client_ms, _ = _post(bench, conn, body, uuid.uuid4().hex)
            with lock:
                results.append((status, client_ms))
            if status != 201:
                break
        conn.close()

    start = time.perf_counter()
    with ThreadPoolExecutor(RACE_CLIENTS) as pool:
        list(pool.map(client, range(RACE_CLIENTS)))
    elapsed = time.perf_counter() - start
    statuses: dict[int, int] = {}
    for status, _ in results:
        statuses[status] = statuses.get(status, 0) + 1
    left = int(psql(url, f"SELECT stock FROM catalog_variant WHERE sku = '{HOT_SKU}'"))  # noqa: S608  the benchmark's own constant SKU
    sold = _units_sold(url) - sold_before
    never_oversold = left == 0 and sold == stock and statuses.get(201, 0) == stock
    no_errors = all(status in (201, 409) for status in statuses)
    latencies = [ms for _, ms in results]
    bench.record(
        "orders.hot_sku_race_64_clients",
        round(statuses.get(201, 0) / elapsed, 1),
        "orders/s",
        target="never oversold, no 5xx",
        ok=never_oversold and no_errors,
        stock_before=stock,
        stock_after=left,
        units_sold=sold,
        statuses={str(k): v for k, v in sorted(statuses.items())},
        client_p50_ms=round(statistics.median(latencies), 2),
        client_p99_ms=round(percentile(latencies, 99), 2),
        seconds=round(elapsed, 2),
    )


def _staff_list(bench: Bench, token: str) -> None:
    paths = [
        bench.query("/api/v1/orders", status=status, limit=20)
        for status in (
            "placed",
            "paid",
            "shipped",
            "delivered",
            "cancelled",
            "refunded",
        )
    ]
    # A second page too: keyset cursors must cost what page one costs.
    conn = http.client.HTTPConnection(bench.host, bench.port, timeout=60)
    _, data, _, _, _ = bench.request(
        "GET", paths[3], headers={"Authorization": f"Bearer {token}"}, conn=conn
    )
    conn.close()
    cursor = json.loads(data).get("next")
    if cursor:
        paths.append(bench.query("/api/v1/orders", status="delivered", cursor=cursor))
    count = 300 if bench.scale == "small" else 1000
    bench.record_timings(
        "orders.staff_list_by_status",
        bench.time_get(
            paths, count=count, headers={"Authorization": f"Bearer {token}"}
        ),
        median_ms=15,
    )


def _sales_report(bench: Bench, token: str) -> None:
    today = datetime.now(UTC).date()
    paths = [
        bench.query(
            "/api/v1/reports/sales",
            **{
                "from": (today - timedelta(days=29 + shift)).isoformat(),
                "to": (today - timedelta(days=shift)).isoformat(),
                "bucket": "day",
            },
        )
        for shift in range(0, 60, 6)
    ]
    count = 100 if bench.scale == "small" else 300
    bench.record_timings(
        "orders.sales_report_30_days",
        bench.time_get(
            paths, count=count, headers={"Authorization": f"Bearer {token}"}
        ),
        median_ms=100,
    )


# A signed-in superuser's session, as the admin's login would leave it.
STAFF_SESSION = """
from importlib import import_module
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth import get_user_model
user, _ = get_user_model().objects.update_or_create(
    username="bench-staff", defaults={"is_staff": True, "is_superuser": True})
user.set_unusable_password()
user.save()
store = import_module(settings.SESSION_ENGINE).SessionStore()
store[SESSION_KEY] = str(user.pk)
store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
store[HASH_SESSION_KEY] = user.get_session_auth_hash()
store.create()
print(settings.SESSION_COOKIE_NAME + "=" + store.session_key)
"""


def _dashboard(bench: Bench) -> None:
    folded = bench.pantry("orders_upkeep")
    bench.record("orders.rollup_fold", folded["seconds"], "s (whole command)")
    cookie = pantry_output(bench.env, "shell", "-c", STAFF_SESSION).strip()
    cookie = cookie.splitlines()[-1]
    count = 60 if bench.scale == "small" else 200
    bench.record_timings(
        "orders.staff_dashboard",
        bench.time_get("/admin/", count=count, headers={"Cookie": cookie}),
        median_ms=50,
    )
