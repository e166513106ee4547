"""Bearer-token authentication for staff writes in the API."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.errors import AuthorizationError
from ninja.security import HttpBearer

from pantry.core.models import ApiToken, token_digest


def user_for_token(token: str) -> Any | None:
    """Return the active user a live token belongs to, or None."""
    row = (
        ApiToken.objects.select_related("user")
        .filter(
            digest=token_digest(token), revoked_at__isnull=True, user__is_active=True
        )
        .first()
    )
    return row.user if row else None


class StaffToken(HttpBearer):
    """``Authorization: Bearer <token>`` of an active staff user."""

    def authenticate(self, request: HttpRequest, token: str) -> Any | None:
        if not token or len(token) > 200:
            return None
        user = user_for_token(token)
        if user is None:
            return None
        if not user.is_staff:
            raise AuthorizationError(message="This token's user is not staff.")
        request.user = user
        return user


staff = StaffToken()


def staff_user(request: HttpRequest) -> Any | None:
    """The staff user of the request's bearer token, if it has a valid one.

    For endpoints that are public but show more to staff.
    """
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    user = user_for_token(token.strip())
    return user if user is not None and user.is_staff else None
