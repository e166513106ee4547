"""Refunds never exceed what was captured; concurrent deliveries apply once."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from pantry.payments.errors import RefundExceedsOrder
from pantry.payments.models import Payment, ProviderEvent
from pantry.payments.services import (
    PaymentChange,
    ingest_webhook,
    off_payment,
    on_payment,
    refund_payment,
    start_payment,
)
from tests.orders.conftest import race, wide_pool  # noqa: F401
from tests.payments.conftest import fake_webhook


def paid(order_ref: str = "PA-REFUND0001", amount: str = "30.00") -> Payment:
    payment, _ = start_payment(
        order_ref=order_ref,
        amount=Decimal(amount),
        currency="EUR",
        email="ada@example.com",
        return_url="/",
        provider="fake",
    )
    body, headers = fake_webhook(payment.provider_ref, amount=amount)
    ingest_webhook(provider="fake", body=body, headers=headers)
    payment.refresh_from_db()
    return payment


@pytest.mark.django_db
def test_partial_refunds_add_up_to_the_captured_amount_and_no_further():
    payment = paid()

    refund_payment(order_ref="PA-REFUND0001", amount=Decimal("20.00"))
    refund_payment(order_ref="PA-REFUND0001", amount=Decimal("10.00"))
    with pytest.raises(
        RefundExceedsOrder,
        match=re.escape("Only 0.00 of order PA-REFUND0001 can still be refunded."),
    ):
        refund_payment(order_ref="PA-REFUND0001", amount=Decimal("0.01"))

    payment.refresh_from_db()
    assert payment.refunded == Decimal("30.00")


@pytest.mark.django_db
def test_a_refund_of_an_unpaid_order_is_refused():
    start_payment(
        order_ref="PA-UNPAID0001",
        amount=Decimal("5.00"),
        currency="EUR",
        email="a@example.com",
        return_url="/",
        provider="fake",
    )

    with pytest.raises(RefundExceedsOrder) as exc:
        refund_payment(order_ref="PA-UNPAID0001", amount=Decimal("1.00"))

    assert exc.value.extra == {"refundable": "0.00"}


@pytest.mark.django_db
def test_the_database_refuses_refunding_more_than_was_captured():
    payment = paid()

    with (
        pytest.raises(IntegrityError, match="payments_payment_amounts_ordered"),
        transaction.atomic(),
    ):
        Payment.objects.filter(pk=payment.pk).update(refunded=Decimal("30.01"))


def test_twenty_concurrent_deliveries_of_one_event_apply_it_once(
    wide_pool,  # noqa: F811
):
    heard: list[PaymentChange] = []
    on_payment(heard.append)
    try:
        payment, _ = start_payment(
            order_ref="PA-RACE000001",
            amount=Decimal("12.00"),
            currency="EUR",
            email="a@example.com",
            return_url="/",
            provider="fake",
        )
        body, headers = fake_webhook(payment.provider_ref, amount="12.00")

        outcomes = race(
            lambda i: ingest_webhook(provider="fake", body=body, headers=headers), 20
        )
    finally:
        off_payment(heard.append)

    assert [o for o in outcomes if isinstance(o, Exception)] == []
    assert sum(1 for o in outcomes if o.applied) == 1
    assert ProviderEvent.objects.count() == 1
    assert len(heard) == 1
    assert Payment.objects.get(pk=payment.pk).captured == Decimal("12.00")
