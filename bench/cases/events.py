# Long on purpose: four measurements that share one receiver and its set-up.
"""Events: outbox overhead, webhook dispatch throughput and delay, audit cost.

1. Outbox overhead on order placement: the checkout service in one process,
   blocks of orders alternating with events on and off (``events_emit``
   swapped for a no-op, then restored), one endpoint subscribed so each
   order also queues deliveries; orders/s of each. Target: < 10 % slower.
2. Dispatch throughput: M events for one endpoint, delivered by two
   ``pantry events dispatch`` processes to a receiver on 127.0.0.1;
   deliveries/s from the first to the last request. Target: >= 1,000/s.
3. Commit-to-delivery delay: orders placed over HTTP at 300/s with the two
   dispatchers listening; p50/p99 of arrival time minus the event's time
   (the transaction's start, so the figure includes the transaction).
   Target: p99 < 1 s at 300 orders/s (not met when fewer are placed). Then
   the same with the orders placed by the checkout service in two
   processes (no HTTP front end), to show where the rate's limit is.
4. Audit-trigger overhead on an import: two files of N new products
   imported with and without the audit triggers; rows/s of each (reported;
   the import target of >= 50,000 rows/s is the catalog's).
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

from bench.harness import ROOT, Bench, pantry_output, percentile

SKUS = [f"EVT-{i:03d}" for i in range(100)]

OVERHEAD = r"""
import json, statistics, time
from django.db import connection, transaction
from pantry.catalog.models import Category, Product, Variant
from pantry.events.endpoints import register_endpoint
from pantry.events.models import Delivery, Endpoint
from pantry.orders.services import place_order

with transaction.atomic():
    category, _ = Category.objects.get_or_create(
        slug="bench-events", defaults={"name": "Bench events", "path": "bench-events"})
    for sku in SKUS:
        product, _ = Product.objects.get_or_create(
            slug=sku.lower(), defaults={"name": f"Bench {sku}", "category": category})
        Variant.objects.update_or_create(
            sku=sku, defaults={"product": product, "price": "9.90",
                               "currency": CURRENCY, "stock": 1_000_000_000,
                               # Nothing to ship: this case times events.
                               "requires_shipping": False})
endpoint = register_endpoint(url="http://127.0.0.1:9/none", events=["order.placed"])
with connection.cursor() as cursor:
    cursor.execute("SELECT pg_get_functiondef('events_emit(text, jsonb)'::regprocedure)")
    original = cursor.fetchone()[0]
NOOP = ("CREATE OR REPLACE FUNCTION events_emit(event_type text, payloads jsonb) "
        "RETURNS integer LANGUAGE sql AS 'SELECT 0'")

def block(n, start):
    begin = time.perf_counter()
    for i in range(n):
        sku = SKUS[(start + i) % len(SKUS)]
        place_order(name="Bench", email="bench@example.com", lines=[(sku, 1)])
    return n / (time.perf_counter() - begin)

rates = {"on": [], "off": []}
try:
    block(50, 0)  # warm up
    for round_ in range(ROUNDS):
        for mode in ("on", "off") if round_ % 2 == 0 else ("off", "on"):
            with connection.cursor() as cursor:
                cursor.execute(original if mode == "on" else NOOP)
            rates[mode].append(block(BLOCK, round_ * BLOCK))
finally:
    with connection.cursor() as cursor:
        cursor.execute(original)
    Delivery.objects.filter(endpoint=endpoint).delete()
    endpoint.delete()
# Each round times both modes back to back: the median of the rounds' own
# differences, not of the means, so the machine's drift between rounds
# cancels out.
slower = sorted((off - on) / off * 100 for on, off in zip(rates["on"], rates["off"]))
print(json.dumps({
    **{mode: sum(r) / len(r) for mode, r in rates.items()},
    "slower": statistics.median(slower),
    "rounds": slower,
}))
"""

EMIT = r"""
import json
from django.db import connection, transaction
from pantry.events.endpoints import register_endpoint
endpoint = register_endpoint(url=URL, events=["order.paid"])
with transaction.atomic(), connection.cursor() as cursor:
    cursor.execute(
        "SELECT events_emit('order.paid', jsonb_agg(jsonb_build_object("
        "'number', 'BENCH-' || i, 'status', 'paid'))) FROM generate_series(1, %s) i",
        [COUNT])
