"""A database that is down, hung or too slow answers 503, never 500 or a hang.

Web connections carry ``statement_timeout``, ``lock_timeout`` and
``idle_in_transaction_session_timeout`` (settings.WEB_DATABASE_LIMITS); the
pool gives up after PANTRY_WEB_POOL_TIMEOUT. What PostgreSQL or the pool
then raise (refused or timed-out connections, a cancelled statement, an
administrator's shutdown, a connection lost) is a Django ``OperationalError``
or ``InterfaceError``; ``DatabaseUnavailableMiddleware`` answers those with
503, ``Retry-After`` and API.md's error shape (a page outside /api/).

A hung server (paused, or its host gone) cannot cancel a statement itself,
so ``QueryWatchdog`` closes the socket of a query that got no answer in
statement_timeout plus PANTRY_WEB_QUERY_GRACE_MS: the wait ends with an
``OperationalError`` like any other.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import sys
import threading
import time
from collections.abc import Callable
from itertools import count
from typing import Any

from django.conf import settings
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

log = logging.getLogger(__name__)

UNAVAILABLE = {
    "error": "unavailable",
    "detail": "The shop's database is unavailable or busy; try again shortly.",
}


def database_unavailable(exc: BaseException | None) -> bool:
    """Whether ``exc`` means the database cannot serve the request right now."""
    return isinstance(exc, (OperationalError, InterfaceError))


def unavailable_response(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After: JSON under /api/, a page elsewhere.

    The page is rendered without context processors: they read the session
    and the user, which live in the database that just failed.
    """
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(UNAVAILABLE, status=503)
    else:
        page = render_to_string("503.html", {"request": request})
        response = HttpResponse(page, status=503)
    response["Retry-After"] = str(settings.PANTRY_UNAVAILABLE_RETRY_AFTER)
    return response


class QueryWatchdog:
    """Closes the connection of a query that outlives its deadline.

    One thread per process checks the running queries a few times a second;
    a query only registers and unregisters itself (a dict entry under a
    lock), so a query that returns in time costs next to nothing.
    """

    interval = 0.1

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: dict[int, tuple[float, int]] = {}
        self._ids = count()
        self._thread: threading.Thread | None = None

    def __call__(
        self,
        execute: Callable[..., Any],
        sql: str,
        params: Any,
        many: bool,
        context: dict[str, Any],
    ) -> Any:
        limit = query_deadline_seconds()
        raw = context["connection"].connection
        if not limit or raw is None:
            return execute(sql, params, many, context)
        key = self._watch(raw.fileno(), time.monotonic() + limit)
        try:
            return execute(sql, params, many, context)
        finally:
            with self._lock:
                self._running.pop(key, None)

    def _watch(self, fileno: int, deadline: float) -> int:
        with self._lock:
            key = next(self._ids)
            self._running[key] = (deadline, fileno)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._loop, name="pantry-query-watchdog", daemon=True
                )
                self._thread.start()
        return key

    def _loop(self) -> None:
        while True:
            time.sleep(self.interval)
            now = time.monotonic()
            with self._lock:
                # Under the lock the query is still waiting: its socket is
                # still the one registered.
                for key, (deadline, fileno) in list(self._running.items()):
                    if deadline <= now:
                        del self._running[key]
                        _shut(fileno)


def _shut(fileno: int) -> None:
    log.warning("database did not answer in time; closing its connection")
    with contextlib.suppress(OSError):
        # A duplicate of the descriptor: shutting it down ends the waiting
        # read of the original, closing it leaves the original to psycopg.
        sock = socket.socket(fileno=os.dup(fileno))
        try:
            sock.shutdown(socket.SHUT_RDWR)
        finally:
            sock.close()


def query_deadline_seconds() -> float:
    """Seconds a web query may wait for the server; 0 when unlimited."""
    statement = settings.WEB_DATABASE_LIMITS["statement_timeout"]
    grace = settings.PANTRY_WEB_QUERY_GRACE_MS
    if not settings.WEB_PROCESS or not statement or not grace:
        return 0
    return statement + grace / 1000


watchdog = QueryWatchdog()


class DatabaseUnavailableMiddleware:
    """Turns a database that fails a request into 503 with Retry-After.

    A view's error arrives in ``process_exception``. One raised by another
    middleware (loading a session, say) has already become a 500 by the
    time it gets here; ``got_request_exception`` marks the request for it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with contextlib.ExitStack() as stack:
            # Replicas too: a hung replica must not hang the reads sent to it.
            for alias in connections:
                stack.enter_context(connections[alias].execute_wrapper(watchdog))
            response = self.get_response(request)
        if response.status_code == 500 and getattr(
            request, "_pantry_database_unavailable", False
        ):
            return unavailable_response(request)
        return response

    def process_exception(
        self, request: HttpRequest, exception: Exception
    ) -> HttpResponse | None:
        if not database_unavailable(exception):
            return None
        report(exception)
        return unavailable_response(request)


def report(exc: BaseException) -> None:
    """Log one line for a request answered 503 because of ``exc``."""
    text = str(exc).strip()
    log.warning(
        "database unavailable: %s", text.splitlines()[0] if text else type(exc).__name__
    )


def _mark_request(
    sender: Any, request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # Sent from inside Django's except block: the exception is the current one.
    if request is not None and database_unavailable(sys.exc_info()[1]):
        request._pantry_database_unavailable = True  # type: ignore[attr-defined]


got_request_exception.connect(_mark_request, dispatch_uid="pantry-database-unavailable")
