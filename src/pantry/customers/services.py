"""Accounts: sign-up, sign-in, tokens, verification and password reset.

The only writers of customers and their users. Emails leave after commit
through ``tasks``; nothing a caller sees tells whether an email has an
account, except sign-up's email_taken that API.md asks for.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.http import HttpRequest
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from pantry.core.errors import Invalid
from pantry.core.models import ApiToken, new_token, token_digest
from pantry.customers.backends import normal_email, retry_after_seconds
from pantry.customers.errors import (
    EmailTaken,
    InvalidCredentials,
    InvalidToken,
    LoginThrottled,
)
from pantry.customers.models import EMAIL_MAX, NAME_MAX, Customer

PASSWORD_MAX = 1024
TOKEN_MAX = 512
_VERIFY_SALT = "pantry.customers.verify"


def clean_text(value: Any, *, field: str, max_length: int, required: bool) -> str:
    """Return ``value`` stripped, or raise Invalid naming ``field``."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise Invalid(fields={field: "Must be text."})
    value = value.strip()
    if "\x00" in value:
        raise Invalid(fields={field: "Must not contain NUL characters."})
    if required and not value:
        raise Invalid(fields={field: "This field is required."})
    if len(value) > max_length:
        raise Invalid(fields={field: f"At most {max_length} characters."})
    return value


def clean_email(value: Any, *, field: str = "email") -> str:
    """A valid email with its domain lower-cased, or Invalid."""
    email = clean_text(value, field=field, max_length=EMAIL_MAX, required=True)
    try:
        validate_email(email)
    except ValidationError:
        raise Invalid(fields={field: "Enter a valid email address."}) from None
    local, _, domain = email.rpartition("@")
    return f"{local}@{domain.lower()}"


def _check_password(password: Any, *, user: Any, field: str = "password") -> str:
    if not isinstance(password, str) or not password:
        raise Invalid(fields={field: "A password is required."})
    if len(password) > PASSWORD_MAX or "\x00" in password:
        raise Invalid(fields={field: f"At most {PASSWORD_MAX} characters, no NUL."})
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise Invalid(
            "The password is too weak.", fields={field: " ".join(exc.messages)}
        ) from None
    return password


def customer_by_email(email: str) -> Customer | None:
    return (
        Customer.objects.alias(email_key=Lower("email"))
        .filter(email_key=normal_email(email))
        .first()
    )


def sign_up(*, email: Any, password: Any, name: Any) -> Customer:
    """Create a customer account and queue its verification email.

    Raises Invalid (fields) or EmailTaken, whatever the case of the email.
    """
    fields: dict[str, str] = {}
    clean: dict[str, str] = {}
    for key, check in (
        ("email", lambda: clean_email(email)),
        (
            "name",
            lambda: clean_text(name, field="name", max_length=NAME_MAX, required=True),
        ),
    ):
        try:
            clean[key] = check()
        except Invalid as exc:
            fields.update(exc.fields or {})
    user_model = get_user_model()
    # A username nobody types: customers sign in by email, and staff
    # usernames can never collide with one.
    user = user_model(
        username="customer-" + secrets.token_hex(12),
        email=clean.get("email", ""),
        first_name=clean.get("name", "")[:150],
    )
    try:
        _check_password(password, user=user)
    except Invalid as exc:
        fields.update(exc.fields or {})
    if fields:
        raise Invalid("The account details are invalid.", fields=fields)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
            customer = Customer.objects.create(
                user=user, email=clean["email"], name=clean["name"]
            )
            transaction.on_commit(partial(_queue_verification, customer))
    except IntegrityError as exc:
        if "customers_customer_email_ci_unique" in str(exc):
            raise EmailTaken() from None
        raise
    return customer


@dataclass(frozen=True)
class SignIn:
    customer: Customer
    user: Any


def sign_in(*, request: HttpRequest, email: Any, password: Any) -> SignIn:
    """Check a customer's credentials, counting failures (django-axes).

    Raises LoginThrottled while the account or the client address is locked
    out, else InvalidCredentials for a wrong email or password alike.
    """
    if not isinstance(email, str) or not isinstance(password, str):
        raise InvalidCredentials()
    email, password = email[: EMAIL_MAX + 1], password[:PASSWORD_MAX]
    user = authenticate(request, email=email, password=password)
    if getattr(request, "axes_locked_out", False):
        raise LoginThrottled(retry_after=retry_after_seconds())
    if user is None:
        raise InvalidCredentials()
    return SignIn(customer=Customer.objects.get(user=user), user=user)


