"""Changing a customer's email: confirmed from the new address, told to the old.

The account's email changes only when the link sent to the new address is
used, so a mistyped address cannot lock anyone out, and the old address is
told once it has changed, so a hijacked session cannot move an account away
unnoticed. The link is signed, expires, and names the address it replaces:
once used (or after another change) it is void.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction

from pantry.core.errors import Invalid
from pantry.customers.backends import normal_email
from pantry.customers.errors import EmailTaken, InvalidToken
from pantry.customers.models import Customer
from pantry.customers.services import (
    PASSWORD_MAX,
    TOKEN_MAX,
    clean_email,
    customer_by_email,
    site_link,
)

_SALT = "pantry.customers.email-change"


def email_change_token(customer: Customer, new_email: str) -> str:
    return signing.dumps(
        {"id": customer.pk, "from": normal_email(customer.email), "to": new_email},
        salt=_SALT,
    )


def _queue_confirmation(customer: Customer, new_email: str) -> None:
    from pantry.customers.tasks import send_email_change

    link = site_link(
        "/account/email/confirm/?token=" + email_change_token(customer, new_email)
    )
    send_email_change.enqueue(email=new_email, name=customer.name, link=link)


def _queue_notice(*, old_email: str, name: str, new_email: str) -> None:
    from pantry.customers.tasks import send_email_changed

    send_email_changed.enqueue(email=old_email, name=name, new_email=new_email)


def request_email_change(*, customer: Customer, email: Any, password: Any) -> str:
    """Email a confirmation link to ``email``; return the cleaned address.

    The password is asked again: a session left open must not be enough.
    Raises Invalid (fields ``email`` or ``password``) or EmailTaken.
    """
    new_email = clean_email(email)
    if (
        not isinstance(password, str)
        or len(password) > PASSWORD_MAX
        or not customer.user.check_password(password)
    ):
        raise Invalid("The password is wrong.", fields={"password": "Wrong password."})
    if normal_email(new_email) == normal_email(customer.email):
        raise Invalid(
            "That is already the account's email.",
            fields={"email": "This is the current email."},
        )
    if customer_by_email(new_email) is not None:
        raise EmailTaken()
    transaction.on_commit(partial(_queue_confirmation, customer, new_email))
    return new_email


@transaction.atomic
def confirm_email_change(*, token: Any) -> Customer:
    """Move the account to the email a change link names; it is verified.

    Raises InvalidToken (expired, tampered, used, or the account's email
    changed since) or EmailTaken (another account took it meanwhile).
    Call orders' claim in the same transaction to attach guest orders.
    """
    if not isinstance(token, str) or not token or len(token) > TOKEN_MAX:
        raise InvalidToken()
    try:
        data = signing.loads(token, salt=_SALT, max_age=settings.PANTRY_VERIFY_MAX_AGE)
        customer_id, old, new = int(data["id"]), str(data["from"]), str(data["to"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise InvalidToken() from None
    customer = (
        Customer.objects.select_related("user")
        .select_for_update()
        .filter(pk=customer_id, user__is_active=True)
        .first()
    )
    if customer is None or normal_email(customer.email) != old:
        raise InvalidToken()
    old_email = customer.email
    customer.email, customer.email_verified = new, True
    customer.user.email = new
    try:
        with transaction.atomic():
            customer.save(update_fields=["email", "email_verified"])
            customer.user.save(update_fields=["email"])
    except IntegrityError as exc:
        if "customers_customer_email_ci_unique" in str(exc):
            raise EmailTaken() from None
        raise
    transaction.on_commit(
        partial(_queue_notice, old_email=old_email, name=customer.name, new_email=new)
    )
    return customer
