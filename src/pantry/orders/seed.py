"""Seed orders at scale: `pantry seed orders --orders N` (needs a catalog).

Deterministic for a given --seed and --until: orders spread over the two
years up to the end of --until (default yesterday, UTC), in time order, with realistic
basket sizes, popular SKUs bought more often, repeat customers, and
statuses by age (recent orders still placed or paid, old ones delivered,
a few cancelled or refunded) with their full history of events. Rows are
streamed with COPY in batches, so memory stays bounded whatever N is.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, TextIO

from django.conf import settings
from django.core.management.base import CommandError, CommandParser
from django.db import connection, transaction

from pantry.catalog.queries import variant_name
from pantry.orders.models import NUMBER_PREFIX
from pantry.orders.rollups import defer_rollups, rebuild
from pantry.orders.services import NUMBER_ALPHABET, NUMBER_LENGTH

SPAN = timedelta(days=730)
POOL_SIZE = 20_000
BATCH = 20_000
FIRST = [
    "Ada",
    "Alan",
    "Grace",
    "Edsger",
    "Barbara",
    "Donald",
    "Frances",
    "Ken",
    "Margaret",
    "Dennis",
    "Radia",
    "Linus",
    "Hedy",
    "John",
    "Karen",
    "Tim",
]
LAST = [
    "Lovelace",
    "Turing",
    "Hopper",
    "Dijkstra",
    "Liskov",
    "Knuth",
    "Allen",
    "Thompson",
    "Hamilton",
    "Ritchie",
    "Perlman",
    "Torvalds",
    "Lamarr",
    "Backus",
    "Jones",
    "Berners-Lee",
]
# (basket size, weight): most orders hold one or two SKUs.
BASKETS = [(1, 46), (2, 24), (3, 13), (4, 8), (5, 4), (6, 2), (7, 2), (8, 1)]
# Status paths: the last status an order reached, and its history.
PATHS = {
    "placed": ["placed"],
    "paid": ["placed", "paid"],
    "shipped": ["placed", "paid", "shipped"],
    "delivered": ["placed", "paid", "shipped", "delivered"],
    "cancelled": ["placed", "cancelled"],
    "refunded": ["placed", "paid", "shipped", "delivered", "refunded"],
}
# Hours from one status to the next along a path.
STEP_HOURS = {
    "paid": (0.1, 24),
    "shipped": (12, 72),
    "delivered": (24, 120),
    "cancelled": (0.5, 48),
    "refunded": (72, 500),
}
_MASK = (1 << (5 * NUMBER_LENGTH)) - 1


def add_arguments(parser: CommandParser) -> None:
    parser.add_argument("--orders", type=int, required=True, help="how many orders")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument(
        "--until",
        type=date.fromisoformat,
        default=None,
        help="last day of the two years of orders, YYYY-MM-DD (default yesterday)",
    )


def order_number(order_id: int) -> str:
    """A number unique per id that does not reveal the sequence.

    An odd multiplier and an xorshift are both bijections modulo 2**50, so
    distinct ids give distinct numbers.
    """
    x = (order_id * 0x9E3779B97F4A7C15) & _MASK
    x ^= x >> 23
    x = (x * 0xBF58476D1CE4E5B9) & _MASK
    chars = []
    for _ in range(NUMBER_LENGTH):
        chars.append(NUMBER_ALPHABET[x & 31])
        x >>= 5
    return NUMBER_PREFIX + "".join(chars)


def _pool(rng: random.Random, currency: str) -> list[tuple[str, str, Decimal, str]]:
    """Up to POOL_SIZE sellable variants (sku, product, price, variant name)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT min(id), max(id) FROM catalog_variant WHERE currency = %s",
            [currency],
        )
        low, high = cursor.fetchone()
        if low is None:
            return []
        ids = sorted({rng.randint(low, high) for _ in range(POOL_SIZE * 2)})
        cursor.execute(
            "SELECT v.sku, p.name, v.price, v.options FROM catalog_variant v "
            "JOIN catalog_product p ON p.id = v.product_id "
            "WHERE v.id = ANY(%s) AND v.currency = %s ORDER BY v.id LIMIT %s",
            [ids, currency, POOL_SIZE],
        )
        rows = [
            (sku, name, price, variant_name(name, json.loads(options)))
            for sku, name, price, options in cursor.fetchall()
        ]
    rng.shuffle(rows)  # popularity below follows pool position
    return rows


def _status_for(rng: random.Random, age: timedelta) -> str:
    days = age.total_seconds() / 86400
    roll = rng.random()
    if days < 2:
        choices = [
            ("placed", 0.45),
            ("paid", 0.35),
            ("cancelled", 0.05),
            ("shipped", 0.15),
        ]
    elif days < 10:
        choices = [
            ("placed", 0.03),
            ("paid", 0.12),
            ("shipped", 0.45),
            ("delivered", 0.33),
            ("cancelled", 0.05),
            ("refunded", 0.02),
        ]
    else:
        choices = [
            ("delivered", 0.88),
            ("cancelled", 0.06),
            ("refunded", 0.05),
            ("placed", 0.01),
        ]
    for status, weight in choices:
        roll -= weight
        if roll < 0:
            return status
    return choices[0][0]


