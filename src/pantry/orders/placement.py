"""Placing an order: one transaction, idempotent, every guarantee in SQL."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from psycopg.types.json import Jsonb

from pantry.catalog.stock import take_stock
from pantry.core.errors import Invalid
from pantry.orders.checkout import clean_address, price_checkout
from pantry.orders.errors import IdempotencyKeyReused
from pantry.orders.models import IdempotencyKey, Order, OrderLine
from pantry.orders.order_rows import insert_order
from pantry.orders.requests import KEY_MAX, OrderRequest, clean_order_request
from pantry.orders.tokens import token_for
from pantry.payments.providers import get_provider
from pantry.payments.services import start_payment
from pantry.vouchers.services import redeem_voucher

Status = Order.Status

RETRY_ATTEMPTS = 3
# deadlock_detected, serialization_failure
RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})


@dataclass(frozen=True)
class Placement:
    """The outcome of place_order: the receipt, and whether it was a replay."""

    number: str
    order_id: int
    receipt: dict[str, Any]
    replayed: bool


def place_order(
    *,
    name: Any,
    email: Any,
    lines: Sequence[tuple[Any, Any]],
    idempotency_key: str | None = None,
    customer_id: int | None = None,
    voucher: str | None = None,
    payment_provider: str | None = None,
    shipping_address: Any = None,
    billing_address: Any = None,
    shipping_method: str | None = None,
    ships: bool = False,
) -> Placement:
    """Place an order, taking stock for every line, or change nothing.

    With ``customer_id`` the order belongs to that customer's account.

    With ``idempotency_key``, a retry of the same request returns the first
    receipt (``replayed``), even while the first is still being placed;
    another request under that key raises IdempotencyKeyReused. Raises
    Invalid, UnknownSku, MixedCurrency or InsufficientStock. The
    confirmation email is queued once the transaction commits.

    ``voucher`` is redeemed in the placing transaction (VoucherInvalid,
    VoucherExhausted); ``payment_provider`` opens a payment whose next step
    is the receipt's ``payment.action``, and an order paid by a provider
    other than ``manual`` expires unpaid after PANTRY_PAYMENT_WINDOW_MINUTES
    (UnknownPaymentProvider).

    The figures are checkout.price_checkout's, the quote's: a line that
    needs shipping needs ``shipping_address`` (ShippingRequired) and a
    method serving it, the cheapest one when ``shipping_method`` is None
    (ShippingUnavailable); a bad address is Invalid or UnknownCountry.
    Without ``billing_address`` the shipping address is billed. Shipping
    applies when an address or a method is given, or with ``ships`` (a
    checkout that always ships, as the storefront's).
    """
    request = clean_order_request(name=name, email=email, lines=lines)
    if payment_provider is not None:
        payment_provider = get_provider(payment_provider).code
    if shipping_method is not None and not isinstance(shipping_method, str):
        raise Invalid(
            "A shipping method is a code.", fields={"shipping_method": "a string"}
        )
    request = replace(
        request,
        voucher=voucher,
        payment_provider=payment_provider,
        shipping_address=clean_address(shipping_address, "shipping_address"),
        billing_address=clean_address(billing_address, "billing_address"),
        shipping_method=shipping_method,
        ships=ships,
    )
    if idempotency_key is not None and not 1 <= len(idempotency_key) <= KEY_MAX:
        raise Invalid(
            f"An Idempotency-Key has 1 to {KEY_MAX} characters.",
            fields={"Idempotency-Key": "invalid length"},
        )
    digest = request.digest()
    # Retry only a transaction of our own: inside a caller's, the whole of
    # it is aborted and is the caller's to retry.
    attempts = 1 if connection.in_atomic_block else RETRY_ATTEMPTS
    for attempt in range(attempts):
        try:
            with transaction.atomic():
                key_id = None
                if idempotency_key is not None:
                    key_id = _claim_key(idempotency_key, digest)
                    if key_id is None:
                        return _replay(idempotency_key, digest)
                placement = _place(request, key_id=key_id, customer_id=customer_id)
                transaction.on_commit(partial(_queue_confirmation, placement.receipt))
            return placement
        except OperationalError as exc:
            if not _is_retryable(exc) or attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


def _is_retryable(exc: OperationalError) -> bool:
    """A deadlock or serialisation failure: the transaction may just rerun.

    Checkout itself locks in SKU order and cannot deadlock with another
    checkout, but other writers of variants (bulk catalog edits) may lock
    rows in another order; PostgreSQL then aborts one side.
    """
    return getattr(exc.__cause__, "sqlstate", None) in RETRYABLE_SQLSTATES


def _claim_key(key: str, digest: str) -> int | None:
    """Insert the key's row; return its id, or None when the key exists.

    A concurrent transaction holding the same key makes this INSERT wait on
    the unique index until that transaction ends: after a commit this
    returns None (replay), after a rollback the key is ours.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO orders_idempotencykey (key, request_hash, created_at) "
            "VALUES (%s, %s, now()) ON CONFLICT (key) DO NOTHING RETURNING id",
            [key, digest],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def _replay(key: str, digest: str) -> Placement:
    stored = IdempotencyKey.objects.filter(key=key).first()
    if stored is None or stored.response_body is None:
        # Purged between the INSERT and this read: extremely rare, and a
        # retry by the client resolves it.
        raise IdempotencyKeyReused("This Idempotency-Key is being reset; retry.")
    if stored.request_hash != digest:
        raise IdempotencyKeyReused()
    body = stored.response_body
    assert stored.order_id is not None  # set with response_body
    return Placement(
        number=body["number"], order_id=stored.order_id, receipt=body, replayed=True
    )


def _place(
    request: OrderRequest, *, key_id: int | None, customer_id: int | None
) -> Placement:
    now = timezone.now()
    quote = price_checkout(
        quantities=request.quantities,
        ship_to=request.shipping_address,
        bill_to=request.billing_address,
        shipping_method=request.shipping_method,
        voucher=request.voucher,
        email=request.email,
        customer_id=customer_id,
        at=now,
        ships=request.ships,
    )
    lines = [
        OrderLine(
            sku=line.sku,
            product_name=line.product_name,
            variant_name=line.variant_name,
            unit_price=line.unit_price,
            quantity=line.quantity,
            line_total=line.line_total,
            discount=line.discount,
            tax_class=line.tax_class,
            net=line.net,
            tax_rate=line.tax_rate,
            tax=line.tax,
            gross=line.gross,
        )
        for line in quote.lines
    ]
    window = timedelta(minutes=settings.PANTRY_PAYMENT_WINDOW_MINUTES)
    order = Order(
        customer_name=request.name,
        email=request.email,
        status=Status.PLACED,
        currency=quote.currency,
        subtotal=quote.subtotal,
        discount=quote.discount,
        shipping=quote.shipping,
        shipping_tax=quote.shipping_tax,
        shipping_tax_rate=quote.shipping_tax_rate,
        tax=quote.tax,
        total=quote.total,
        prices_include_tax=quote.prices_include_tax,
        voucher_code=quote.voucher or "",
        shipping_method=quote.shipping_method or "",
        shipping_method_name=quote.shipping_method_name or "",
        shipping_address=request.shipping_address,
        billing_address=request.billing_address or request.shipping_address,
        payment_provider=request.payment_provider or "",
        expires_at=now + window
        if request.payment_provider not in (None, "manual")
        else None,
        placed_at=now,
        customer_id=customer_id,
    )
    # With a provider, the receipt is complete (and announced) only once the
    # payment is open, below.
    body = insert_order(
        order, lines, key_id=key_id, announce=request.payment_provider is None
    )
    if quote.voucher:
        # The one conditional UPDATE under the CHECK: past the limit this
        # raises and the whole placement rolls back.
        redeem_voucher(
            code=quote.voucher,
            order_ref=order.number,
            email=order.email,
            customer_id=customer_id,
            subtotal=quote.subtotal,
            currency=order.currency,
            at=now,
            checked=quote.applied_voucher,
            # Its errors abort the whole placement: no savepoint needed.
            savepoint=False,
        )
    if request.payment_provider is not None:
        body = _open_payment(order, body, key_id=key_id)
    # Last, so the variant rows stay locked only until the commit right after.
    take_stock(request.quantities)
    return Placement(
        number=order.number, order_id=order.pk, receipt=body, replayed=False
    )


# The receipt with its payment kept under the key and announced, at once.
_ANNOUNCE = """
WITH kept AS (
    UPDATE orders_idempotencykey SET response_body = %(receipt)s
    WHERE id = %(key_id)s
)
SELECT events_emit('order.placed', jsonb_build_array(%(receipt)s::jsonb))
"""


def _open_payment(
    order: Order, body: dict[str, Any], *, key_id: int | None
) -> dict[str, Any]:
    """Start the order's payment; return (and announce) the receipt with it.

    Runs inside the placing transaction: a provider that fails rolls the
    placement back (ProviderFailed).
    """
    return_url = (
        settings.PANTRY_SITE_URL.rstrip("/")
        + reverse("orders:order", args=[order.number])
        + "?token="
        + token_for(order.number)
    )
    payment, action = start_payment(
        order_ref=order.number,
        amount=order.total,
        currency=order.currency,
        email=order.email,
        return_url=return_url,
        provider=order.payment_provider,
    )
    body = {
        **body,
        "payment": {
            "provider": payment.provider,
            "status": payment.status,
            "action": action,
        },
    }
    with connection.cursor() as cursor:
        params: dict[str, Any] = {"receipt": Jsonb(body), "key_id": key_id}
        cursor.execute(_ANNOUNCE, params)
    return body


def _queue_confirmation(receipt: dict[str, Any]) -> None:
    from pantry.orders.tasks import send_order_confirmation

    send_order_confirmation.enqueue(receipt=receipt)
