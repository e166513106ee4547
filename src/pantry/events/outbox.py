"""Writing events: one statement inside the caller's transaction.

An event row commits or rolls back with the change it describes, so no
event is ever sent for a change that did not happen, and none is lost when
a process dies after the commit (the dispatcher finds the pending
deliveries in the table). The SQL function ``events_emit(type, payloads)``
(migration 0002) does the work; other apps may call it from their own SQL
to write one event per row of a bulk statement, as
``SELECT events_emit('stock.changed', jsonb_agg(...)) FROM changed_rows``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from psycopg.types.json import Jsonb

EVENT_TYPES = (
    "order.placed",
    "order.paid",
    "order.cancelled",
    "order.expired",
    "order.shipped",
    "order.delivered",
    "order.refunded",
    "product.created",
    "product.updated",
    "product.deleted",
    "stock.changed",
    "post.published",
    # A bulk import's summary (counts), instead of one event per product.
    "catalog.imported",
)
CHANNEL = "pantry_events"


def _jsonb(value: Any) -> Jsonb:
    return Jsonb(value, dumps=DjangoJSONEncoder().encode)


def emit(event_type: str, payload: Mapping[str, Any]) -> None:
    """Record an event of ``event_type`` in the current transaction.

    Call it inside the transaction that makes the change (``atomic``): the
    event exists exactly when that transaction commits.
    """
    emit_many(event_type, [payload])


def emit_many(event_type: str, payloads: Iterable[Mapping[str, Any]]) -> None:
    """Record one event of ``event_type`` per payload, in one statement."""
    rows = [dict(payload) for payload in payloads]
    if not rows:
        return
    with connection.cursor() as cursor:
        params: list[Any] = [event_type, _jsonb(rows)]
        cursor.execute("SELECT events_emit(%s, %s)", params)
