"""Request logs as JSON lines, ``X-Request-Id``, and ``GET /metrics``.

Metrics use prometheus-client. With several server processes (granian
workers) set ``PROMETHEUS_MULTIPROC_DIR`` to an empty directory before they
start: each process then writes its counters there and a scrape of any of
them adds them up. Pool, replica and backlog gauges are read at scrape time
by the process that answers.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import os
import re
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from pantry.platform.replicas import replica_lags

REQUEST_ID = "X-Request-Id"
_VALID_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
log = logging.getLogger("pantry.request")

REQUESTS = Counter(
    "pantry_requests", "HTTP requests answered", ["route", "method", "status"]
)
LATENCY = Histogram(
    "pantry_request_duration_seconds",
    "Time to answer an HTTP request",
    ["route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
# Backlogs other apps create, counted only where their tables exist.
BACKLOGS = {
    "outbox": (
        "events_delivery",
        "SELECT count(*) FROM events_delivery WHERE status = 'pending'",
    ),
    "unpaid_orders": (
        "orders_order",
        "SELECT count(*) FROM orders_order WHERE status = 'placed'",
    ),
}


class _QueryClock:
    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0

    def __call__(
        self, execute: Any, sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.count += 1
            self.seconds += time.perf_counter() - started


def _route(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unmatched"
    return "/" + (match.route or match.view_name or "unnamed").lstrip("^")


class RequestLogMiddleware:
    """One JSON log line and the metrics of every request; ``X-Request-Id``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get(REQUEST_ID, "")
        request_id = given if _VALID_ID.match(given) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        clock = _QueryClock()
        started = time.perf_counter()
        with ExitStack() as stack:
            for alias in connections:
                stack.enter_context(connections[alias].execute_wrapper(clock))
            response = self.get_response(request)
        duration = time.perf_counter() - started
        response[REQUEST_ID] = request_id
        route, status = _route(request), str(response.status_code)
        REQUESTS.labels(route=route, method=request.method, status=status).inc()
        LATENCY.labels(route=route, status=status).observe(duration)
        log.info(
            json.dumps(
                {
                    "request_id": request_id,
                    "method": request.method,
                    "route": route,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round(duration * 1000, 2),
                    "queries": clock.count,
                    "db_ms": round(clock.seconds * 1000, 2),
                }
            )
        )
        return response


class DatabaseCollector(Collector):
    """Pool use, replica lag and backlogs, read when scraped."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        yield from self._pool()
        lag = GaugeMetricFamily(
            "pantry_replica_lag_seconds",
            "Replay lag of each read replica (NaN when unreachable)",
            labels=["replica"],
        )
        for alias, seconds in replica_lags().items():
            lag.add_metric([alias], float("nan") if seconds is None else seconds)
        yield lag
        backlog = GaugeMetricFamily(
            "pantry_backlog", "Rows waiting for work", labels=["queue"]
        )
        for name, value in _backlogs().items():
            backlog.add_metric([name], value)
        yield backlog

    def _pool(self) -> Iterator[GaugeMetricFamily]:
        pool = getattr(connections["default"], "pool", None)
        stats = pool.get_stats() if pool is not None else {}
        size = stats.get("pool_size", 0)
        for name, doc, value in (
            ("size", "Connections the in-app pool holds", size),
            (
                "in_use",
                "Pool connections lent out",
                size - stats.get("pool_available", 0),
            ),
            (
                "waiting",
                "Requests waiting for a pool connection",
                stats.get("requests_waiting", 0),
            ),
        ):
            yield GaugeMetricFamily(f"pantry_db_pool_{name}", doc, value=value)


def _backlogs() -> dict[str, float]:
    found: dict[str, float] = {}
    try:
        tables = set(connections["default"].introspection.table_names())
        with connections["default"].cursor() as cursor:
            for name, (table, query) in BACKLOGS.items():
                if table in tables:
                    cursor.execute(query)
                    found[name] = float(cursor.fetchone()[0])
    except DatabaseError:
        return found
    return found


def _allowed(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    for entry in settings.PANTRY_METRICS_ALLOW:
        try:
            if ip in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


def metrics_view(request: HttpRequest) -> HttpResponse:
    """Prometheus text format, for the addresses of PANTRY_METRICS_ALLOW only."""
    if not _allowed(request.META.get("REMOTE_ADDR", "")):
        refusal = {
            "error": "forbidden",
            "detail": "Metrics are not served to this address.",
        }
        return JsonResponse(refusal, status=403)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    scrape = CollectorRegistry()
    scrape.register(DatabaseCollector())
    body = generate_latest(registry) + generate_latest(scrape)
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
