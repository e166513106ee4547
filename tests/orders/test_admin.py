"""The orders admin: lists, read-only details, transitions via the service."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from pantry.catalog.models import Variant
from pantry.orders.models import Order, OrderEvent
from pantry.orders.services import place_order
from tests.factories import VariantFactory
from tests.helpers import assert_constant_queries

CHANGELIST = "/admin/orders/order/"


def bulk_orders(count: int, *, prefix: str = "PA-A") -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    Order.objects.bulk_create(
        Order(
            number=f"{prefix}{i:07d}",
            customer_name="C",
            email=f"c{i}@example.com",
            status="placed",
            currency="EUR",
            total=Decimal(1),
            subtotal=Decimal(1),
            placed_at=start + timedelta(minutes=i),
        )
        for i in range(count)
    )


def test_the_changelist_costs_the_same_queries_for_1_and_50_rows(admin_client, db):
    bulk_orders(50)
    kept = {
        1: Order.objects.order_by("-placed_at").values_list("number", flat=True)[0],
    }

    def fetch(size):
        params = {"q": kept[1]} if size == 1 else {}
        response = admin_client.get(CHANGELIST, params)
        assert response.status_code == 200
        assert len(response.context["cl"].result_list) == size

    assert_constant_queries(fetch, sizes=(1, 50))


def test_the_changelist_filters_by_status_and_searches_email(admin_client, db):
    bulk_orders(3)
    Order.objects.filter(number="PA-A0000001").update(status="paid")

    by_status = admin_client.get(CHANGELIST, {"status__exact": "paid"})
    by_email = admin_client.get(CHANGELIST, {"q": "C2@EXAMPLE.com"})

    assert [o.number for o in by_status.context["cl"].result_list] == ["PA-A0000001"]
    assert [o.number for o in by_email.context["cl"].result_list] == ["PA-A0000002"]


def test_an_order_page_costs_the_same_queries_for_1_and_100_lines(admin_client, db):
    for i in range(100):
        VariantFactory(sku=f"S-{i:03d}")
    orders = {
        size: Order.objects.get(
            number=place_order(
                name="A", email="a@b.co", lines=[(f"S-{i:03d}", 1) for i in range(size)]
            ).number
        )
        for size in (1, 100)
    }

    # The content types are cached by the first page that needs them.
    admin_client.get(f"{CHANGELIST}{orders[1].pk}/change/")

    assert_constant_queries(
        lambda size: admin_client.get(f"{CHANGELIST}{orders[size].pk}/change/")
    )


def test_the_order_page_shows_lines_and_history(admin_client, db):
    VariantFactory(sku="MUG-1", stock=3, product__name="Blue Mug")
    order = Order.objects.get(
        number=place_order(name="A", email="a@b.co", lines=[("MUG-1", 2)]).number
    )

    page = admin_client.get(f"{CHANGELIST}{order.pk}/change/")

    assert page.status_code == 200
    assert "Blue Mug" in page.text
    assert "customer" in page.text


@pytest.mark.parametrize(
    ("action", "status", "stock"),
    [("mark_paid", "paid", 3), ("mark_cancelled", "cancelled", 5)],
)
def test_admin_actions_move_orders_through_the_service(
    admin_client, db, action, status, stock
):
    VariantFactory(sku="MUG-1", stock=5)
    number = place_order(name="A", email="a@b.co", lines=[("MUG-1", 2)]).number
    order = Order.objects.get(number=number)

    admin_client.post(CHANGELIST, {"action": action, "_selected_action": [order.pk]})

    assert Order.objects.get(pk=order.pk).status == status
    assert OrderEvent.objects.filter(order=order).latest("id").actor == "admin"
    assert Variant.objects.get(sku="MUG-1").stock == stock


def test_an_invalid_admin_action_is_reported_and_changes_nothing(admin_client, db):
    VariantFactory(sku="MUG-1", stock=5)
    number = place_order(name="A", email="a@b.co", lines=[("MUG-1", 2)]).number
    order = Order.objects.get(number=number)

    response = admin_client.post(
        CHANGELIST,
        {"action": "mark_delivered", "_selected_action": [order.pk]},
        follow=True,
    )

    assert (
        f"{number}: An order that is placed cannot become delivered." in response.text
    )
    assert Order.objects.get(pk=order.pk).status == "placed"


def test_orders_cannot_be_added_or_deleted_in_the_admin(admin_client, db):
    bulk_orders(1)
    order = Order.objects.get()

    assert admin_client.get(f"{CHANGELIST}add/").status_code == 403
    assert admin_client.get(f"{CHANGELIST}{order.pk}/delete/").status_code == 403
    assert Order.objects.exists()


def test_an_order_page_shows_its_figures_payments_and_refunds(admin_client, db):
    from pantry.payments.models import Payment

    VariantFactory(sku="MUG-1", price=Decimal("12.50"))
    placed = place_order(
        name="A", email="a@b.co", lines=[("MUG-1", 2)], payment_provider="fake"
    )
    order = Order.objects.get(number=placed.number)
    payment = Payment.objects.get(order_ref=order.number)

    page = admin_client.get(f"{CHANGELIST}{order.pk}/change/")

    assert page.status_code == 200
    assert f"fake {payment.provider_ref}: pending 25.00" in page.text
    assert "Refunds" in page.text
    assert "Subtotal" in page.text
