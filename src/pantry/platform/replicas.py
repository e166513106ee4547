"""Read replicas: reads of a request go to a replica that has caught up with
the client's last write; writes, and anything a write follows, to the primary.

After a write the response carries the primary's WAL position
(``pg_current_wal_lsn()``): the ``X-Pantry-LSN`` header for the API, the
``pantry_lsn`` cookie for pages. A later request that sends it back reads
from a replica only when that replica's ``pg_last_wal_replay_lsn()`` has
passed it. A replica that cannot be reached is skipped for
``PANTRY_REPLICA_RETRY_SECONDS``; one lagging more than
``PANTRY_REPLICA_MAX_LAG`` seconds is skipped for that request.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connections
from django.http import HttpRequest, HttpResponse
from django.utils.connection import ConnectionDoesNotExist

HEADER = "X-Pantry-LSN"
COOKIE = "pantry_lsn"
SERVED_BY = "X-Pantry-Database"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
_LSN = re.compile(r"^[0-9A-F]{1,8}/[0-9A-F]{1,8}$", re.IGNORECASE)

_read_alias: ContextVar[str] = ContextVar("pantry_read_alias", default="default")
_down_until: dict[str, float] = {}
_down_lock = threading.Lock()

# One round trip: is it a replica, how far behind, has it passed the LSN.
_STATE = """
SELECT pg_is_in_recovery(),
       CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
            ELSE coalesce(extract(epoch FROM now()
                                  - pg_last_xact_replay_timestamp()), 0)
       END,
       %s::pg_lsn IS NULL OR pg_last_wal_replay_lsn() >= %s::pg_lsn
"""


class ReplicaRouter:
    """Reads to the alias chosen for this request (default outside one)."""

    def db_for_read(self, model: Any, **hints: Any) -> str:
        return _read_alias.get()

    def db_for_write(self, model: Any, **hints: Any) -> str:
        return "default"

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == "default"


@contextmanager
def reading_from(alias: str) -> Iterator[None]:
    token = _read_alias.set(alias)
    try:
        yield
    finally:
        _read_alias.reset(token)


def valid_lsn(raw: str | None) -> str | None:
    """The LSN a client sent, or None when absent or malformed."""
    if raw and _LSN.match(raw.strip()):
        return raw.strip().upper()
    return None


def _mark_down(alias: str) -> None:
    with _down_lock:
        _down_until[alias] = time.monotonic() + settings.PANTRY_REPLICA_RETRY_SECONDS
    with suppress(DatabaseError, ConnectionDoesNotExist):
        connections[alias].close()


def replica_state(alias: str, lsn: str | None) -> tuple[float, bool] | None:
    """(lag seconds, caught up with ``lsn``) of a replica; None when unusable."""
    if _down_until.get(alias, 0) > time.monotonic():
        return None
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute(_STATE, [lsn, lsn])
            in_recovery, lag, caught_up = cursor.fetchone()
    except (DatabaseError, ConnectionDoesNotExist):
        _mark_down(alias)
        return None
    if not in_recovery:
        # A promoted replica no longer follows the primary's writes.
        _mark_down(alias)
        return None
    return float(lag), bool(caught_up)


def choose_replica(lsn: str | None) -> str:
    """A replica alias fit to read from for a client at ``lsn``, else default."""
    for alias in settings.PANTRY_REPLICAS:
        state = replica_state(alias, lsn)
        if state is None:
            continue
        lag, caught_up = state
        if caught_up and lag <= settings.PANTRY_REPLICA_MAX_LAG:
            return alias
    return "default"


def replica_lags() -> dict[str, float | None]:
    """Each replica's lag in seconds (None when it cannot be reached)."""
    lags: dict[str, float | None] = {}
    for alias in settings.PANTRY_REPLICAS:
        state = replica_state(alias, None)
        lags[alias] = None if state is None else state[0]
    return lags


def _primary_only(path: str) -> bool:
    return any(path.startswith(prefix) for prefix in settings.PANTRY_PRIMARY_PATHS)


class ReplicaMiddleware:
    """Pick the database a request reads from; hand out the LSN after writes."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not settings.PANTRY_REPLICAS:
            return self.get_response(request)
        reads = request.method in SAFE_METHODS and not _primary_only(request.path)
        alias = "default"
        if reads:
            lsn = valid_lsn(request.headers.get(HEADER)) or valid_lsn(
                request.COOKIES.get(COOKIE)
            )
            alias = choose_replica(lsn)
        with reading_from(alias):
            response = self.get_response(request)
        response[SERVED_BY] = alias
        if request.method not in SAFE_METHODS and response.status_code < 400:
            self._hand_out_lsn(request, response)
        return response

    def _hand_out_lsn(self, request: HttpRequest, response: HttpResponse) -> None:
        try:
            with connections["default"].cursor() as cursor:
                cursor.execute("SELECT pg_current_wal_lsn()::text")
                lsn = cursor.fetchone()[0]
        except DatabaseError:
            return
        if request.path.startswith("/api/"):
            response[HEADER] = lsn
        else:
            response.set_cookie(
                COOKIE,
                lsn,
                max_age=settings.PANTRY_REPLICA_COOKIE_SECONDS,
                httponly=True,
                samesite="Lax",
                secure=request.is_secure(),
            )