print(json.dumps({"endpoint": endpoint.pk}))
"""

REGISTER = r"""
import json
from pantry.events.endpoints import register_endpoint
endpoint = register_endpoint(url=URL, events=["order.placed"])
print(json.dumps({"endpoint": endpoint.pk}))
"""

# Orders placed by the checkout service in this process at RATE/s from
# START (an epoch time), THREADS threads each with its own connection; the
# HTTP front end is left out so that the rate is the one the target names.
PACED = r"""
import json, time
from concurrent.futures import ThreadPoolExecutor
from django.db import connection
from pantry.orders.services import place_order

def worker(index):
    placed = failed = late = 0
    try:
        for i in range(index, TOTAL, THREADS):
            due = START + i / RATE
            pause = due - time.time()
            if pause > 0:
                time.sleep(pause)
            elif pause < -0.5:
                late += 1
            try:
                place_order(name="Bench", email="bench@example.com",
                            lines=[(SKUS[(OFFSET + i) % len(SKUS)], 1)])
                placed += 1
            except Exception:
                failed += 1
    finally:
        connection.close()
    return placed, failed, late

with ThreadPoolExecutor(THREADS) as pool:
    results = list(pool.map(worker, range(THREADS)))
print(json.dumps({"placed": sum(r[0] for r in results),
                  "failed": sum(r[1] for r in results),
                  "late": sum(r[2] for r in results),
                  "finished": time.time()}))
"""

DROP_ENDPOINT = r"""
from pantry.events.endpoints import delete_endpoint
delete_endpoint(endpoint_id=ENDPOINT)
"""

AUDIT = r"""
import io, json, time
from django.db import connection
from pantry.catalog.importing import import_products
from pantry.catalog.models import Category

Category.objects.get_or_create(
    slug="bench-audit", defaults={"name": "Bench audit", "path": "bench-audit"})
TABLES = ["catalog_product", "catalog_variant"]

def triggers(enable):
    with connection.cursor() as cursor:
        for table in TABLES:
            for kind in ("insert", "update", "delete"):
                verb = "ENABLE" if enable else "DISABLE"
                cursor.execute(f"ALTER TABLE {table} {verb} TRIGGER events_audit_{kind}")

def data(tag):
    lines = []
    for i in range(COUNT):
        lines.append(json.dumps({
            "slug": f"audit-{tag}-{i}", "name": f"Audit bench {tag} {i}",
            "category": "bench-audit",
            "variants": [{"sku": f"AUD-{tag}-{i}", "price": "5.00", "stock": 3}]}))
    return ("\n".join(lines) + "\n").encode()

def load(tag):
    raw = io.BytesIO(data(tag))
    begin = time.perf_counter()
    result = import_products(raw, file_format="jsonl")
    assert result.loaded, result.summary()
    return COUNT / (time.perf_counter() - begin)

tag = TAG
rates = {}
try:
    rates["with_audit"] = load(tag + "a")
    triggers(False)
    rates["without_audit"] = load(tag + "b")
finally:
    triggers(True)
