"""Starting payments, applying provider events once, refunding: the writers.

Payments do not know orders; they tell the listener orders registers
(``on_payment``) about every change, inside the transaction that records
it, so an order's transition commits or rolls back with its payment.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from psycopg.types.json import Jsonb

from pantry.events.audit import Actor, acting_as, current_actor
from pantry.payments.errors import RefundExceedsOrder, UnknownWebhookProvider
from pantry.payments.models import Payment
from pantry.payments.providers import PROVIDERS, get_provider
from pantry.payments.providers.base import (
    AUTHORIZED,
    CAPTURED,
    FAILED,
    PaymentOrder,
    WebhookEvent,
)

Status = Payment.Status


@dataclass(frozen=True)
class PaymentChange:
    """What a listener hears: a payment of an order reached ``status``."""

    order_ref: str
    provider: str
    provider_ref: str
    status: str
    amount: Decimal


@dataclass(frozen=True)
class Ingested:
    """The outcome of a webhook: applied, or a replay / no-op."""

    applied: bool
    payment: Payment | None


Listener = Callable[[PaymentChange], None]
_listeners: list[Listener] = []


def on_payment(listener: Listener) -> Listener:
    """Register ``listener`` for payment changes (orders does, at startup).

    It runs inside the transaction recording the change; raising rolls the
    change back.
    """
    if listener not in _listeners:
        _listeners.append(listener)
    return listener


def off_payment(listener: Listener) -> None:
    """Unregister ``listener``."""
    if listener in _listeners:
        _listeners.remove(listener)


def _notify(change: PaymentChange) -> None:
    for listener in list(_listeners):
        listener(change)


def start_payment(
    *,
    order_ref: str,
    amount: Decimal,
    currency: str,
    email: str,
    return_url: str,
    provider: str | None = None,
) -> tuple[Payment, dict[str, Any] | None]:
    """Open a payment for order ``order_ref``; return it and the next action.

    Raises UnknownPaymentProvider, or ProviderFailed when the provider does
    not answer.
    """
    chosen = get_provider(provider)
    started = chosen.create_payment(
        PaymentOrder(
            order_ref=order_ref,
            amount=amount,
            currency=currency,
            email=email,
            return_url=return_url,
        )
    )
    payment = Payment.objects.create(
        order_ref=order_ref,
        provider=chosen.code,
        provider_ref=started.provider_ref,
        currency=currency,
        amount=amount,
        provider_data=started.data,
    )
    return payment, started.action


# One statement records the event and locks its payment. The lock is taken
# in the CTE, which reads the row's newest version after waiting for it; the
# payment's columns come from there, never from the statement's older
# snapshot. A duplicate finds the event row and returns nothing; an event of
# no known payment returns one row of NULLs. The columns are named: a
# prepared statement whose `*` gains a column fails once the table has it.
_PAYMENT_COLUMNS = ", ".join(str(f.column) for f in Payment._meta.concrete_fields)
_RECORD_EVENT = f"""
WITH payment AS (
    SELECT {_PAYMENT_COLUMNS} FROM payments_payment
    WHERE provider = %s AND provider_ref = %s
    FOR UPDATE
), event AS (
    INSERT INTO payments_providerevent
        (provider, event_id, type, payload, received_at, payment_id)
    VALUES (%s, %s, %s, %s, now(), (SELECT id FROM payment))
    ON CONFLICT (provider, event_id) DO NOTHING
    RETURNING payment_id
)
SELECT payment.* FROM event LEFT JOIN payment ON payment.id = event.payment_id
"""  # noqa: S608  column names of the model; values are parameters


def ingest_webhook(
    *, provider: str, body: bytes, headers: Mapping[str, str]
) -> Ingested:
    """Verify a provider's webhook and apply its event exactly once.

    The event row (unique per provider and event id) and the payment's and
    order's changes commit together, so a duplicate, concurrent or replayed
    delivery finds the row and changes nothing. Events arriving out of
    order only move a payment forward (pending, authorized, captured).
    Raises UnknownWebhookProvider or InvalidSignature.
    """
    if provider not in PROVIDERS:
        raise UnknownWebhookProvider(f"There is no payment provider {provider!r}.")
    event = PROVIDERS[provider]().parse_webhook(body, headers)
    # The provider changes the rows, not the anonymous client that relays it;
    # the request id stays the request's. No savepoint: nothing in here
    # answers a domain error, and any failure undoes the whole request's
    # transaction (one round trip fewer each way).
    actor = Actor(f"payment:{provider}", current_actor().request_id)
    with acting_as(actor), transaction.atomic(savepoint=False):
        params = [
            provider,
            event.provider_ref,
            provider,
            event.event_id,
            event.type,
            Jsonb(event.payload),
        ]
        recorded = list(Payment.objects.raw(_RECORD_EVENT, params))
        if not recorded:
            return Ingested(applied=False, payment=None)
        payment = recorded[0]
        if payment.pk is None:
            return Ingested(applied=True, payment=None)
        _apply(payment, event)
    return Ingested(applied=True, payment=payment)


# What an event may change on a payment: one fixed statement, which the
# connection prepares, where Model.save would compile an UPDATE per event.
_MOVE = """
UPDATE payments_payment
SET status = %s, authorized = %s, captured = %s, provider_data = %s,
    updated_at = now()
