"""Checkout (issue 15): the quote, the voucher race, webhook ingest, expiry.

1. ``POST /api/v1/checkout/quote`` with an address, a method, 19% tax and
   a voucher, timed from Server-Timing: median under 10 ms.
2. The voucher race: 64 clients place one order each at once, all with a
   voucher limited to 10 uses; exactly 10 are placed and redeemed, the rest
   answer 409 ``voucher_exhausted``, and the count never passes the limit.
3. Webhook ingest: unpaid orders with pending ``fake`` payments, seeded in
   SQL; 16 clients post signed webhooks as the fake provider does
   (``payments/providers/fake.py``), 10% of them duplicates and a tenth of
   the payments declined; events/s over the wall time, then every order
   and payment is checked against its event. Its own server enables the
   fake provider (production enables only ``manual``).
4. The expiry sweeper: expired unpaid orders seeded in SQL (a line of a
   SKU without stock, a tenth with a voucher use), then ``pantry
   expire_orders`` timed with its peak RSS; every order must end expired,
   the SKU's stock back and the voucher's uses given back.

Needs the bench SKUs of the orders case (set up here too).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import re
import secrets
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from tempfile import TemporaryFile

from bench.cases.orders import ADDRESS, BENCH_SKUS, HOT_SKU, METHOD, SETUP, VOUCHER
from bench.harness import (
    Bench,
    Timings,
    extra_server,
    free_port,
    pantry_output,
    psql,
    psql_script,
)

RACE_CLIENTS = 64
RACE_LIMIT = 10
WEBHOOK_CLIENTS = 16
EXPIRY_SKU = "BENCH-EXPIRY"


def run(bench: Bench) -> None:
    url = pantry_output(bench.env, "db", "url").strip()
    currency = bench.env.get("PANTRY_CURRENCY", "EUR")
    script = (
        f"SKUS = {[*BENCH_SKUS, EXPIRY_SKU]!r}\nHOT = {HOT_SKU!r}\n"
        f"HOT_STOCK = 0\nCURRENCY = {currency!r}\nMETHOD = {METHOD!r}\n"
        f"VOUCHER = {VOUCHER!r}\n" + SETUP
    )
    pantry_output(bench.env, "shell", "-c", script)
    # The expiry SKU starts empty: what the sweeper returns is all it holds.
    psql(url, f"UPDATE catalog_variant SET stock = 0 WHERE sku = '{EXPIRY_SKU}'")  # noqa: S608  constant
    full = bench.scale == "full"
    _quote(bench, 1000 if full else 300)
    _voucher_race(bench, url)
    _webhooks(bench, url, 10_000 if full else 2_000, currency)
    _expiry(bench, url, 100_000 if full else 10_000, currency)


def _quote(bench: Bench, count: int) -> None:
    timings = Timings()
    conn = http.client.HTTPConnection(bench.host, bench.port, timeout=60)
    for i in range(count + 5):
        skus = [BENCH_SKUS[(i * 7 + k) % len(BENCH_SKUS)] for k in range(1 + i % 3)]
        body = {
            "lines": [{"sku": sku, "quantity": 1 + k} for k, sku in enumerate(skus)],
            "shipping_address": ADDRESS,
            "shipping_method": METHOD,
            "voucher": VOUCHER,
        }
        status, _, client, server, queries = bench.request(
            "POST", "/api/v1/checkout/quote", body=body, conn=conn
        )
        if i < 5:
            continue  # warm-up
        timings.add(status, client, server, queries)
    conn.close()
    bench.record_timings("checkout.quote", timings, median_ms=10)


def _voucher_race(bench: Bench, url: str) -> None:
    code = "RACE" + secrets.token_hex(4).upper()
    pantry_output(
        bench.env,
        "shell",
        "-c",
        "from pantry.vouchers.services import create_voucher\n"
        f"create_voucher(code={code!r}, percent_off='10', usage_limit={RACE_LIMIT})",
    )
    start_line = threading.Barrier(RACE_CLIENTS)
    statuses: dict[str, int] = {}
    lock = threading.Lock()

    def client(worker: int) -> None:
        conn = http.client.HTTPConnection(bench.host, bench.port, timeout=60)
        conn.connect()
        body = {
            "customer": {"name": "Racer", "email": f"vrace{worker}@example.com"},
            "lines": [{"sku": BENCH_SKUS[worker % len(BENCH_SKUS)], "quantity": 1}],
            "shipping_address": ADDRESS,
            "shipping_method": METHOD,
            "voucher": code,
        }
        start_line.wait()
        status, data, _, _, _ = bench.request(
            "POST",
            "/api/v1/orders",
            body=body,
            headers={"Idempotency-Key": uuid.uuid4().hex},
            conn=conn,
        )
        conn.close()
        outcome = str(status)
        if status == 409:
            outcome += " " + json.loads(data).get("error", "")
        with lock:
            statuses[outcome] = statuses.get(outcome, 0) + 1

    started = time.perf_counter()
    with ThreadPoolExecutor(RACE_CLIENTS) as pool:
        list(pool.map(client, range(RACE_CLIENTS)))
    elapsed = time.perf_counter() - started
    used, live, orders = (
        int(n)
        for n in psql(
            url,
            f"SELECT v.used, (SELECT count(*) FROM vouchers_redemption r "  # noqa: S608  the code is our own random hex
            f"WHERE r.voucher_id = v.id AND r.released_at IS NULL), "
            f"(SELECT count(*) FROM orders_order WHERE voucher_code = v.code) "
            f"FROM vouchers_voucher v WHERE v.code = '{code}'",
        )
        .strip()
        .split("|")
    )
    exact = used == live == orders == statuses.get("201", 0) == RACE_LIMIT
    refused = statuses.get("409 voucher_exhausted", 0) == RACE_CLIENTS - RACE_LIMIT
    bench.record(
        "checkout.voucher_race_64_clients",
        used,
        f"uses of {RACE_LIMIT}",
        target=f"exactly {RACE_LIMIT} redeemed, never more",
        ok=exact and refused,
        redemptions=live,
        orders_with_voucher=orders,
        statuses=dict(sorted(statuses.items())),
        seconds=round(elapsed, 2),
    )


def _sign(key: bytes, event_id: str, stamp: int, body: bytes) -> str:
    # The fake provider's scheme (Standard Webhooks): v1,base64(HMAC-SHA256).
    message = f"{event_id}.{stamp}.".encode() + body
    return (
        "v1,"
        + base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()
    )


# Unpaid orders with a pending fake payment each; ``tag`` keeps runs apart.
_SEED_PAYMENTS = """
WITH o AS (
    INSERT INTO orders_order
        (number, customer_name, email, status, currency, total, subtotal,
         placed_at, payment_provider, expires_at)
    SELECT 'W' || :'tag' || lpad(g::text, 8, '0'), 'Bench', 'hook' || g || '@example.com',
           'placed', :'currency', 9.90, 9.90, now(), 'fake', now() + interval '1 day'
    FROM generate_series(1, :n) g
    RETURNING number
)
INSERT INTO payments_payment
    (order_ref, provider, provider_ref, status, currency, amount, authorized,
     captured, refunded, provider_data, created_at, updated_at)