print(json.dumps(rates))
"""


def _serve(port_out: Any, pipe: Any) -> None:
    """The receiver process: 204 to every POST, remembering arrival times."""
    arrivals: list[tuple[float, bytes]] = []

    async def client(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line[:15].lower() == b"content-length:":
                        length = int(line[15:])
                body = await reader.readexactly(length) if length else b""
                arrivals.append((time.time(), body))
                writer.write(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def control() -> None:
        loop = asyncio.get_running_loop()
        while True:
            command = await loop.run_in_executor(None, pipe.recv)
            if command == "count":
                pipe.send(len(arrivals))
            elif command == "clear":
                arrivals.clear()
                pipe.send(0)
            elif command == "span":
                pipe.send((arrivals[0][0], arrivals[-1][0]) if arrivals else (0, 0))
            elif command == "delays":
                delays = []
                for arrived, body in arrivals:
                    created = json.loads(body)["created_at"]
                    delays.append(
                        (arrived - datetime.fromisoformat(created).timestamp()) * 1000
                    )
                pipe.send(delays)
            else:
                return

    async def main() -> None:
        server = await asyncio.start_server(client, "127.0.0.1", 0, backlog=1024)
        port_out.send(server.sockets[0].getsockname()[1])
        await control()
        server.close()

    asyncio.run(main())


class Receiver:
    """A minimal HTTP/1.1 keep-alive receiver in its own process (no GIL
    shared with the load generator)."""

    def __init__(self) -> None:
        self.pipe, child = multiprocessing.Pipe()
        port_in, port_out = multiprocessing.Pipe()
        self.process = multiprocessing.Process(
            target=_serve, args=(port_out, child), daemon=True
        )
        self.process.start()
        self.port = port_in.recv()

    def ask(self, command: str) -> Any:
        self.pipe.send(command)
        return self.pipe.recv()

    def stop(self) -> None:
        self.pipe.send("stop")
        self.process.join(10)
        if self.process.is_alive():
            self.process.kill()


def _shell(env: dict[str, str], script: str) -> dict:
    out = pantry_output(env, "shell", "-c", script)
    return json.loads(out.strip().splitlines()[-1])


def _dispatchers(env: dict[str, str], count: int) -> list[subprocess.Popen]:
    return [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "pantry.platform.cli",
                "events",
                "dispatch",
                "--batch",
                "200",
                "--concurrency",
                "16",
            ],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(count)
    ]


def _stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def run(bench: Bench) -> None:
    env = {**bench.env, "PANTRY_WEBHOOK_ALLOW_PRIVATE": "1"}
    full = bench.scale == "full"
    currency = env.get("PANTRY_CURRENCY", "EUR")
    _overhead(bench, env, currency, rounds=12 if full else 4, block=200)
    receiver = Receiver()
    try:
        _throughput(bench, env, receiver, 20_000 if full else 5_000)
        _delay_over_http(bench, env, receiver, seconds=20 if full else 8)
        _delay_placed_in_process(bench, env, receiver, seconds=20 if full else 8)
    finally:
        receiver.stop()
    _audit(bench, env, 100_000 if full else 20_000)


def _overhead(
    bench: Bench, env: dict[str, str], currency: str, *, rounds: int, block: int
) -> None:
    script = (
        f"SKUS = {SKUS!r}\nCURRENCY = {currency!r}\nROUNDS = {rounds}\nBLOCK = {block}\n"
        + OVERHEAD
    )
    rates = _shell(env, script)
    slower = rates["slower"]
    bench.record(
        "events.outbox_overhead",
        round(slower, 1),
        "% slower",
        target="< 10",
        ok=slower < 10,
        orders_per_s_with_events=round(rates["on"]),
        orders_per_s_without_events=round(rates["off"]),
        orders_per_mode=rounds * block,
        rounds_pct=[round(r, 1) for r in rates["rounds"]],
    )


def _throughput(
    bench: Bench, env: dict[str, str], receiver: Receiver, count: int
) -> None:
    url = f"http://127.0.0.1:{receiver.port}/hook"
    endpoint = _shell(env, f"URL = {url!r}\nCOUNT = {count}\n" + EMIT)["endpoint"]
    receiver.ask("clear")
    processes = _dispatchers(env, 2)
    deadline = time.monotonic() + 120
    try:
        while receiver.ask("count") < count and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        _stop(processes)
        pantry_output(env, "shell", "-c", f"ENDPOINT = {endpoint}\n" + DROP_ENDPOINT)
    got = receiver.ask("count")
    first, last = receiver.ask("span")
    rate = got / max(last - first, 1e-9)
    bench.record(
        "events.dispatch_throughput",
        round(rate),
        "deliveries/s",
        target=">= 1000",
        ok=rate >= 1000 and got >= count,
        deliveries=got,
        expected=count,
        dispatchers=2,
    )


# Orders per second the delay target names.
DELAY_RATE = 300


def _delay(
    bench: Bench,
    env: dict[str, str],
    receiver: Receiver,
    name: str,
    *,
    warm: Callable[[], None],
    load: Callable[[], tuple[int, float, dict[str, Any]]],
) -> None:
    """Commit-to-delivery with two dispatchers listening while ``load``
    places orders at DELAY_RATE; ``load`` answers (placed, seconds, figures
    of its own). Met only at that rate, not at whatever rate the machine
    reached."""
    url = f"http://127.0.0.1:{receiver.port}/hook"
    endpoint = _shell(env, f"URL = {url!r}\n" + REGISTER)["endpoint"]
    processes = _dispatchers(env, 2)
    try:
        # Measure from the moment both dispatchers deliver: on a loaded
        # machine their start alone can take seconds.
        ready = time.monotonic() + 120
        warm()
        while receiver.ask("count") < 2 and time.monotonic() < ready:
            time.sleep(0.1)
        time.sleep(2)
        receiver.ask("clear")
        placed, elapsed, figures = load()
        deadline = time.monotonic() + 30
        while receiver.ask("count") < placed and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        _stop(processes)
        pantry_output(env, "shell", "-c", f"ENDPOINT = {endpoint}\n" + DROP_ENDPOINT)
    delays = receiver.ask("delays")
    achieved = placed / max(elapsed, 1e-9)
    p99 = percentile(delays, 99) if delays else None
    bench.record(
        name,
        round(p99, 1) if p99 is not None else None,
        "ms",
        target=f"< 1000 at {DELAY_RATE} orders/s",
        ok=p99 is not None
        and p99 < 1000
        and achieved >= 0.95 * DELAY_RATE
        and len(delays) >= placed > 0,
        p50_ms=round(percentile(delays, 50), 1) if delays else None,
        orders_per_s=round(achieved),
        placed=placed,
        delivered=len(delays),
        **figures,
    )


def _delay_over_http(
    bench: Bench, env: dict[str, str], receiver: Receiver, *, seconds: int
) -> None:
    """Orders placed over HTTP by 12 clients, paced to DELAY_RATE."""
    clients, total = 12, DELAY_RATE * seconds

    def warm() -> None:
        body = {
            "customer": {"name": "Bench", "email": "bench@example.com"},
            "lines": [{"sku": SKUS[0], "quantity": 1}],
        }
        for _ in range(2):
            bench.request("POST", "/api/v1/orders", body=body)

    def load() -> tuple[int, float, dict[str, Any]]:
        statuses: dict[int, int] = {}
        lock = threading.Lock()
        start = time.monotonic()

        def client(index: int) -> None:
            import http.client

            conn = http.client.HTTPConnection(bench.host, bench.port, timeout=30)
            for i in range(index, total, clients):
                pause = start + i / DELAY_RATE - time.monotonic()
                if pause > 0:
                    time.sleep(pause)
                body = {
                    "customer": {"name": "Bench", "email": "bench@example.com"},
                    "lines": [{"sku": SKUS[i % len(SKUS)], "quantity": 1}],
                }
                status = bench.request(
                    "POST",
                    "/api/v1/orders",
                    body=body,
                    headers={"Idempotency-Key": str(uuid.uuid4())},
                    conn=conn,
                )[0]
                with lock:
                    statuses[status] = statuses.get(status, 0) + 1
            conn.close()

        with ThreadPoolExecutor(clients) as pool:
            list(pool.map(client, range(clients)))
        elapsed = time.monotonic() - start
        counts = {str(k): v for k, v in sorted(statuses.items())}
        return statuses.get(201, 0), elapsed, {"statuses": counts}

    _delay(
        bench,
        env,
        receiver,
        "events.commit_to_delivery_p99",
        warm=warm,
        load=load,
    )


def _delay_placed_in_process(
    bench: Bench, env: dict[str, str], receiver: Receiver, *, seconds: int
) -> None:
    """Orders placed by the checkout service itself, in two processes of six
    threads paced to half of DELAY_RATE each: the same transactions, events
    and dispatchers as over HTTP (which this machine places at about half
    the rate), without the HTTP front end in the way."""
    placers, threads = 2, 6
    total = DELAY_RATE * seconds // placers

    def warm() -> None:
        _shell(env, _paced_script(rate=1, total=2, threads=1, start=time.time()))

    def load() -> tuple[int, float, dict[str, Any]]:
        # Far enough ahead for each placer's start-up (Django, connections).
        start = time.time() + 8
        with ThreadPoolExecutor(placers) as pool:
            outcomes = list(
                pool.map(
                    lambda n: _shell(
                        env,
                        _paced_script(
                            rate=DELAY_RATE / placers,
                            total=total,
                            threads=threads,
                            start=start,
                            offset=n,
                        ),
                    ),
                    range(placers),
                )
            )
        placed = sum(o["placed"] for o in outcomes)
        elapsed = max(o["finished"] for o in outcomes) - start
        figures = {
            "failed": sum(o["failed"] for o in outcomes),
            "late": sum(o["late"] for o in outcomes),
        }
        return placed, elapsed, figures

    _delay(
        bench,
        env,
        receiver,
        "events.commit_to_delivery_p99_placed_in_process",
        warm=warm,
        load=load,
    )


def _paced_script(
    *, rate: float, total: int, threads: int, start: float, offset: int = 0
) -> str:
    return (
        f"SKUS = {SKUS!r}\nRATE = {rate}\nTOTAL = {total}\nTHREADS = {threads}\n"
        f"START = {start}\nOFFSET = {offset}\n" + PACED
    )


def _audit(bench: Bench, env: dict[str, str], count: int) -> None:
    tag = uuid.uuid4().hex[:8]
    rates = _shell(env, f"COUNT = {count}\nTAG = {tag!r}\n" + AUDIT)
    slower = (
        (rates["without_audit"] - rates["with_audit"]) / rates["without_audit"] * 100
    )
    bench.record(
        "events.audit_import_overhead",
        round(slower, 1),
        "% slower",
        rows_per_s_with_audit=round(rates["with_audit"]),
        rows_per_s_without_audit=round(rates["without_audit"]),
        products=count,
        note="upsert path into a non-empty catalog, one variant per product",
    )