WHERE id = %s
RETURNING updated_at
"""


def _apply(payment: Payment, event: WebhookEvent) -> None:
    """Move ``payment`` forward by ``event``; call with the row locked."""
    amount = (
        payment.amount if event.amount is None else min(event.amount, payment.amount)
    )
    if event.data:
        payment.provider_data = {**payment.provider_data, **event.data}
    if event.outcome == CAPTURED and payment.status != Status.CAPTURED:
        # A capture after a failure still took money: record it, and let
        # the order decide (a late payment of an expired order is refunded).
        payment.authorized = max(payment.authorized, amount)
        payment.captured = amount
        payment.status = Status.CAPTURED
    elif event.outcome == AUTHORIZED and payment.status == Status.PENDING:
        payment.authorized = amount
        payment.status = Status.AUTHORIZED
    elif event.outcome == FAILED and payment.status in (
        Status.PENDING,
        Status.AUTHORIZED,
    ):
        payment.status = Status.FAILED
    else:
        if event.data:
            _move(payment)
        return
    _move(payment)
    _notify(
        PaymentChange(
            order_ref=payment.order_ref,
            provider=payment.provider,
            provider_ref=payment.provider_ref,
            status=payment.status,
            amount=payment.captured or payment.authorized,
        )
    )


def _move(payment: Payment) -> None:
    params: list[Any] = [
        payment.status,
        payment.authorized,
        payment.captured,
        Jsonb(payment.provider_data),
        payment.pk,
    ]
    with connection.cursor() as cursor:
        cursor.execute(_MOVE, params)
        (payment.updated_at,) = cursor.fetchone()


def capture_payment(*, payment_id: int) -> Payment:
    """Capture an authorized payment in full."""
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        if payment.status != Status.AUTHORIZED:
            return payment
        PROVIDERS[payment.provider]().capture(
            provider_ref=payment.provider_ref,
            data=payment.provider_data,
            amount=payment.authorized,
        )
        payment.captured = payment.authorized
        payment.status = Status.CAPTURED
        payment.save()
        _notify(
            PaymentChange(
                order_ref=payment.order_ref,
                provider=payment.provider,
                provider_ref=payment.provider_ref,
                status=payment.status,
                amount=payment.captured,
            )
        )
    return payment


def paid_total(*, order_ref: str) -> tuple[Decimal, Decimal]:
    """(captured, refunded) over every payment of order ``order_ref``."""
    captured, refunded = Decimal("0.00"), Decimal("0.00")
    for payment in Payment.objects.filter(order_ref=order_ref):
        captured += payment.captured
        refunded += payment.refunded
    return captured, refunded


# Conditional: only while the refund still fits under what was captured.
_TAKE_REFUND = """
UPDATE payments_payment SET refunded = refunded + %s, updated_at = now()
WHERE id = %s AND refunded + %s <= captured
RETURNING id
"""


def refund_payment(*, order_ref: str, amount: Decimal) -> list[str]:
    """Refund ``amount`` of order ``order_ref`` through its providers.

    Takes from the captured payments, oldest first. Call inside the
    transaction that records the refund on the order. Raises
    RefundExceedsOrder (nothing changes) or ProviderFailed.
    """
    if amount <= 0:
        return []
    payments = list(
        Payment.objects.select_for_update()
        .filter(order_ref=order_ref, captured__gt=0)
        .order_by("id")
    )
    left = sum((p.captured - p.refunded for p in payments), Decimal("0.00"))
    if amount > left:
        raise RefundExceedsOrder(
            f"Only {left:.2f} of order {order_ref} can still be refunded.",
            refundable=f"{left:.2f}",
        )
    refs: list[str] = []
    remaining = amount
    with transaction.atomic(), connection.cursor() as cursor:
        for payment in payments:
            share = min(remaining, payment.captured - payment.refunded)
            if share <= 0:
                continue
            cursor.execute(_TAKE_REFUND, [share, payment.pk, share])
            if cursor.fetchone() is None:
                raise RefundExceedsOrder()
            refs.append(
                PROVIDERS[payment.provider]().refund(
                    provider_ref=payment.provider_ref,
                    data=payment.provider_data,
                    amount=share,
                    currency=payment.currency,
                )
            )
            remaining -= share
            if remaining == 0:
                break
    return refs
