"""Sign-in of customers by email, and the glue django-axes calls for lockouts."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import BaseBackend
from django.db.models.functions import Lower
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from pantry.customers.models import Customer


def normal_email(email: str) -> str:
    """The key an email is compared under (its lower-case form)."""
    return email.strip().lower()


class CustomerBackend(BaseBackend):
    """Authenticates ``email`` + ``password`` of a customer, never of staff.

    An unknown email costs one hash too, so it answers in about the time of a
    wrong password.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        email: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any | None:
        if email is None or password is None:
            return None
        customer = (
            Customer.objects.select_related("user")
            .alias(email_key=Lower("email"))
            .filter(email_key=normal_email(email))
            .first()
        )
        if customer is None:
            get_user_model()().set_password(password)
            return None
        user = customer.user
        if user.check_password(password) and user.is_active and not user.is_staff:
            return user
        return None

    def get_user(self, user_id: int) -> Any | None:
        user_model = get_user_model()
        user = user_model.objects.filter(pk=user_id, is_active=True).first()
        return user if user is not None and not user.is_staff else None


def login_name(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """The account a sign-in attempt names, as django-axes counts it."""
    if credentials is None:
        credentials = getattr(request, "POST", {}) or {}
    name = credentials.get("email") or credentials.get("username") or ""
    return normal_email(str(name))[:255]


def retry_after_seconds() -> int:
    """How long a lockout lasts (AXES_COOLOFF_TIME is in hours)."""
    return max(1, round(float(settings.AXES_COOLOFF_TIME) * 3600))


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None,
    credentials: dict[str, Any] | None,
) -> HttpResponse:
    """The answer to a locked-out sign-in (admin; pantry's own views answer 429).

    The API and the account pages render their own 429, so keep theirs.
    """
    if original_response is not None and original_response.status_code == 429:
        return original_response
    minutes = max(1, retry_after_seconds() // 60)
    body = render_to_string(
        "customers/locked_out.html", {"minutes": minutes}, request=request
    )
    response = HttpResponse(body, status=429)
    response["Retry-After"] = str(retry_after_seconds())
    return response
