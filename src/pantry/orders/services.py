"""Placing orders and moving them through their statuses: the only writers."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import OperationalError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from psycopg.types.json import Jsonb

from pantry.catalog.stock import return_stock, take_stock
from pantry.core.errors import Invalid, NotFound
from pantry.events.outbox import emit
from pantry.orders.checkout import clean_address, price_checkout
from pantry.orders.errors import IdempotencyKeyReused, InvalidTransition
from pantry.orders.models import (
    NUMBER_PREFIX,
    IdempotencyKey,
    Order,
    OrderEvent,
    OrderLine,
)
from pantry.orders.queries import receipt
from pantry.orders.tokens import token_for
from pantry.payments.providers import get_provider
from pantry.payments.services import start_payment
from pantry.vouchers.services import redeem_voucher, release_vouchers

Status = Order.Status

NAME_MAX = 200
EMAIL_MAX = 254
SKU_MAX = 64
MAX_LINES = 100
MAX_QUANTITY = 1000
KEY_MAX = 255
# Crockford's base32: no I, L, O, U, so numbers read aloud unambiguously.
NUMBER_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
NUMBER_LENGTH = 10  # 50 random bits
NUMBER_ATTEMPTS = 5
IDEMPOTENCY_TTL = timedelta(hours=24)
RETRY_ATTEMPTS = 3
# deadlock_detected, serialization_failure
RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})

# The state machine of API.md, in one place.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.PLACED: frozenset({Status.PAID, Status.CANCELLED}),
    Status.PAID: frozenset({Status.SHIPPED, Status.CANCELLED, Status.REFUNDED}),
    Status.SHIPPED: frozenset({Status.DELIVERED, Status.REFUNDED}),
    Status.DELIVERED: frozenset({Status.REFUNDED}),
    Status.CANCELLED: frozenset(),
    Status.REFUNDED: frozenset(),
    Status.EXPIRED: frozenset(),
}
# Expiry is the sweeper's (orders/expiry.py), never a staff transition.
RESTOCKING = frozenset({Status.CANCELLED})


@dataclass(frozen=True)
class Placement:
    """The outcome of place_order: the receipt, and whether it was a replay."""

    number: str
    order_id: int
    receipt: dict[str, Any]
    replayed: bool


@dataclass(frozen=True)
class OrderRequest:
    """A checked order request: clean customer fields, quantities per SKU."""

    name: str
    email: str
    quantities: dict[str, int]
    voucher: str | None = None
    payment_provider: str | None = None
    shipping_address: dict[str, str] | None = None
    billing_address: dict[str, str] | None = None
    shipping_method: str | None = None
    # Shipping applies even with no address given (the storefront's checkout).
    ships: bool = False

    def digest(self) -> str:
        request: dict[str, Any] = {
            "customer": {"name": self.name, "email": self.email},
            "lines": sorted(self.quantities.items()),
        }
        # Only when given, so digests of plain orders stay as they were.
        # The addresses are the cleaned ones: a retry differing only in
        # surrounding spaces or the country's letter case is the same order.
        if self.voucher is not None:
            request["voucher"] = self.voucher.lower()
        if self.payment_provider is not None:
            request["payment_provider"] = self.payment_provider
        if self.shipping_address is not None:
            request["shipping_address"] = self.shipping_address
        if self.billing_address is not None:
            request["billing_address"] = self.billing_address
        if self.shipping_method is not None:
            request["shipping_method"] = self.shipping_method
        if self.ships:
            request["ships"] = True
        canonical = json.dumps(
            request,
            sort_keys=True,
            separators=(",", ":"),
        )
        return hashlib.sha256(canonical.encode()).hexdigest()


def new_order_number() -> str:
    """Return a random order number such as ``PA-7Q2M9XK4RB``."""
    return NUMBER_PREFIX + "".join(
        secrets.choice(NUMBER_ALPHABET) for _ in range(NUMBER_LENGTH)
    )


def clean_order_request(
    *, name: Any, email: Any, lines: Sequence[tuple[Any, Any]]
) -> OrderRequest:
    """Check an order request; return it with repeated SKUs merged.

    A SKU named on several lines is one line with the summed quantity (what a
    cart would do); the sum must still be within MAX_QUANTITY. Raises
    Invalid with ``fields`` naming every bad part.
    """
    fields: dict[str, str] = {}
    name = name.strip() if isinstance(name, str) else ""
    if not name:
        fields["customer.name"] = "A name is required."
    elif len(name) > NAME_MAX:
        fields["customer.name"] = f"At most {NAME_MAX} characters."
    email = email.strip() if isinstance(email, str) else ""
    if not email:
        fields["customer.email"] = "An email address is required."
    elif len(email) > EMAIL_MAX:
        fields["customer.email"] = f"At most {EMAIL_MAX} characters."
    else:
        try:
            validate_email(email)
        except ValidationError:
            fields["customer.email"] = "Enter a valid email address."
        else:
            local, _, domain = email.rpartition("@")
            email = f"{local}@{domain.lower()}"
    quantities: dict[str, int] = {}
    if not lines:
        fields["lines"] = "An order needs at least one line."
    elif len(lines) > MAX_LINES:
        fields["lines"] = f"At most {MAX_LINES} lines."
    for i, (sku, quantity) in enumerate(lines or []):
        if not isinstance(sku, str) or not sku.strip() or len(sku) > SKU_MAX:
            fields[f"lines.{i}.sku"] = f"A SKU has 1 to {SKU_MAX} characters."
            continue
        if (
            isinstance(quantity, bool)
            or not isinstance(quantity, int)
            or not 1 <= quantity <= MAX_QUANTITY
        ):
            fields[f"lines.{i}.quantity"] = (
                f"A quantity is a whole number from 1 to {MAX_QUANTITY}."
            )
            continue
        sku = sku.strip()
        quantities[sku] = quantities.get(sku, 0) + quantity
        if quantities[sku] > MAX_QUANTITY:
            fields[f"lines.{i}.quantity"] = (
                f"At most {MAX_QUANTITY} of one SKU per order."
            )
    if fields:
        raise Invalid("The order is invalid.", fields=fields)
    return OrderRequest(name=name, email=email, quantities=quantities)


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
    body = _insert_order(
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
        )
    if request.payment_provider is not None:
        body = _open_payment(order, body, key_id=key_id)
    # Last, so the variant rows stay locked only until the commit right after.
    take_stock(request.quantities)
    return Placement(
        number=order.number, order_id=order.pk, receipt=body, replayed=False
    )


# The order, its lines, its placement event, the receipt kept under the
# idempotency key (if any) and the order.placed event in one round trip. A
# taken number inserts nothing (ON CONFLICT) and the caller draws another.
_INSERT_ORDER = """
WITH placed AS (
    INSERT INTO orders_order
        (number, customer_name, email, status, currency, total, placed_at,
         customer_id, discount, voucher_code, payment_provider, expires_at,
         subtotal, shipping, shipping_tax, shipping_tax_rate, tax,
         prices_include_tax,
         shipping_method, shipping_method_name, shipping_address,
         billing_address)
    VALUES (%(number)s, %(name)s, %(email)s, 'placed', %(currency)s, %(total)s,
            %(at)s, %(customer_id)s, %(discount)s, %(voucher_code)s,
            %(payment_provider)s, %(expires_at)s, %(subtotal)s, %(shipping)s,
            %(shipping_tax)s, %(shipping_tax_rate)s, %(tax)s,
            %(prices_include_tax)s,
            %(shipping_method)s, %(shipping_method_name)s,
            %(shipping_address)s, %(billing_address)s)
    ON CONFLICT (number) DO NOTHING
    RETURNING id
), lines AS (
    INSERT INTO orders_orderline
        (order_id, sku, product_name, variant_name, unit_price, quantity,
         line_total, discount, tax_class, net, tax_rate, tax, gross)
    SELECT placed.id, line.sku, line.product_name, line.variant_name,
           line.unit_price, line.quantity, line.unit_price * line.quantity,
           line.discount, line.tax_class, line.net, line.tax_rate, line.tax,
           line.gross
    FROM placed, unnest(%(skus)s::varchar[], %(names)s::varchar[],
                        %(variant_names)s::varchar[], %(prices)s::numeric[],
                        %(quantities)s::integer[], %(discounts)s::numeric[],
                        %(classes)s::varchar[], %(nets)s::numeric[],
                        %(rates)s::numeric[], %(taxes)s::numeric[],
                        %(grosses)s::numeric[])
         AS line(sku, product_name, variant_name, unit_price, quantity,
                 discount, tax_class, net, tax_rate, tax, gross)
), event AS (
    INSERT INTO orders_orderevent (order_id, from_status, to_status, at, actor)
    SELECT placed.id, '', 'placed', %(at)s, 'customer' FROM placed
), receipt AS (
    UPDATE orders_idempotencykey
    SET order_id = placed.id, response_status = 201, response_body = %(receipt)s
    FROM placed
    WHERE orders_idempotencykey.id = %(key_id)s
), emitted AS (
    SELECT events_emit('order.placed', jsonb_build_array(%(receipt)s::jsonb))
    FROM placed WHERE %(announce)s
)
SELECT placed.id FROM placed LEFT JOIN emitted ON true
"""


def _insert_order(
    order: Order, lines: list[OrderLine], *, key_id: int | None, announce: bool
) -> dict[str, Any]:
    """Insert ``order`` under a new random number, with its lines and event.

    Returns the receipt, also stored with idempotency key ``key_id`` and,
    when ``announce``, emitted as order.placed.
    """
    params: dict[str, Any] = {
        "name": order.customer_name,
        "email": order.email,
        "currency": order.currency,
        "total": order.total,
        "at": order.placed_at,
        "customer_id": order.customer_id,
        "discount": order.discount,
        "voucher_code": order.voucher_code,
        "payment_provider": order.payment_provider,
        "expires_at": order.expires_at,
        "subtotal": order.subtotal,
        "shipping": order.shipping,
        "shipping_tax": order.shipping_tax,
        "shipping_tax_rate": order.shipping_tax_rate,
        "tax": order.tax,
        "prices_include_tax": order.prices_include_tax,
        "shipping_method": order.shipping_method,
        "shipping_method_name": order.shipping_method_name,
        "shipping_address": _jsonb(order.shipping_address),
        "billing_address": _jsonb(order.billing_address),
        "skus": [line.sku for line in lines],
        "names": [line.product_name for line in lines],
        "variant_names": [line.variant_name for line in lines],
        "prices": [line.unit_price for line in lines],
        "quantities": [line.quantity for line in lines],
        "discounts": [line.discount for line in lines],
        "classes": [line.tax_class for line in lines],
        "nets": [line.net for line in lines],
        "rates": [line.tax_rate for line in lines],
        "taxes": [line.tax for line in lines],
        "grosses": [line.gross for line in lines],
        "key_id": key_id,
        "announce": announce,
    }
    with connection.cursor() as cursor:
        for _ in range(NUMBER_ATTEMPTS):
            order.number = new_order_number()
            body = receipt(order, lines)
            values: dict[str, Any] = {
                **params,
                "number": order.number,
                "receipt": Jsonb(body),
            }
            cursor.execute(_INSERT_ORDER, values)
            row = cursor.fetchone()
            if row is not None:
                order.pk = row[0]
                order._state.adding = False
                for line in lines:
                    line.order = order
                return body
    raise RuntimeError(f"no free order number in {NUMBER_ATTEMPTS} draws")


def _jsonb(value: dict[str, Any] | None) -> Jsonb | None:
    return None if value is None else Jsonb(value)


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


def transition_order(*, number: str, to: str, actor: str) -> Order:
    """Move order ``number`` to status ``to``, recording who and when.

    The order row is locked first, so concurrent transitions of one order
    run one after the other and the second sees the first's result.
    Cancelling or expiring returns the order's stock and voucher uses in
    the same transaction. Raises
    NotFound, Invalid (not a status) or InvalidTransition.
    """
    if to not in Status.values:
        raise Invalid(
            f"{to!r} is not an order status.",
            fields={"to": "one of " + ", ".join(Status.values)},
        )
    with transaction.atomic():
        order = Order.objects.select_for_update().filter(number=number).first()
        if order is None:
            raise NotFound(f"There is no order {number}.")
        if to not in TRANSITIONS[order.status]:
            raise InvalidTransition(
                f"An order that is {order.status} cannot become {to}.",
                status=order.status,
                to=to,
                allowed=sorted(TRANSITIONS[order.status]),
            )
        if to in RESTOCKING:
            return_stock(dict(order.lines.values_list("sku", "quantity")))
            release_vouchers(order_ref=order.number)
        event = OrderEvent(
            order=order,
            from_status=order.status,
            to_status=to,
            at=timezone.now(),
            actor=actor,
        )
        order.status = to
        order.save(update_fields=["status"])
        event.save()
        emit(f"order.{to}", {"number": order.number, "status": to, "actor": actor})
    return order


def purge_idempotency_keys(*, older_than: timedelta = IDEMPOTENCY_TTL) -> int:
    """Delete idempotency records older than ``older_than``; return how many."""
    deleted, _ = IdempotencyKey.objects.filter(
        created_at__lt=timezone.now() - older_than
    ).delete()
    return deleted
