from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, HttpResponse, JsonResponse

from pantry.core.errors import code_for_status

API_PREFIX = "/api/"
_DETAILS = {
    404: "No such resource.",
    405: "This method is not allowed here.",
    500: "Something went wrong on our side; it has been logged.",
}


class _QueryTimer:
    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0

    def __call__(
        self,
        execute: Callable[..., Any],
        sql: str,
        params: Any,
        many: bool,
        context: Any,
    ) -> Any:
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - start
            self.count += 1


class ServerTimingMiddleware:
    """Adds ``Server-Timing: db;dur=..;desc="N queries", app;dur=..``.

    ``app`` is the whole time spent in Django for the request, database
    included; ``db`` is the part spent waiting on queries. On only when
    PANTRY_SERVER_TIMING=1.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not settings.PANTRY_SERVER_TIMING:
            return self.get_response(request)
        timer = _QueryTimer()
        start = time.perf_counter()
        with connections["default"].execute_wrapper(timer):
            response = self.get_response(request)
        total = (time.perf_counter() - start) * 1000
        response["Server-Timing"] = (
            f'db;dur={timer.seconds * 1000:.2f};desc="{timer.count} queries", '
            f"app;dur={total:.2f}"
        )
        return response


class ApiErrorShapeMiddleware:
    """Gives every error response under /api/ the JSON shape of API.md.

    Errors raised inside the API are shaped by ``pantry.api``; this catches
    the ones Django produces before a view runs (unknown URL, wrong method,
    oversized body, server error).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code < 400
            or not request.path.startswith(API_PREFIX)
            or response.get("Content-Type", "").startswith("application/json")
        ):
            return response
        status = response.status_code
        body: dict[str, Any] = {
            "error": code_for_status(status),
            "detail": _DETAILS.get(
                status, getattr(response, "reason_phrase", "") + "."
            ),
        }
        shaped = JsonResponse(body, status=status)
        for header in ("Allow", "Server-Timing", "WWW-Authenticate", "Retry-After"):
            if header in response:
                shaped[header] = response[header]
        return shaped
