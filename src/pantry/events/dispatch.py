"""The webhook dispatcher: claim due deliveries, POST them, record each try.

Several dispatchers can run at once: a batch is claimed with ``FOR UPDATE
SKIP LOCKED`` and leased by moving its ``next_attempt_at`` past the time a
delivery may take, in a statement that commits at once. A dispatcher killed
mid-batch (even ``kill -9``) leaves its batch pending; the lease runs out
and any dispatcher delivers it again, with the same event id, so receivers
deduplicate on ``webhook-id``. Deliveries are therefore at least once.

It sleeps on ``LISTEN pantry_events`` (a direct connection; PgBouncer in
transaction mode cannot hold a LISTEN) and polls every
``PANTRY_EVENTS_POLL_INTERVAL`` seconds as the fallback.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import psycopg
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from standardwebhooks import Webhook

from pantry.events.errors import UrlNotAllowed
from pantry.events.feed import message
from pantry.events.outbox import CHANNEL
from pantry.events.urls_check import resolve_allowed

log = logging.getLogger(__name__)
RETRY_CAP = timedelta(hours=6)
ERROR_MAX = 500

_CLAIM = """
WITH due AS (
    SELECT id FROM events_delivery
    WHERE status = 'pending' AND next_attempt_at <= statement_timestamp()
    ORDER BY next_attempt_at
    LIMIT %(batch)s
    FOR UPDATE SKIP LOCKED
)
UPDATE events_delivery d
SET next_attempt_at = statement_timestamp() + make_interval(secs => %(lease)s)
FROM due, events_event e, events_endpoint w
WHERE d.id = due.id AND e.id = d.event_id AND w.id = d.endpoint_id
RETURNING d.id, d.attempt_count, e.id, e.type, e.created_at, e.payload,
          w.id, w.url, w.secret, w.is_active AND w.deleted_at IS NULL
"""

# Every attempt is recorded; the delivery moves on only while pending (a
# disabled endpoint's deliveries were cancelled meanwhile).
_RECORD = """
WITH r AS (
    SELECT * FROM unnest(
        %s::bigint[], %s::int[], %s::timestamptz[], %s::int[], %s::text[],
        %s::int[], %s::timestamptz[], %s::text[]
    ) AS r(id, number, at, code, error, latency, next_at, status)
), moved AS (
    UPDATE events_delivery d
    SET status = r.status, attempt_count = r.number, next_attempt_at = r.next_at,
        delivered_at = CASE WHEN r.status = 'delivered' THEN r.at END
    FROM r
    WHERE d.id = r.id AND d.status = 'pending'
)
INSERT INTO events_attempt
    (delivery_id, number, at, status_code, error, latency_ms, next_attempt_at)