def _clean(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\t", " ").replace("\n", " ")


def run(*, stdout: TextIO, **options: Any) -> None:
    count = options["orders"]
    if count < 1:
        raise CommandError("--orders must be at least 1.")
    rng = random.Random(options["seed"])
    currency = settings.PANTRY_CURRENCY
    pool = _pool(rng, currency)
    if not pool:
        raise CommandError(
            f"there is no catalog to order from (no {currency} variants): "
            "seed or load one first (`pantry seed catalog ...` or `pantry demo`)."
        )
    until = options["until"] or datetime.now(UTC).date() - timedelta(days=1)
    end = datetime.combine(until + timedelta(days=1), time.min, tzinfo=UTC)
    start = end - SPAN
    customers = max(1, count // 3)
    sizes = [size for size, _ in BASKETS]
    weights = [weight for _, weight in BASKETS]
    with transaction.atomic(), connection.cursor() as cursor:
        # Reserve ids count ids past the current ones for this run.
        cursor.execute("LOCK TABLE orders_order IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute("SELECT coalesce(max(id), 0) FROM orders_order")
        base = cursor.fetchone()[0]
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('orders_order', 'id'), %s)",
            [base + count],
        )
    written = 0
    while written < count:
        size = min(BATCH, count - written)
        orders, lines, events = [], [], []
        for i in range(written, written + size):
            order_id = base + i + 1
            # Evenly spread in time with jitter, so placed_at follows id.
            placed_at = start + SPAN * ((i + rng.random()) / count)
            status = _status_for(rng, end - placed_at)
            basket_size = min(rng.choices(sizes, weights)[0], len(pool))
            basket: set[int] = set()
            while len(basket) < basket_size:
                # Popular SKUs: cubing the draw skews toward the pool's head.
                basket.add(int(len(pool) * rng.random() ** 3))
            total = Decimal("0.00")
            for index in sorted(basket):
                sku, name, price, variant = pool[index]
                quantity = 1 if rng.random() < 0.8 else rng.randint(2, 4)
                line_total = price * quantity
                total += line_total
                # Seeded history carries no tax, discount or shipping: net =
                # gross = line_total, and the order's subtotal is its total.
                lines.append(
                    f"{order_id}\t{_clean(sku)}\t{_clean(name)}\t{_clean(variant)}\t"
                    f"{price}\t{quantity}\t{line_total}\t0\tstandard\t{line_total}\t0\t0\t"
                    f"{line_total}\n"
                )
            customer = rng.randrange(customers)
            name = f"{FIRST[customer % len(FIRST)]} {LAST[customer // len(FIRST) % len(LAST)]}"
            orders.append(
                f"{order_id}\t{order_number(order_id)}\t{name}\t"
                f"customer{customer}@example.com\t{status}\t{currency}\t{total}\t"
                f"{total}\t{placed_at.isoformat()}\n"
            )
            at, previous = placed_at, ""
            for step in PATHS[status]:
                if previous:
                    low, high = STEP_HOURS[step]
                    at = min(at + timedelta(hours=rng.uniform(low, high)), end)
                events.append(
                    f"{order_id}\t{previous}\t{step}\t{at.isoformat()}\t"
                    f"{'customer' if not previous else 'staff'}\n"
                )
                previous = step
        with transaction.atomic(), connection.cursor() as cursor:
            defer_rollups(cursor)  # counted once at the end instead
            _copy(
                cursor,
                "orders_order (id, number, customer_name, email, status, currency, "
                "total, subtotal, placed_at)",
                orders,
            )
            _copy(
                cursor,
                "orders_orderline (order_id, sku, product_name, variant_name, "
                "unit_price, quantity, line_total, discount, tax_class, net, "
                "tax_rate, tax, gross)",
                lines,
            )
            _copy(
                cursor,
                "orders_orderevent (order_id, from_status, to_status, at, actor)",
                events,
            )
        written += size
        stdout.write(f"orders: {written:,} of {count:,}\n")
    rebuild()
    with connection.cursor() as cursor:
        # Fresh statistics, and a visibility map for index-only scans.
        for table in ("orders_order", "orders_orderline", "orders_orderevent"):
            cursor.execute(f"VACUUM (ANALYZE) {table}")
    stdout.write(f"seeded {count:,} orders from {start.date()} to {until}\n")


def _copy(cursor: Any, target: str, rows: list[str]) -> None:
    with cursor.cursor.copy(f"COPY {target} FROM STDIN") as copy:
        for chunk in range(0, len(rows), 5000):
            copy.write("".join(rows[chunk : chunk + 5000]))
