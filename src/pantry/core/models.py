from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q

TOKEN_PREFIX = "pty_"  # noqa: S105 - a label, not a secret


def token_digest(token: str) -> str:
    # Tokens carry 256 random bits, so a fast hash is as safe as a slow one
    # and keeps authentication to one indexed lookup.
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


class ApiToken(models.Model):
    """A staff member's bearer token; only its SHA-256 digest is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    digest = models.CharField(max_length=64, unique=True)
    hint = models.CharField(
        max_length=12, help_text="First characters, to tell tokens apart."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["user"],
                condition=Q(revoked_at__isnull=True),
                name="core_apitoken_active_user",
            )
        ]

    def __str__(self) -> str:
        return f"{self.hint}… ({self.user})"


class RateCount(models.Model):
    """Requests of one limit and client address counted in one time window.

    Written only by ``pantry.core.ratelimit`` (one upsert per request);
    ``pantry purge_rate_limits`` deletes windows that have ended.
    """

    pk = models.CompositePrimaryKey("key", "window_start")
    key = models.CharField(max_length=100)
    window_start = models.DateTimeField()
    count = models.IntegerField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(count__gte=1), name="core_ratecount_count_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.key} @ {self.window_start}: {self.count}"