SELECT number, 'fake', 'fake_' || number, 'pending', :'currency', 9.90, 0, 0, 0,
       '{}', now(), now()
FROM o
"""


def _webhooks(bench: Bench, url: str, events: int, currency: str) -> None:
    tag = secrets.token_hex(3).upper()
    unique = events - events // 10
    psql_script(url, _SEED_PAYMENTS, tag=tag, n=str(unique), currency=currency)
    refs = [f"fake_W{tag}{i:08d}" for i in range(1, unique + 1)]
    # Every tenth payment is declined; the first tenth arrive twice.
    deliveries = [(i, ref) for i, ref in enumerate(refs)]
    deliveries += deliveries[: events - unique]
    key = secrets.token_bytes(32)
    env = {
        **bench.env,
        "PANTRY_PAYMENT_PROVIDERS": "manual,fake",
        "PANTRY_FAKE_PAYMENT_SECRET": base64.b64encode(key).decode(),
    }
    secret = env["PANTRY_FAKE_PAYMENT_SECRET"].encode()
    port = free_port()
    timings = Timings()
    lock = threading.Lock()

    def client(worker: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for i, ref in deliveries[worker::WEBHOOK_CLIENTS]:
            event_id = f"evt_{ref}"
            kind = "payment.failed" if i % 10 == 9 else "payment.captured"
            body = json.dumps(
                {
                    "id": event_id,
                    "type": kind,
                    "data": {"payment": ref, "amount": "9.90"},
                }
            ).encode()
            stamp = int(time.time())
            started = time.perf_counter()
            conn.request(
                "POST",
                "/api/v1/payments/fake/webhook",
                body=body,
                headers={
                    "Content-Type": "application/json",
                    "webhook-id": event_id,
                    "webhook-timestamp": str(stamp),
                    "webhook-signature": _sign(secret, event_id, stamp, body),
                },
            )
            response = conn.getresponse()
            response.read()
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                timings.add(response.status, elapsed)
        conn.close()

    with extra_server(env, port, workers=2, threads=4, what="the webhook server"):
        started = time.perf_counter()
        with ThreadPoolExecutor(WEBHOOK_CLIENTS) as pool:
            list(pool.map(client, range(WEBHOOK_CLIENTS)))
        elapsed = time.perf_counter() - started
    rate = events / elapsed
    # Each payment's expected end: captured and its order paid, or failed
    # and its order still placed; one event row per payment.
    wrong, recorded = (
        int(n)
        for n in psql_script(
            url,
            """
            SELECT count(*) FILTER (WHERE NOT (
                       (right(p.order_ref, 1) = '0' AND p.status = 'failed'
                        AND o.status = 'placed' AND p.captured = 0)
                    OR (right(p.order_ref, 1) <> '0' AND p.status = 'captured'
                        AND o.status = 'paid' AND p.captured = 9.90))),
                   (SELECT count(*) FROM payments_providerevent e
                    WHERE e.provider = 'fake' AND e.event_id LIKE 'evt_fake_W' || :'tag' || '%')
            FROM payments_payment p JOIN orders_order o ON o.number = p.order_ref
            WHERE p.provider_ref LIKE 'fake_W' || :'tag' || '%'
            """,
            tag=tag,
        )
        .strip()
        .split("|")
    )
    summary = timings.summary()
    bench.record(
        "checkout.webhook_ingest",
        round(rate, 1),
        "events/s",
        target=">= 500 events/s, every order correct",
        ok=rate >= 500 and wrong == 0 and recorded == unique,
        events=events,
        duplicates=events - unique,
        payments=unique,
        wrong_final_states=wrong,
        events_recorded=recorded,
        client_p50_ms=summary["client_median_ms"],
        client_p99_ms=summary["client_p99_ms"],
        statuses=summary["statuses"],
        seconds=round(elapsed, 2),
    )


# Expired unpaid orders, one unit of the expiry SKU each; every tenth holds a
# use of one voucher. Order numbers sort as they were made.
_SEED_EXPIRED = """
BEGIN;
INSERT INTO vouchers_voucher
    (code, percent_off, currency, usage_limit, used, once_per_customer, created_at)
