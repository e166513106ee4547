"""Storefront pages: cart, checkout and the order confirmation."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from pantry.catalog.models import Variant
from pantry.orders.models import Order
from pantry.orders.services import place_order
from pantry.orders.tokens import token_for
from tests.factories import VariantFactory
from tests.helpers import assert_constant_queries, assert_in_html
from tests.orders.checkout_steps import walk_checkout


@pytest.fixture
def mug(db):
    return VariantFactory(
        sku="MUG-1", price=Decimal("12.50"), stock=5, product__name="Blue Mug"
    )


def add(client, sku="MUG-1", quantity=2):
    return client.post("/cart/", {"action": "add", "sku": sku, "quantity": quantity})


def test_an_empty_cart_says_so(client, db):
    response = client.get("/cart/")

    assert response.status_code == 200
    assert "Your cart is empty." in response.text
    assert 'name="csrfmiddlewaretoken"' in response.text


def test_adding_to_the_cart_shows_the_line_with_its_price(client, mug):
    response = add(client)
    page = client.get("/cart/")

    assert response.status_code == 302
    assert "Blue Mug" in page.text
    assert "25.00 EUR" in page.text
    assert_in_html('<label for="quantity-1">Quantity of Blue Mug</label>', page.text)


def test_adding_twice_adds_up_and_update_sets_the_quantity(client, mug):
    add(client, quantity=2)
    add(client, quantity=3)
    assert client.session["cart"] == {"MUG-1": 5}

    client.post("/cart/", {"action": "update", "sku": "MUG-1", "quantity": 1})

    assert client.session["cart"] == {"MUG-1": 1}


def test_removing_empties_the_cart(client, mug):
    add(client)

    client.post("/cart/", {"action": "remove", "sku": "MUG-1"})

    assert "cart" not in client.session


@pytest.mark.parametrize(
    "data",
    [
        {"action": "add", "sku": "MUG-1", "quantity": 0},
        {"action": "add", "sku": "MUG-1", "quantity": -2},
        {"action": "add", "sku": "MUG-1", "quantity": 10**9},
        {"action": "add", "sku": "MUG-1", "quantity": "two"},
        {"action": "add", "sku": "MUG-1"},
        {"action": "add", "sku": "", "quantity": 1},
        {"action": "steal", "sku": "MUG-1", "quantity": 1},
    ],
)
def test_bad_cart_changes_are_refused(client, mug, data):
    response = client.post("/cart/", data)

    assert response.status_code == 400
    assert 'role="alert"' in response.text
    assert "cart" not in client.session


def test_the_cart_page_costs_the_same_queries_for_1_and_100_lines(client, db):
    for i in range(100):
        VariantFactory(sku=f"S-{i:03d}")

    clients = {}
    for size in (1, 100):
        clients[size] = Client()
        session = clients[size].session
        session["cart"] = {f"S-{i:03d}": 1 for i in range(size)}
        session.save()
        clients[size].cookies["sessionid"] = session.session_key

    assert_constant_queries(lambda size: clients[size].get("/cart/"))


def test_checkout_with_an_empty_cart_goes_back_to_the_cart(client, db):
    response = client.get("/checkout/")

    assert response.status_code == 302
    assert response.url == "/cart/"


def test_checkout_form_has_labelled_fields(client, mug):
    add(client)

    page = client.get("/checkout/")

    assert page.status_code == 200
    assert_in_html('<label for="id_name">Full name</label>', page.text)
    assert_in_html('<label for="id_email">Email</label>', page.text)
    assert_in_html('<span aria-current="step">Address</span>', page.text)


@pytest.fixture(autouse=True)
def _manual_payments(settings):
    # The manual provider has no page of its own: placing ends on the order.
    settings.PANTRY_PAYMENT_DEFAULT = "manual"


def checkout(client, **data):
    return walk_checkout(client, **data)


def test_checkout_places_the_order_and_shows_the_confirmation(
    client, mug, mailoutbox, django_capture_on_commit_callbacks
):
    add(client, quantity=2)

    with django_capture_on_commit_callbacks(execute=True):
        response = checkout(client)

    order = Order.objects.get()
    assert response.status_code == 302
    assert response.url == f"/orders/{order.number}/?token={token_for(order.number)}"
    assert Variant.objects.get(sku="MUG-1").stock == 3
    assert "cart" not in client.session
    page = client.get(response.url)
    assert page.status_code == 200
    assert f"Order {order.number}" in page.text
    assert "Blue Mug" in page.text
    assert "25.00 EUR" in page.text
    assert len(mailoutbox) == 1


def test_a_double_submitted_checkout_places_one_order(client, mug):
    add(client, quantity=1)
    walk_checkout(client, place=False)
    before = dict(client.session.items())
    first = client.post("/checkout/place/")
    # The second submit of the same page still holds the session as it was.
    session = client.session
    session.update(before)
    session.save()

    second = client.post("/checkout/place/")

    assert Order.objects.count() == 1
    assert Variant.objects.get(sku="MUG-1").stock == 4
    assert second.status_code == 302
    assert second.url == first.url


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "not-an-email"}, "Enter a valid email address."),
        ({"name": ""}, "This field is required."),
        ({"name": "x" * 10_000}, "Ensure this value has at most 200 characters"),
    ],
)
def test_checkout_refuses_bad_details(client, mug, data, message):
    add(client)

    response = checkout(client, **data)

    assert response.status_code == 400
    assert message in response.text
    assert not Order.objects.exists()
    assert Variant.objects.get(sku="MUG-1").stock == 5


def test_checkout_beyond_stock_says_what_is_left(client, mug):
    add(client, quantity=6)

    response = checkout(client)

    assert response.status_code == 400
    assert "Only 5 of MUG-1 left" in response.text
    assert not Order.objects.exists()


def test_the_order_page_needs_the_token(client, mug):
    number = place_order(name="Ada", email="a@b.co", lines=[("MUG-1", 1)]).number

    assert client.get(f"/orders/{number}/").status_code == 404
    assert client.get(f"/orders/{number}/?token=wrong").status_code == 404
    assert (
        client.get(f"/orders/PA-NOPE/?token={token_for('PA-NOPE')}").status_code == 404
    )


def test_the_order_page_costs_the_same_queries_for_1_and_100_lines(client, db):
    for i in range(100):
        VariantFactory(sku=f"S-{i:03d}")
    numbers = {
        size: place_order(
            name="A", email="a@b.co", lines=[(f"S-{i:03d}", 1) for i in range(size)]
        ).number
        for size in (1, 100)
    }

    assert_constant_queries(
        lambda size: Client().get(
            f"/orders/{numbers[size]}/?token={token_for(numbers[size])}"
        )
    )
