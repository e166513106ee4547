"""Unpaid orders expire: stock and voucher uses return, once, whatever races."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from pantry.catalog.models import Variant
from pantry.orders.expiry import Swept, expire_orders
from pantry.orders.models import Order, OrderEvent
from pantry.orders.services import place_order, transition_order
from pantry.payments.services import ingest_webhook, start_payment
from pantry.vouchers.models import Voucher
from pantry.vouchers.services import create_voucher, redeem_voucher
from tests.factories import VariantFactory
from tests.orders.conftest import race
from tests.payments.conftest import fake_webhook


def placed(quantity: int = 2, *, due: bool = True) -> str:
    number = place_order(
        name="Ada", email="ada@example.com", lines=[("MUG-1", quantity)]
    ).number
    moment = timezone.now() + (timedelta(minutes=-1) if due else timedelta(hours=1))
    Order.objects.filter(number=number).update(expires_at=moment)
    return number


@pytest.mark.django_db
def test_an_expired_order_returns_its_stock_and_voucher_use():
    VariantFactory(sku="MUG-1", stock=10)
    create_voucher(code="ONE", percent_off="10", usage_limit=1)
    number = placed(2)
    redeem_voucher(
        code="ONE",
        order_ref=number,
        email="ada@example.com",
        subtotal=Decimal("20.00"),
        currency="EUR",
    )

    swept = expire_orders()

    assert swept == Swept(orders=1, batches=1)
    order = Order.objects.get(number=number)
    assert order.status == "expired"
    assert Variant.objects.get(sku="MUG-1").stock == 10
    assert Voucher.objects.get(code="ONE").used == 0
    event = OrderEvent.objects.filter(order=order).order_by("id").last()
    assert (event.from_status, event.to_status, event.actor) == (
        "placed",
        "expired",
        "system",
    )


@pytest.mark.django_db
def test_orders_not_yet_due_or_without_a_window_or_paid_stay():
    VariantFactory(sku="MUG-1", stock=10)
    later = placed(1, due=False)
    manual = place_order(name="Ada", email="a@example.com", lines=[("MUG-1", 1)])
    paid = placed(1)
    Order.objects.filter(number=paid).update(status="paid")

    assert expire_orders() == Swept(orders=0, batches=0)

    statuses = dict(Order.objects.values_list("number", "status"))
    assert statuses == {later: "placed", manual.number: "placed", paid: "paid"}


@pytest.mark.django_db
def test_the_sweeper_works_in_bounded_batches_and_reports_its_rate():
    VariantFactory(sku="MUG-1", stock=10)
    for _ in range(5):
        placed(1)

    swept = expire_orders(batch=2)

    assert swept == Swept(orders=5, batches=3)
    assert Variant.objects.get(sku="MUG-1").stock == 10


@pytest.mark.django_db
def test_the_command_prints_what_it_expired(capsys):
    VariantFactory(sku="MUG-1", stock=10)
    placed(1)

    call_command("expire_orders", "--batch", "10")

    assert capsys.readouterr().out.startswith("expired 1 order(s) in 1 batch(es), ")


def test_four_sweepers_at_once_expire_each_order_exactly_once(wide_pool):
    VariantFactory(sku="MUG-1", stock=100)
    for _ in range(40):
        placed(1)

    outcomes = race(lambda i: expire_orders(batch=3), 4)

    assert [o for o in outcomes if isinstance(o, Exception)] == []
    assert sum(o.orders for o in outcomes) == 40
    assert OrderEvent.objects.filter(to_status="expired").count() == 40
    assert Variant.objects.get(sku="MUG-1").stock == 100


def test_a_captured_payment_makes_a_placed_order_paid(transactional_db):
    VariantFactory(sku="MUG-1", stock=10)
    number = placed(2, due=False)
    payment, _ = start_payment(
        order_ref=number,
        amount=Decimal("20.00"),
        currency="EUR",
        email="ada@example.com",
        return_url="/",
        provider="fake",
    )
    body, headers = fake_webhook(payment.provider_ref, amount="20.00")

    ingest_webhook(provider="fake", body=body, headers=headers)

    order = Order.objects.get(number=number)
    assert order.status == "paid"
    assert OrderEvent.objects.filter(order=order, to_status="paid").get().actor == (
        "payment:fake"
    )


def test_expiry_racing_late_payments_leaves_each_order_paid_or_expired(wide_pool):
    VariantFactory(sku="MUG-1", stock=100)
    create_voucher(code="RACE", percent_off="10", usage_limit=20)
    webhooks = []
    for i in range(20):
        number = placed(1)
        redeem_voucher(
            code="RACE",
            order_ref=number,
            email=f"b{i}@example.com",
            subtotal=Decimal("10.00"),
            currency="EUR",
        )
        payment, _ = start_payment(
            order_ref=number,
            amount=Decimal("10.00"),
            currency="EUR",
            email="ada@example.com",
            return_url="/",
            provider="fake",
        )
        webhooks.append(
            fake_webhook(payment.provider_ref, amount="10.00", event_id=f"evt_{i}")
        )

    def act(i: int):
        if i == 0:
            return expire_orders(batch=4)
        body, headers = webhooks[i - 1]
        return ingest_webhook(provider="fake", body=body, headers=headers)

    outcomes = race(act, 21)

    assert [o for o in outcomes if isinstance(o, Exception)] == []
    statuses = list(Order.objects.values_list("status", flat=True))
    paid, expired = statuses.count("paid"), statuses.count("expired")
    assert paid + expired == 20
    assert expired == outcomes[0].orders
    assert Variant.objects.get(sku="MUG-1").stock == 100 - 20 + expired
    assert Voucher.objects.get(code="RACE").used == paid


@pytest.mark.django_db
def test_cancelling_gives_the_voucher_use_back_with_the_stock():
    VariantFactory(sku="MUG-1", stock=10)
    create_voucher(code="ONE", percent_off="10", usage_limit=1)
    number = placed(2, due=False)
    redeem_voucher(
        code="ONE",
        order_ref=number,
        email="ada@example.com",
        subtotal=Decimal("20.00"),
        currency="EUR",
    )

    transition_order(number=number, to="cancelled", actor="staff")

    assert Variant.objects.get(sku="MUG-1").stock == 10
    assert Voucher.objects.get(code="ONE").used == 0


@pytest.mark.django_db
def test_a_payment_after_expiry_leaves_the_order_expired_and_on_record():
    VariantFactory(sku="MUG-1", stock=10)
    number = placed(2)
    payment, _ = start_payment(
        order_ref=number,
        amount=Decimal("20.00"),
        currency="EUR",
        email="ada@example.com",
        return_url="/",
        provider="fake",
    )
    expire_orders()
    body, headers = fake_webhook(payment.provider_ref, amount="20.00")

    ingest_webhook(provider="fake", body=body, headers=headers)

    assert Order.objects.get(number=number).status == "expired"
    payment.refresh_from_db()
    assert (payment.status, payment.captured) == ("captured", Decimal("20.00"))
    assert Variant.objects.get(sku="MUG-1").stock == 10
