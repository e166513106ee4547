"""Bearer tokens of customers in the API (the token design of pantry.core)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.errors import AuthorizationError
from ninja.security import HttpBearer

from pantry.core.auth import user_for_token
from pantry.core.models import token_digest
from pantry.customers.models import Customer

TOKEN_MAX = 200


def customer_for_token(token: str) -> Customer | None:
    """The active customer a live token belongs to, or None (one query)."""
    if not token or len(token) > TOKEN_MAX:
        return None
    return (
        Customer.objects.select_related("user")
        .filter(
            user__api_tokens__digest=token_digest(token),
            user__api_tokens__revoked_at__isnull=True,
            user__is_active=True,
            user__is_staff=False,
        )
        .first()
    )


def bearer_token(request: HttpRequest) -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def request_customer(request: HttpRequest) -> Customer | None:
    """The customer of the request: its bearer token, else its signed-in session.

    For endpoints open to anyone that do more for a customer (placing an
    order). A staff token or session gives None.
    """
    token = bearer_token(request)
    if token is not None:
        return customer_for_token(token)
    return session_customer(request)


def session_customer(request: HttpRequest) -> Customer | None:
    """The customer signed in to this session, or None (staff included)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.is_staff:
        return None
    cached = getattr(request, "_pantry_customer", None)
    if cached is None:
        cached = Customer.objects.filter(user=user).first()
        request._pantry_customer = cached  # type: ignore[attr-defined]
    return cached


class CustomerToken(HttpBearer):
    """``Authorization: Bearer <token>`` of an active customer."""

    def authenticate(self, request: HttpRequest, token: str) -> Any | None:
        customer = customer_for_token(token)
        if customer is None:
            if token and len(token) <= TOKEN_MAX and user_for_token(token):
                raise AuthorizationError(message="This token is not a customer's.")
            return None
        request.customer = customer  # type: ignore[attr-defined]
        request.bearer_token = token  # type: ignore[attr-defined]
        return customer


customer_auth = CustomerToken()
