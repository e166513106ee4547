from __future__ import annotations

from functools import cache

from django.conf import settings
from django.db import DatabaseError, connection
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
    """200 when the database answers and every migration is applied."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT app, name FROM django_migrations")
            applied = set(cursor.fetchall())
    except DatabaseError as exc:
        reason = (
            str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        )
        if "django_migrations" in reason:
            reason = "no migration has been applied"
        return JsonResponse(
            {"status": "unavailable", "reason": f"database: {reason}"}, status=503
        )
    missing = sorted(_expected_migrations() - applied)
    if missing:
        names = ", ".join(f"{app}.{name}" for app, name in missing[:5])
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        return JsonResponse(
            {"status": "unavailable", "reason": f"unapplied migrations: {names}{more}"},
            status=503,
        )
    return JsonResponse({"status": "ok"})


@require_safe
def media(request: HttpRequest, path: str) -> HttpResponseBase:
    """A file under MEDIA_ROOT (development and tests; see docs/images.md).

    MEDIA_ROOT is read per request so tests can point it elsewhere. Names
    are content hashes, so a file never changes: cache it for a year.
    """
    response = serve(request, path, document_root=str(settings.MEDIA_ROOT))
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