VALUES (:'code', 5, '', :n, :n / 10, false, now());
WITH o AS (
    INSERT INTO orders_order
        (number, customer_name, email, status, currency, total, subtotal,
         placed_at, payment_provider, expires_at)
    SELECT 'X' || :'tag' || lpad(g::text, 8, '0'), 'Bench', 'gone' || g || '@example.com',
           'placed', :'currency', 9.90, 9.90, now() - interval '2 hours', 'fake',
           now() - interval '1 hour' + g * interval '1 ms'
    FROM generate_series(1, :n) g
    RETURNING id, number
), l AS (
    INSERT INTO orders_orderline
        (order_id, sku, product_name, variant_name, unit_price, quantity,
         line_total, discount, tax_class, net, tax_rate, tax, gross)
    SELECT id, :'sku', 'Bench expiry', '', 9.90, 1, 9.90, 0, 'standard', 8.32, 19,
           1.58, 9.90
    FROM o
)
INSERT INTO vouchers_redemption
    (voucher_id, order_ref, email, once_per_customer, discount, redeemed_at)
SELECT v.id, o.number, 'gone@example.com', false, 0.50, now()
FROM o, vouchers_voucher v
WHERE v.code = :'code' AND right(o.number, 1) = '0';
COMMIT;
"""


def _expiry(bench: Bench, url: str, count: int, currency: str) -> None:
    # Orders already due (from earlier runs) would count as ours: sweep first.
    bench.pantry("expire_orders")
    tag = secrets.token_hex(3).upper()
    code = "EXPIRY" + tag
    psql_script(
        url,
        _SEED_EXPIRED,
        tag=tag,
        n=str(count),
        code=code,
        sku=EXPIRY_SKU,
        currency=currency,
    )
    psql(url, "ANALYZE orders_order")
    with TemporaryFile() as out:
        measured = bench.pantry("expire_orders", stdout=out)
        out.seek(0)
        said = out.read().decode().strip()
    left, stock, used = (
        int(n)
        for n in psql_script(
            url,
            """
            SELECT (SELECT count(*) FROM orders_order
                    WHERE number LIKE 'X' || :'tag' || '%' AND status <> 'expired'),
                   (SELECT stock FROM catalog_variant WHERE sku = :'sku'),
                   (SELECT used FROM vouchers_voucher WHERE code = :'code')
            """,
            tag=tag,
            sku=EXPIRY_SKU,
            code=code,
        )
        .strip()
        .split("|")
    )
    # The command's own figure leaves out Django's start-up; both are kept.
    match = re.search(r"([\d.]+) s, (\d+) orders/s", said)
    rate = float(match.group(2)) if match else count / measured["seconds"]
    bench.record(
        "checkout.expiry_sweep",
        rate,
        "orders/s",
        target="clears every expired order in bounded memory",
        ok=left == 0 and stock == count and used == 0,
        orders=count,
        sweep_seconds=float(match.group(1)) if match else None,
        command_seconds=measured["seconds"],
        command_orders_per_s=round(count / measured["seconds"], 1),
        peak_rss_mb=measured["peak_rss_mb"],
        left_unexpired=left,
        stock_returned=stock,
        voucher_uses_left=used,
        command_said=said,
    )
