"""What a cached catalog value depends on besides the generations' writes
(pantry.core.pagecache): when prices change by themselves, and one
product's stock."""

from __future__ import annotations

from datetime import datetime

from django.db import connections, router
from django.utils import timezone

from pantry.catalog.models import Promotion

# The generations a value showing stock counts watches: "catalog_stock"
# moves on stock-only changes (migration 0026), "content" on the rest.
WATCH_WITH_STOCK = ("content", "catalog_stock")

NEXT_PRICE_CHANGE = """
SELECT least(
    (SELECT min(lower(during)) FROM catalog_promotion WHERE lower(during) > %s),
    (SELECT min(upper(during)) FROM catalog_promotion WHERE upper(during) > %s))
"""


def next_price_change(now: datetime | None = None) -> datetime | None:
    """When a promotion next starts or ends after ``now``: the one moment a
    catalog page changes without a write. None when no promotion will."""
    now = now or timezone.now()
    with connections[router.db_for_read(Promotion)].cursor() as cursor:
        cursor.execute(NEXT_PRICE_CHANGE, [now, now])
        (moment,) = cursor.fetchone()
    return moment


def stock_of(slug: str) -> tuple[str, list[str]]:
    """One product's stock counts as a scalar subquery, for a cached value
    that shows them (pantry.core.pagecache ``vary``): an order of another
    product leaves it."""
    return (
        "SELECT array_agg(v.stock ORDER BY v.id)::text FROM catalog_variant v"
        " JOIN catalog_product p ON p.id = v.product_id WHERE p.slug = %s",
        [slug],
    )
