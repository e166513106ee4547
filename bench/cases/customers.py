"""Customers: password hashing, sign-in throughput, a customer's order history.

1. The production hasher (Argon2id, pantry.core.hashers) timed in a pantry
   process: encode and verify, median of 20 each, with its parameters.
2. Sign-in over HTTP: POST /api/v1/auth/login with the right password, from
   one client (the server median must stay under 100 ms), then from 4 at
   once; sign-ins/s over the wall time.
3. ``GET /api/v1/me/orders`` for a customer owning 1,000 orders among
   5,000,000 (full) or 50,000 (small): missing guest orders and the
   customer's are inserted with generate_series (bounded by the count),
   then the first page is timed from Server-Timing: median under 10 ms.
"""

from __future__ import annotations

import http.client
import json
import threading
import time

from bench.harness import Bench, Timings, pantry_output, psql

EMAIL = "bench-customer@example.com"
PASSWORD = "bench sign-in phrase 2026"  # noqa: S105 - a bench-only account
CUSTOMER_ORDERS = 1000
LOGIN_CLIENTS = 4

HASH_TIMING = """
import json, statistics, time
from django.contrib.auth.hashers import get_hasher
hasher = get_hasher()
encoded = hasher.encode("a password of usual length", hasher.salt())
def timed(action):
    runs = []
    for _ in range(20):
        start = time.perf_counter()
        action()
        runs.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(runs), 2)
print(json.dumps({
    "algorithm": hasher.algorithm,
    "time_cost": hasher.time_cost,
    "memory_cost_kib": hasher.memory_cost,
    "parallelism": hasher.parallelism,
    "encode_ms": timed(lambda: hasher.encode("a password", hasher.salt())),
    "verify_ms": timed(lambda: hasher.verify("a password of usual length", encoded)),
}))
"""

# Guest orders up to the target, then the customer's own, newest spread
# over the last 1,000 days; numbers are unique by construction.
SEED_GUESTS = """
INSERT INTO orders_order
    (number, customer_name, email, status, currency, total, subtotal, placed_at)
SELECT 'PA-BG' || lpad(g::text, 8, '0'), 'Bench guest', 'guest' || g || '@example.com',
       'paid', 'EUR', 10.00, 10.00, now() - (g % 100000) * interval '15 minutes'
FROM generate_series(%(start)s, %(stop)s) AS g
ON CONFLICT (number) DO NOTHING
"""
SEED_MINE = """
INSERT INTO orders_order
    (number, customer_name, email, status, currency, total, subtotal, placed_at,
     customer_id)
SELECT 'PA-BC' || lpad(g::text, 8, '0'), 'Bench Customer', %(email)s, 'paid',
       'EUR', 10.00, 10.00, now() - g * interval '1 day', c.id
FROM generate_series(1, %(count)s) AS g,
     customers_customer c WHERE lower(c.email) = lower(%(email)s)
ON CONFLICT (number) DO NOTHING
"""


def run(bench: Bench) -> None:
    url = pantry_output(bench.env, "db", "url").strip()
    _hash_time(bench)
    _ensure_customer(bench)
    logins = 200 if bench.scale == "full" else 60
    # One client: the server time of a sign-in itself; then four at once:
    # the throughput two cores give.
    token = _sign_in(bench, logins, clients=1, name="customers.sign_in")
    _sign_in(bench, logins * 2, clients=LOGIN_CLIENTS, name="customers.sign_in_4")
    target = 5_000_000 if bench.scale == "full" else 50_000
    _ensure_orders(bench, url, target)
    path = "/api/v1/me/orders?limit=20"
    auth = {"Authorization": f"Bearer {token}"}
    first = bench.request("GET", path, headers=auth)
    if first[0] != 200 or len(json.loads(first[1])["items"]) != 20:
        raise RuntimeError(f"/me/orders answered {first[0]}: {first[1][:300]!r}")
    timings = bench.time_get(
        [path],
        count=300 if bench.scale == "full" else 100,
        headers=auth,
    )
    bench.record_timings("customers.me_orders", timings, median_ms=10)


def _hash_time(bench: Bench) -> None:
    out = pantry_output(bench.env, "shell", "-c", HASH_TIMING)
    figures = json.loads(out.strip().splitlines()[-1])
    bench.record(
        "customers.password_hash",
        figures["verify_ms"],
        "ms (verify, median)",
        **figures,
    )


def _ensure_customer(bench: Bench) -> None:
    status, body, *_ = bench.request(
        "POST",
        "/api/v1/customers",
        body={"email": EMAIL, "password": PASSWORD, "name": "Bench Customer"},
    )
    if status not in (201, 409):
        raise RuntimeError(f"sign-up answered {status}: {body[:200]!r}")


def _sign_in(bench: Bench, count: int, *, clients: int, name: str) -> str:
    timings = Timings()
    lock = threading.Lock()
    tokens: list[str] = []

    def client(worker: int) -> None:
        conn = http.client.HTTPConnection(bench.host, bench.port, timeout=60)
        for _ in range(worker, count, clients):
            status, data, client_ms, server_ms, _ = bench.request(
                "POST",
                "/api/v1/auth/login",
                body={"email": EMAIL, "password": PASSWORD},
                conn=conn,
            )
            with lock:
                timings.add(status, client_ms, server_ms)
                if status == 200 and not tokens:
                    tokens.append(json.loads(data)["token"])
        conn.close()

    start = time.perf_counter()
    threads = [threading.Thread(target=client, args=(w,)) for w in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - start
    summary = timings.summary()
    bench.record(
        name,
        round(count / wall, 1),
        "sign-ins/s",
        target="server median < 100 ms",
        ok=summary["server_median_ms"] is not None
        and summary["server_median_ms"] < 100
        and set(summary["statuses"]) == {"200"},
        clients=clients,
        **summary,
    )
    if not tokens:
        raise RuntimeError("no sign-in succeeded")
    return tokens[0]


def _ensure_orders(bench: Bench, url: str, target: int) -> None:
    start = time.perf_counter()
    have = int(psql(url, "SELECT count(*) FROM orders_order").strip())
    missing = max(0, target - CUSTOMER_ORDERS - have)
    if missing:
        psql(url, _bind(SEED_GUESTS, start=1, stop=missing))
    psql(url, _bind(SEED_MINE, email=EMAIL, count=CUSTOMER_ORDERS))
    psql(url, "ANALYZE orders_order")
    total = int(psql(url, "SELECT count(*) FROM orders_order").strip())
    bench.record(
        "customers.seed_orders",
        round(time.perf_counter() - start, 1),
        "s",
        orders=total,
        guest_orders_inserted=missing,
        customer_orders=CUSTOMER_ORDERS,
    )


def _bind(sql: str, **params: object) -> str:
    """Inline the few trusted integer and email parameters for psql."""
    for name, value in params.items():
        literal = str(int(value)) if isinstance(value, int) else _quote(str(value))
        sql = sql.replace(f"%({name})s", literal)
    return sql


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
