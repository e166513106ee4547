"""Orders of customer accounts: claiming guest orders, a customer's history.

Customers know nothing of orders; orders reads the account and attaches
orders to it, so these compose the two apps.
"""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction
from django.db.models import Prefetch

from pantry.core.pagination import Page, keyset_page
from pantry.customers import email_change
from pantry.customers import services as customer_services
from pantry.customers.models import Customer
from pantry.orders.models import Order, OrderEvent, OrderLine
from pantry.orders.queries import LIST_FIELDS, LIST_ORDER


def claim_guest_orders(*, customer: Customer) -> int:
    """Give a verified customer the guest orders placed with their email.

    One UPDATE through the ``lower(email), placed_at`` index; orders that
    already belong to an account are left alone. Returns how many moved.
    An unverified customer claims nothing.
    """
    if not customer.email_verified:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE orders_order SET customer_id = %s "
            "WHERE lower(email) = lower(%s) AND customer_id IS NULL",
            [customer.pk, customer.email],
        )
        return cursor.rowcount


@transaction.atomic
def verify_customer_email(*, token: Any) -> tuple[Customer, int]:
    """Verify the email of a verification token and claim its guest orders.

    Returns the customer and how many orders were claimed; raises
    InvalidToken and changes nothing for a bad token.
    """
    customer = customer_services.verify_email(token=token)
    return customer, claim_guest_orders(customer=customer)


@transaction.atomic
def confirm_customer_email_change(*, token: Any) -> tuple[Customer, int]:
    """Move an account to the email of a change link and claim its guest
    orders (the new email is verified by the link)."""
    customer = email_change.confirm_email_change(token=token)
    return customer, claim_guest_orders(customer=customer)


def customer_orders(*, customer_id: int, limit: int, cursor: str | None) -> Page:
    """One page of a customer's orders, newest first (one query, any size)."""
    orders = Order.objects.filter(customer_id=customer_id).only(
        *LIST_FIELDS, "customer_id"
    )
    return keyset_page(
        orders, order=LIST_ORDER, limit=limit, cursor=cursor, scope="orders:mine"
    )


def customer_order_detail(*, customer_id: int, number: str) -> Order | None:
    """The customer's own order with lines and history, or None."""
    return (
        Order.objects.filter(number=number, customer_id=customer_id)
        .prefetch_related(
            Prefetch("lines", queryset=OrderLine.objects.order_by("sku")),
            Prefetch("events", queryset=OrderEvent.objects.order_by("at", "id")),
        )
        .first()
    )
