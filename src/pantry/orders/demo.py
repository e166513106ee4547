"""Demo orders: two years of history over the demo catalog, for `pantry run`."""

from __future__ import annotations

from io import StringIO

from pantry.orders.models import Order
from pantry.orders.seed import run

DEMO_ORDERS = 500


def is_empty() -> bool:
    return not Order.objects.exists()


def load() -> str:
    """Seed DEMO_ORDERS orders (history only: stock is not taken)."""
    run(stdout=StringIO(), orders=DEMO_ORDERS, seed=1, until=None)
    return f"{DEMO_ORDERS} orders over two years"