def create_customer_token(*, customer: Customer) -> str:
    """Create a bearer token for ``customer``; return it (shown only once)."""
    token = new_token()
    ApiToken.objects.create(
        user_id=customer.user_id, digest=token_digest(token), hint=token[:10]
    )
    return token


def revoke_token(*, token: str) -> None:
    ApiToken.objects.filter(digest=token_digest(token), revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def site_link(path: str) -> str:
    return settings.PANTRY_SITE_URL.rstrip("/") + path


# -- email verification -----------------------------------------------------


def verification_token(customer: Customer) -> str:
    """A signed, expiring token naming the customer and the email it checks."""
    return signing.dumps(
        {"id": customer.pk, "email": normal_email(customer.email)},
        salt=_VERIFY_SALT,
    )


def _queue_verification(customer: Customer) -> None:
    from pantry.customers.tasks import send_verification

    link = site_link("/account/verify/?token=" + verification_token(customer))
    send_verification.enqueue(email=customer.email, name=customer.name, link=link)


def resend_verification(*, customer: Customer) -> None:
    if not customer.email_verified:
        transaction.on_commit(partial(_queue_verification, customer))


@transaction.atomic
def verify_email(*, token: Any) -> Customer:
    """Mark the email a verification token names as verified; return its owner.

    A token for an email the customer no longer has is refused, so is an
    expired or tampered one (InvalidToken); verifying twice is harmless.
    Call orders' claim in the same transaction to attach guest orders.
    """
    if not isinstance(token, str) or not token or len(token) > TOKEN_MAX:
        raise InvalidToken()
    try:
        data = signing.loads(
            token, salt=_VERIFY_SALT, max_age=settings.PANTRY_VERIFY_MAX_AGE
        )
        customer_id, email = int(data["id"]), str(data["email"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise InvalidToken() from None
    customer = Customer.objects.select_for_update().filter(pk=customer_id).first()
    if customer is None or normal_email(customer.email) != email:
        raise InvalidToken()
    if not customer.email_verified:
        customer.email_verified = True
        customer.save(update_fields=["email_verified"])
    return customer


# -- password reset ---------------------------------------------------------


def password_reset_token(user: Any) -> str:
    """``<uid>.<token>``: Django's generator, void once the password changes."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return f"{uid}.{default_token_generator.make_token(user)}"


def _queue_reset(customer: Customer) -> None:
    from pantry.customers.tasks import send_password_reset

    link = site_link(
        "/account/password-reset/confirm/?token=" + password_reset_token(customer.user)
    )
    send_password_reset.enqueue(email=customer.email, name=customer.name, link=link)


def request_password_reset(*, email: Any) -> None:
    """Queue a reset email when ``email`` has an account; silent otherwise."""
    try:
        email = clean_email(email)
    except Invalid:
        return
    customer = customer_by_email(email)
    if customer is not None and customer.user.is_active:
        transaction.on_commit(partial(_queue_reset, customer))


@transaction.atomic
def reset_password(*, token: Any, password: Any) -> Customer:
    """Set a new password from a reset token; revoke the customer's tokens.

    Raises InvalidToken (expired, used, tampered) or Invalid (weak password).
    """
    if not isinstance(token, str) or len(token) > TOKEN_MAX or "." not in token:
        raise InvalidToken()
    uid, _, secret = token.partition(".")
    try:
        user_id = int(urlsafe_base64_decode(uid).decode())
    except (ValueError, UnicodeDecodeError):
        raise InvalidToken() from None
    customer = (
        Customer.objects.select_related("user")
        .select_for_update()
        .filter(user_id=user_id, user__is_active=True)
        .first()
    )
    if customer is None or not default_token_generator.check_token(
        customer.user, secret
    ):
        raise InvalidToken()
    user = customer.user
    _check_password(password, user=user)
    user.set_password(password)
    user.save(update_fields=["password"])
    # Whoever knew the old password may hold a token: end those sessions.
    ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    return customer
