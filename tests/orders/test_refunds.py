"""Refunds by line: up to what was bought and paid, through the provider."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from pantry.catalog.models import Variant
from pantry.orders.models import Order, OrderLine, Refund
from pantry.orders.services import place_order, transition_order
from pantry.payments.models import Payment
from pantry.payments.services import ingest_webhook
from pantry.vouchers.services import create_voucher
from tests.factories import VariantFactory
from tests.helpers import assert_error
from tests.payments.conftest import fake_webhook

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid_order(db):
    VariantFactory(sku="MUG-1", price=Decimal("12.00"), stock=10)
    VariantFactory(sku="TEA-1", price=Decimal("4.00"), stock=10)
    number = place_order(
        name="Ada", email="ada@example.com", lines=[("MUG-1", 2), ("TEA-1", 3)]
    ).number
    transition_order(number=number, to="paid", actor="staff")
    return number


def refund(api, token, number, lines, **extra):
    return api.post(
        f"orders/{number}/refunds",
        {"lines": [{"sku": s, "quantity": q} for s, q in lines], **extra},
        token=token,
    )


def test_a_partial_refund_keeps_the_status_and_shows_the_refunded_total(
    api, staff_token, paid_order
):
    response = refund(api, staff_token, paid_order, [("MUG-1", 1)], reason="chipped")

    assert response.status == 201, response.body
    body = response.body
    assert body.pop("id") == Refund.objects.get().pk
    assert body == {
        "amount": "12.00",
        "lines": [{"sku": "MUG-1", "quantity": 1, "amount": "12.00"}],
        "restocked": False,
        "order_status": "paid",
    }
    detail = api.get(f"orders/{paid_order}", token=staff_token).body
    assert (detail["status"], detail["refunded_total"]) == ("paid", "12.00")
    assert Variant.objects.get(sku="MUG-1").stock == 8


def test_restock_returns_the_quantities_to_stock(api, staff_token, paid_order):
    refund(api, staff_token, paid_order, [("TEA-1", 2)], restock=True)

    assert Variant.objects.get(sku="TEA-1").stock == 9


def test_refunding_everything_makes_the_order_refunded(api, staff_token, paid_order):
    refund(api, staff_token, paid_order, [("MUG-1", 1)])

    last = refund(api, staff_token, paid_order, [("MUG-1", 1), ("TEA-1", 3)])

    assert last.body["order_status"] == "refunded"
    order = Order.objects.get(number=paid_order)
    assert (order.status, order.refunded_total) == ("refunded", Decimal("36.00"))


def test_more_than_was_bought_is_409_and_changes_nothing(api, staff_token, paid_order):
    refund(api, staff_token, paid_order, [("TEA-1", 2)])

    body = assert_error(
        refund(api, staff_token, paid_order, [("MUG-1", 1), ("TEA-1", 2)]),
        409,
        "refund_exceeds_order",
    )

    assert body["detail"] == "Only 1 of TEA-1 can still be refunded."
    assert dict(OrderLine.objects.values_list("sku", "refunded_quantity")) == {
        "MUG-1": 0,
        "TEA-1": 2,
    }
    assert Refund.objects.count() == 1
    assert Order.objects.get().refunded_total == Decimal("8.00")


def test_a_sku_not_on_the_order_is_409(api, staff_token, paid_order):
    body = assert_error(
        refund(api, staff_token, paid_order, [("NOPE-1", 1)]),
        409,
        "refund_exceeds_order",
    )

    assert body["skus"] == ["NOPE-1"]
    assert not Refund.objects.exists()


def test_an_unpaid_order_has_nothing_to_refund(api, staff_token, db):
    VariantFactory(sku="MUG-1", stock=10)
    number = place_order(name="Ada", email="a@example.com", lines=[("MUG-1", 1)]).number

    assert_error(
        refund(api, staff_token, number, [("MUG-1", 1)]), 409, "refund_exceeds_order"
    )


def test_refunds_need_a_staff_token(api, paid_order):
    assert_error(refund(api, None, paid_order, [("MUG-1", 1)]), 401, "unauthorized")


def test_the_database_refuses_returning_more_than_was_bought(paid_order):
    with (
        pytest.raises(IntegrityError, match="orders_orderline_refund_within_quantity"),
        transaction.atomic(),
    ):
        OrderLine.objects.filter(sku="MUG-1").update(refunded_quantity=3)


def test_a_refund_of_a_provider_paid_order_goes_through_its_payment(
    api, staff_token, db
):
    VariantFactory(sku="MUG-1", price=Decimal("10.00"), stock=10)
    create_voucher(code="TEN", percent_off="10")
    placed = place_order(
        name="Ada",
        email="ada@example.com",
        lines=[("MUG-1", 2)],
        voucher="TEN",
        payment_provider="fake",
    )
    payment = Payment.objects.get()
    body, headers = fake_webhook(payment.provider_ref, amount="18.00")
    ingest_webhook(provider="fake", body=body, headers=headers)

    response = refund(api, staff_token, placed.number, [("MUG-1", 1)])

    # 10.00 less its half of the 2.00 discount.
    assert response.body["amount"] == "9.00"
    payment.refresh_from_db()
    assert payment.refunded == Decimal("9.00")
    assert Order.objects.get().status == "paid"