SELECT id, number, at, code, error, latency, next_at FROM r
"""

_CANCEL = """
UPDATE events_delivery SET status = 'cancelled', next_attempt_at = NULL
WHERE id = ANY(%s) AND status = 'pending'
"""

_NEXT_DUE = """
SELECT extract(epoch FROM min(next_attempt_at) - statement_timestamp())
FROM events_delivery WHERE status = 'pending'
"""


@dataclass(frozen=True)
class Claimed:
    delivery_id: int
    attempt_count: int
    event_id: int
    event_type: str
    created_at: datetime
    payload: Any
    endpoint_id: int
    url: str
    secret: str
    is_live: bool


@dataclass(frozen=True)
class Outcome:
    delivery_id: int
    number: int
    at: datetime
    status_code: int | None
    error: str
    latency_ms: int

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def retry_delay(number: int) -> timedelta:
    """How long to wait after failed attempt ``number`` (1-based).

    Exponential (base ``PANTRY_WEBHOOK_RETRY_BASE`` seconds, doubling, at
    most six hours) with ±20 % jitter, so endpoints that failed together do
    not all come back at once.
    """
    base = settings.PANTRY_WEBHOOK_RETRY_BASE * 2 ** (number - 1)
    delay = min(base, RETRY_CAP.total_seconds())
    return timedelta(seconds=delay * random.uniform(0.8, 1.2))


def message_body(claimed: Claimed) -> str:
    """The delivery body; a payload read as JSON text is spliced in as is."""
    if isinstance(claimed.payload, str):
        head = json.dumps(
            {
                "id": f"evt_{claimed.event_id}",
                "type": claimed.event_type,
                "created_at": claimed.created_at.isoformat(),
            },
            separators=(",", ":"),
        )
        return head[:-1] + ',"data":' + claimed.payload + "}"
    return json.dumps(
        message(
            claimed.event_id, claimed.event_type, claimed.created_at, claimed.payload
        ),
        cls=DjangoJSONEncoder,
        separators=(",", ":"),
    )


def sign(secret: str, event_id: str, at: datetime, body: str) -> str:
    return Webhook(secret).sign(event_id, at, body)


def lease_seconds() -> float:
    return 2 * settings.PANTRY_WEBHOOK_TIMEOUT + 1


class Dispatcher:
    """Delivers due webhooks in batches over one pooled HTTP client."""

    def __init__(self, *, batch: int = 100, concurrency: int = 16) -> None:
        self.batch = batch
        self.concurrency = concurrency
        timeout = settings.PANTRY_WEBHOOK_TIMEOUT
        self.client = httpx.Client(
            timeout=httpx.Timeout(timeout),
            limits=httpx.Limits(
                max_connections=concurrency * 2, max_keepalive_connections=concurrency
            ),
            follow_redirects=False,
            headers={
                "user-agent": "pantry-webhooks/1",
                "content-type": "application/json",
            },
        )
        self.pool = ThreadPoolExecutor(concurrency, thread_name_prefix="webhook")
        self.stopping = threading.Event()

    def close(self) -> None:
        self.pool.shutdown(wait=True)
        self.client.close()

    # -- one batch ---------------------------------------------------------

    def claim(self) -> list[Claimed]:
        with connection.cursor() as cursor:
            cursor.execute(_CLAIM, {"batch": self.batch, "lease": lease_seconds()})
            return [Claimed(*row) for row in cursor.fetchall()]

    def deliver(self, claimed: Claimed) -> Outcome:
        """POST one event to its endpoint; never raises."""
        event_id = f"evt_{claimed.event_id}"
        body = message_body(claimed)
        now = datetime.now(UTC)
        number = claimed.attempt_count + 1
        started = time.perf_counter()
        code: int | None = None
        error = ""
        try:
            url, extensions, host = self._target(claimed.url)
            headers = {
                "webhook-id": event_id,
                "webhook-timestamp": str(int(now.timestamp())),
                "webhook-signature": sign(claimed.secret, event_id, now, body),
            }
            if host:
                headers["host"] = host
            response = self.client.post(
                url, content=body.encode(), headers=headers, extensions=extensions
            )
            code = response.status_code
            if not 200 <= code < 300:
                error = f"HTTP {code}"
        except UrlNotAllowed as exc:
            error = exc.detail
        except httpx.TimeoutException:
            error = "timed out"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"
        latency = round((time.perf_counter() - started) * 1000)
        return Outcome(
            claimed.delivery_id, number, now, code, error[:ERROR_MAX], latency
        )

    def _target(self, url: str) -> tuple[str, dict[str, Any], str | None]:
        """Where to connect: the checked address itself when one was pinned."""
        address = resolve_allowed(url)
        if address is None:
            return url, {}, None
        parts = urlsplit(url)
        host = f"[{address}]" if ":" in address else address
        netloc = host + (f":{parts.port}" if parts.port else "")
        pinned = urlunsplit(parts._replace(netloc=netloc))
        name = parts.hostname or ""
        header = name + (f":{parts.port}" if parts.port else "")
        return pinned, {"sni_hostname": name}, header

    def record(self, outcomes: list[Outcome]) -> None:
        max_attempts = settings.PANTRY_WEBHOOK_MAX_ATTEMPTS
        next_at: list[datetime | None] = []
        statuses: list[str] = []
        for outcome in outcomes:
            if outcome.ok:
                statuses.append("delivered")
                next_at.append(None)
            elif outcome.number >= max_attempts:
                statuses.append("dead")
                next_at.append(None)
            else:
                statuses.append("pending")
                next_at.append(outcome.at + retry_delay(outcome.number))
        columns: list[Any] = [
            [o.delivery_id for o in outcomes],
            [o.number for o in outcomes],
            [o.at for o in outcomes],
            [o.status_code for o in outcomes],
            [o.error for o in outcomes],
            [o.latency_ms for o in outcomes],
            next_at,
            statuses,
        ]
        with connection.cursor() as cursor:
            cursor.execute(_RECORD, columns)

    def dispatch_batch(self) -> int:
        """Claim, deliver and record one batch; return how many were claimed."""
        claimed = self.claim()
        if not claimed:
            return 0
        gone = [c.delivery_id for c in claimed if not c.is_live]
        if gone:
            with connection.cursor() as cursor:
                cursor.execute(_CANCEL, [gone])
        live = [c for c in claimed if c.is_live]
        outcomes = list(self.pool.map(self.deliver, live))
        if outcomes:
            self.record(outcomes)
        return len(claimed)

    # -- the loop ------------------------------------------------------------

    def seconds_to_next_due(self) -> float | None:
        with connection.cursor() as cursor:
            cursor.execute(_NEXT_DUE)
            row = cursor.fetchone()
        return None if row is None or row[0] is None else float(row[0])

    def run(self, *, once: bool = False) -> int:
        """Deliver until stopped (or, with ``once``, until nothing is due)."""
        delivered = 0
        listener = None if once else listen_connection()
        poll = settings.PANTRY_EVENTS_POLL_INTERVAL
        try:
            while not self.stopping.is_set():
                claimed = self.dispatch_batch()
                delivered += claimed
                if claimed == self.batch:
                    continue
                due = self.seconds_to_next_due()
                if once and (due is None or due > 0):
                    break
                wait = poll if due is None else max(0.0, min(poll, due))
                if wait <= 0:
                    continue
                if listener is not None:
                    for _ in listener.notifies(timeout=wait, stop_after=1):
                        pass
                else:
                    self.stopping.wait(wait)
        finally:
            if listener is not None:
                listener.close()
        return delivered


def listen_dsn() -> str | None:
    """A direct connection string for LISTEN, or None to poll only.

    ``PANTRY_EVENTS_LISTEN_URL`` when set; else the database's own settings,
    unless they point at PgBouncer (which cannot hold a LISTEN in
    transaction mode).
    """
    if settings.PANTRY_EVENTS_LISTEN_URL:
        return str(settings.PANTRY_EVENTS_LISTEN_URL)
    if settings.PGBOUNCER:
        return None
    db = settings.DATABASES["default"]
    return psycopg.conninfo.make_conninfo(
        dbname=db["NAME"],
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
        application_name="pantry-dispatch",
    )


def listen_connection() -> psycopg.Connection[Any] | None:
    dsn = listen_dsn()
    if dsn is None:
        return None
    try:
        listener = psycopg.connect(dsn, autocommit=True)
    except psycopg.OperationalError as exc:
        log.warning("cannot LISTEN (%s); polling instead", exc)
        return None
    listener.execute(f"LISTEN {CHANNEL}")
    return listener
