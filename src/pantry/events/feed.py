"""The change feed: every committed event, in a stable order, none skipped.

Events are served in order of their transaction id, then id, and only those
of transactions older than the oldest one still running
(``pg_snapshot_xmin(pg_current_snapshot())``). Every transaction below that
bound has ended, so no event can later appear before a position already
served: a transaction that took its id early and commits late holds the
feed back until it ends instead of being skipped. A long-running writer
therefore delays the feed (never loses events); readers see each event once
its transaction and all older ones have finished.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection

from pantry.core.errors import BadCursor, BadRequest
from pantry.core.pagination import decode_cursor, encode_cursor
from pantry.events.outbox import EVENT_TYPES

_SCOPE = "events.feed"
_FEED = """
SELECT id, type, created_at, payload, xid::text
FROM events_event
WHERE xid < pg_snapshot_xmin(pg_current_snapshot())
  AND (xid, id) > (%(xid)s::xid8, %(id)s)
  AND (%(types)s::varchar[] IS NULL OR type = ANY(%(types)s::varchar[]))
ORDER BY xid, id
LIMIT %(limit)s
"""


@dataclass(frozen=True)
class FeedPage:
    items: list[dict[str, Any]]
    next: str


def message(
    event_id: int, event_type: str, created_at: datetime, payload: Any
) -> dict[str, Any]:
    """The JSON body of an event, in the feed and in webhook deliveries.

    ``payload`` may come as JSON text (Django's connections load jsonb as
    text for JSONField to decode).
    """
    if isinstance(payload, str):
        payload = json.loads(payload)
    return {
        "id": f"evt_{event_id}",
        "type": event_type,
        "created_at": created_at.isoformat(),
        "data": payload,
    }


def parse_types(raw: str | None) -> list[str] | None:
    if not raw:
        return None
    types = sorted({t.strip() for t in raw.split(",") if t.strip()})
    if unknown := [t for t in types if t not in EVENT_TYPES]:
        raise BadRequest(
            "Unknown event types: " + ", ".join(unknown) + ".",
            fields={"types": "one or more of " + ", ".join(EVENT_TYPES)},
        )
    return types or None


def event_feed(
    *, after: str | None, types: Sequence[str] | None, limit: int
) -> FeedPage:
    """Return up to ``limit`` events after the cursor ``after``.

    ``next`` is always given: it is the position to ask from next time,
    the same cursor when nothing new is ready yet.
    """
    position = [0, 0]
    if after:
        values = decode_cursor(after, scope=_SCOPE, count=2)
        try:
            position = [int(values[0]), int(values[1])]
        except (TypeError, ValueError):
            raise BadCursor() from None
    with connection.cursor() as cursor:
        cursor.execute(
            _FEED,
            {
                "xid": str(position[0]),
                "id": position[1],
                "types": list(types) if types else None,
                "limit": limit,
            },
        )
        rows = cursor.fetchall()
    if rows:
        position = [int(rows[-1][4]), rows[-1][0]]
    items = [message(i, t, at, payload) for i, t, at, payload, _ in rows]
    return FeedPage(items=items, next=encode_cursor(position, scope=_SCOPE))
