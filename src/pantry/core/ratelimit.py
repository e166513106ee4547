"""Per-address rate limits in PostgreSQL: one upsert per limited request.

``RateLimitMiddleware`` counts each POST to a limited route (``ROUTES``)
under its limit's name and the client's address, in fixed windows, with
one ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING count``. It runs
before the view and outside any transaction of it, so the count stays
when the request fails; a request past the limit never reaches its view
and so writes nothing. Limits are ``settings.PANTRY_RATE_LIMITS`` (name ->
(requests, seconds), or None for no limit).
"""

from __future__ import annotations

import ipaddress
import math
import time
from collections.abc import Callable
from datetime import UTC, datetime

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

# (method, path) -> limit name; the paths of API.md and of the pages.
ROUTES = {
    ("POST", "/api/v1/orders"): "orders",
    ("POST", "/checkout/place/"): "orders",
    ("POST", "/api/v1/customers"): "signup",
    ("POST", "/account/signup/"): "signup",
    ("POST", "/api/v1/auth/login"): "login",
    ("POST", "/account/login/"): "login",
    ("POST", "/admin/login/"): "login",
    ("POST", "/api/v1/auth/password-reset"): "password_reset",
    ("POST", "/account/password-reset/"): "password_reset",
}

_COUNT = """
INSERT INTO core_ratecount (key, window_start, count) VALUES (%s, %s, 1)
ON CONFLICT (key, window_start)
DO UPDATE SET count = core_ratecount.count + 1
RETURNING count
"""


def client_key(request: HttpRequest) -> str:
    """The address a client is counted under: its IPv4 address or IPv6 /64.

    REMOTE_ADDR, as elsewhere in pantry: a proxy in front must set it to
    the client's address (granian behind a proxy does not trust headers).
    One IPv6 host usually holds a whole /64, so that is one client.
    """
    raw = request.META.get("REMOTE_ADDR", "")
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return raw[:45] or "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def hit(*, key: str, requests: int, seconds: int, now: float | None = None) -> int:
    """Count one request under ``key``; return 0, or seconds to wait if over.

    The window is fixed (``seconds`` long, aligned to the epoch). Runs as
    its own statement: call it outside a transaction for the count to stay
    whatever the request does next.
    """
    now = time.time() if now is None else now
    start = math.floor(now / seconds) * seconds
    with connection.cursor() as cursor:
        cursor.execute(_COUNT, [key, datetime.fromtimestamp(start, UTC)])
        (count,) = cursor.fetchone()
    if count <= requests:
        return 0
    return max(1, math.ceil(start + seconds - now))


def purge_ended_windows(*, now: float | None = None) -> int:
    """Delete the counters of windows that have ended; return how many."""
    now = time.time() if now is None else now
    longest = max(
        (limit[1] for limit in settings.PANTRY_RATE_LIMITS.values() if limit),
        default=0,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM core_ratecount WHERE window_start < %s",
            [datetime.fromtimestamp(now - longest, UTC)],
        )
        return cursor.rowcount


def limited_response(request: HttpRequest, retry_after: int) -> HttpResponse:
    """429 with Retry-After: API.md's error shape under /api/, else a page."""
    detail = f"Too many requests from this address; retry in {retry_after} s."
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {"error": "rate_limited", "detail": detail}, status=429
        )
    else:
        page = render_to_string(
            "429.html", {"request": request, "retry_after": retry_after}
        )
        response = HttpResponse(page, status=429)
    response["Retry-After"] = str(retry_after)
    return response


class RateLimitMiddleware:
    """Refuses a limited route's request past its limit, before the view."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        name = ROUTES.get((request.method or "", request.path))
        limit = settings.PANTRY_RATE_LIMITS.get(name) if name else None
        if limit:
            requests, seconds = limit
            key = f"{name}:{client_key(request)}"
            if wait := hit(key=key, requests=requests, seconds=seconds):
                return limited_response(request, wait)
        return self.get_response(request)
