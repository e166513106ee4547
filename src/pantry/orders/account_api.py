"""Customer-facing order endpoints: email verification and /me/orders."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from pantry.core.pagination import Limit, check_limit
from pantry.customers.api import CustomerOut, ErrorOut, TokenIn, customer_json
from pantry.customers.auth import customer_auth
from pantry.orders import accounts, queries
from pantry.orders.api import OrderListOut

router = Router(tags=["customers"])


class VerifiedOut(CustomerOut):
    claimed_orders: int


@router.post(
    "/auth/verify",
    response={200: VerifiedOut, 400: ErrorOut},
    summary="Verify a customer's email; earlier guest orders of it join the account",
)
def verify(request: HttpRequest, payload: TokenIn) -> dict[str, Any]:
    customer, claimed = accounts.verify_customer_email(token=payload.token)
    return {**customer_json(customer), "claimed_orders": claimed}


@router.post(
    "/auth/email-change/confirm",
    response={200: VerifiedOut, 400: ErrorOut, 409: ErrorOut},
    summary="Move the account to the email of a change link; its guest orders join",
)
def confirm_email_change(request: HttpRequest, payload: TokenIn) -> dict[str, Any]:
    customer, claimed = accounts.confirm_customer_email_change(token=payload.token)
    return {**customer_json(customer), "claimed_orders": claimed}


@router.get(
    "/me/orders",
    response=OrderListOut,
    auth=customer_auth,
    summary="The customer's orders, newest first (keyset pages)",
)
def my_orders(
    request: HttpRequest, limit: Limit = None, cursor: str | None = None
) -> dict[str, Any]:
    page = accounts.customer_orders(
        customer_id=request.auth.pk,  # type: ignore[attr-defined]
        limit=check_limit(limit),
        cursor=cursor,
    )
    return {
        "items": [queries.list_item_json(order) for order in page.rows],
        "next": page.next,
    }
