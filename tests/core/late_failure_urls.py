"""pantry's URLs plus write views that fail late, for the transaction tests."""

from __future__ import annotations

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from psycopg import errors

from pantry.catalog.models import Category
from pantry.urls import urlpatterns as pantry_urlpatterns

attempts: list[str] = []


def _insert(request: HttpRequest) -> None:
    Category.objects.create(slug=f"late-{len(attempts)}", name="Late", path="late")


def raises_after_insert(request: HttpRequest) -> HttpResponse:
    _insert(request)
    raise RuntimeError("fails after its insert")


def answers_503_after_insert(request: HttpRequest) -> HttpResponse:
    _insert(request)
    return JsonResponse({"error": "unavailable", "detail": "x"}, status=503)


def answers_409_after_insert(request: HttpRequest) -> HttpResponse:
    _insert(request)
    return JsonResponse({"error": "conflict", "detail": "x"}, status=409)


def deadlocks_once(request: HttpRequest) -> HttpResponse:
    attempts.append(request.method or "")
    _insert(request)
    if len(attempts) == 1:
        raise OperationalError("deadlock detected") from errors.DeadlockDetected()
    return JsonResponse({"attempts": len(attempts)}, status=201)


urlpatterns = [
    path("late/raises", raises_after_insert),
    path("late/503", answers_503_after_insert),
    path("late/409", answers_409_after_insert),
    path("late/deadlock", deadlocks_once),
    *pantry_urlpatterns,
]
