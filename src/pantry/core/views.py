from __future__ import annotations

import asyncio
from functools import cache

import psycopg
from django.conf import settings
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.http import HttpRequest, JsonResponse
from django.http.response import HttpResponseBase
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.static import serve


@cache
def _expected_migrations() -> frozenset[tuple[str, str]]:
    # Migration files do not change while the process runs; read them once.
    loader = MigrationLoader(None, ignore_no_migrations=True, load=False)
    loader.load_disk()
    return frozenset(loader.disk_migrations)


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """200 while the process is up; touches nothing else."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers and every migration is applied.

    Answers within PANTRY_READYZ_TIMEOUT_MS whatever the database does: it
    uses a connection of its own under that deadline, not the pool, whose
    wait is longer and which a hung server can hold.
    """
    try:
        applied = asyncio.run(_applied_migrations())
    except TimeoutError:
        limit = settings.PANTRY_READYZ_TIMEOUT_MS
        return _unavailable(f"database: no answer within {limit} ms")
    except psycopg.errors.UndefinedTable:
        return _unavailable("database: no migration has been applied")
    except psycopg.Error as exc:
        text = str(exc).strip()
        return _unavailable(
            "database: " + (text.splitlines()[0] if text else type(exc).__name__)
        )
    missing = sorted(_expected_migrations() - applied)
    if missing:
        names = ", ".join(f"{app}.{name}" for app, name in missing[:5])
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        return _unavailable(f"unapplied migrations: {names}{more}")
    return JsonResponse({"status": "ok"})


def _unavailable(reason: str) -> JsonResponse:
    return JsonResponse({"status": "unavailable", "reason": reason}, status=503)


async def _applied_migrations() -> set[tuple[str, str]]:
    params = connection.get_connection_params()
    # Sync-only pieces of Django's parameters; the rest is libpq's.
    for name in ("cursor_factory", "context"):
        params.pop(name, None)
    params["connect_timeout"] = 2
    if not settings.PGBOUNCER:
        limit = settings.PANTRY_READYZ_TIMEOUT_MS
        params["options"] = (
            f"{params.get('options', '')} -c statement_timeout={limit}".strip()
        )
    # The deadline covers connecting, which libpq cannot bound below 2 s.
    async with asyncio.timeout(settings.PANTRY_READYZ_TIMEOUT_MS / 1000):
        conn = await psycopg.AsyncConnection.connect(**params, autocommit=True)
        try:
            cursor = await conn.execute("SELECT app, name FROM django_migrations")
            return {(app, name) for app, name in await cursor.fetchall()}
        finally:
            await conn.close()


@require_safe
def media(request: HttpRequest, path: str) -> HttpResponseBase:
    """A file under MEDIA_ROOT (development and tests; see docs/images.md).

    MEDIA_ROOT is read per request so tests can point it elsewhere. Names
    are content hashes, so a file never changes: cache it for a year.
    """
    response = serve(request, path, document_root=str(settings.MEDIA_ROOT))
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
