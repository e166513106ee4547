"""Retention: the audit log and the outbox are pruned by age, not partitioned.

A monthly run of ``pantry events prune`` keeps them bounded; the audit
table's index on ``at`` makes the delete a range scan.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import connection, transaction

_PRUNE_AUDIT = "DELETE FROM events_audit WHERE at < now() - %s"
# An event stays while any of its deliveries may still be tried.
_PRUNE_EVENTS = """
DELETE FROM events_event e
WHERE e.created_at < now() - %s
  AND NOT EXISTS (
      SELECT 1 FROM events_delivery d
      WHERE d.event_id = e.id AND d.status = 'pending'
  )
"""


@dataclass(frozen=True)
class Pruned:
    audit: int
    events: int


def prune(*, audit_older_than: timedelta, events_older_than: timedelta) -> Pruned:
    """Delete audit records and finished events older than the given ages."""
    with transaction.atomic(), connection.cursor() as cursor:
        params: list[Any] = [audit_older_than]
        cursor.execute(_PRUNE_AUDIT, params)
        audit = cursor.rowcount
        params = [events_older_than]
        cursor.execute(_PRUNE_EVENTS, params)
        events = cursor.rowcount
    return Pruned(audit=audit, events=events)
