"""The storefront checkout's steps: address, shipping, voucher and review, place."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from pantry.orders.checkout_pages import STATE
from pantry.orders.models import Order
from pantry.payments.models import Payment
from pantry.vouchers.models import Voucher
from pantry.vouchers.services import create_voucher
from tests.factories import VariantFactory, eu_shipping, german_tax
from tests.helpers import assert_in_html
from tests.orders.checkout_steps import DETAILS, walk_checkout

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("standard_tax_class")]

ADDRESS = {
    "line1": "Unter den Linden 1",
    "city": "Berlin",
    "postal_code": "10117",
    "country": "DE",
}


@pytest.fixture
def shop(db):
    VariantFactory(
        sku="MUG-1",
        price=Decimal("12.00"),
        weight_g=400,
        requires_shipping=True,
        product__name="Mug",
        stock=10,
    )
    VariantFactory(
        sku="EBOOK-1",
        price=Decimal("8.00"),
        requires_shipping=False,
        product__name="Recipes",
        stock=10,
    )
    eu_shipping()
    german_tax(reduced=False)
    create_voucher(code="TEN", percent_off="10")


def add(client, sku="MUG-1", quantity=2):
    client.post("/cart/", {"action": "add", "sku": sku, "quantity": quantity})


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/checkout/"),
        ("get", "/checkout/shipping/"),
        ("get", "/checkout/review/"),
        ("post", "/checkout/place/"),
    ],
)
def test_every_step_with_an_empty_cart_goes_back_to_the_cart(
    client, shop, method, path
):
    response = getattr(client, method)(path)

    assert (response.status_code, response.url) == (302, "/cart/")


@pytest.mark.parametrize(
    "path", ["/checkout/shipping/", "/checkout/review/", "/checkout/place/"]
)
def test_later_steps_before_the_address_go_to_the_address(client, shop, path):
    add(client)

    response = client.post(path) if path.endswith("place/") else client.get(path)

    assert (response.status_code, response.url) == (302, "/checkout/")
    assert not Order.objects.exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"email": "not-an-email"}, "email", "Enter a valid email address."),
        ({"name": ""}, "name", "This field is required."),
        ({"country": "XX"}, "country", ""),
        ({"line1": "", "city": "", "postal_code": "", "country": ""}, "line1", ""),
    ],
)
def test_the_address_step_shows_errors_beside_the_fields(
    client, shop, data, field, message
):
    add(client)

    response = client.post("/checkout/", DETAILS | ADDRESS | data)

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors
    assert message in " ".join(errors[field])
    assert f'id="{field}-error"' in response.text
    assert STATE not in client.session


def test_the_shipping_step_lists_the_methods_with_prices(client, shop):
    add(client)

    response = client.post("/checkout/", DETAILS | ADDRESS)
    page = client.get(response.url)

    assert response.url == "/checkout/shipping/"
    assert page.status_code == 200
    assert_in_html("<legend>Shipping method to DE</legend>", page.text)
    assert "Standard: 4.90 EUR" in page.text
    assert "Express: 9.90 EUR" in page.text
    # The cheapest is preselected; the indicator marks the step.
    assert re.search(r'value="eu-standard"[^>]*checked', page.text)
    assert_in_html('<span aria-current="step">Shipping</span>', page.text)
    assert 'href="/checkout/"' in page.text  # back to the address


def test_the_shipping_step_refuses_a_method_not_offered(client, shop):
    add(client)
    client.post("/checkout/", DETAILS | ADDRESS)

    response = client.post("/checkout/shipping/", {"shipping_method": "moon"})

    assert response.status_code == 400
    assert 'id="shipping_method-error"' in response.text
    assert client.session[STATE]["shipping_method"] is None


def test_going_back_shows_what_was_entered(client, shop):
    add(client)
    walk_checkout(client, shipping_method="eu-express", place=False, **ADDRESS)

    address = client.get("/checkout/").text
    shipping = client.get("/checkout/shipping/").text

    assert 'value="Unter den Linden 1"' in address
    assert 'value="ada@example.com"' in address
    assert re.search(r'value="eu-express"[^>]*checked', shipping)
    assert not re.search(r'value="eu-standard"[^>]*checked', shipping)


def test_nothing_to_ship_skips_the_shipping_step(client, shop):
    add(client, sku="EBOOK-1", quantity=1)

    response = client.post("/checkout/", DETAILS)
    skipped = client.get("/checkout/shipping/")
    review = client.get("/checkout/review/")

    assert response.url == "/checkout/review/"
    assert skipped.url == "/checkout/review/"
    assert "Shipping (" not in review.text
    assert 'class="review-total">8.00 EUR' in review.text


def test_an_unknown_voucher_is_shown_beside_the_field(client, shop):
    add(client)

    response = walk_checkout(client, voucher="NOPE", **ADDRESS)

    assert response.status_code == 400
    assert response.context["form"].errors["voucher"]
    assert 'id="voucher-error"' in response.text
    assert client.session[STATE]["voucher"] is None


def test_a_voucher_can_be_removed(client, shop):
    add(client)
    walk_checkout(client, voucher="TEN", place=False, **ADDRESS)

    client.post("/checkout/review/", {"voucher": "TEN", "action": "remove"})

    assert client.session[STATE]["voucher"] is None
    assert "review-discount" not in client.get("/checkout/review/").text


@pytest.mark.parametrize("include_tax", [True, False])
def test_the_review_shows_the_figures_the_order_stores(
    client, shop, settings, include_tax
):
    settings.PANTRY_PRICES_INCLUDE_TAX = include_tax
    add(client)

    review = walk_checkout(
        client, shipping_method="eu-express", voucher="TEN", place=False, **ADDRESS
    )
    placed = client.post("/checkout/place/")

    quote = review.context["quote"]
    order = Order.objects.get()
    shown = {
        "subtotal": order.subtotal,
        "discount": order.discount,
        "shipping": order.shipping,
        "tax": order.tax,
        "total": order.total,
    }
    assert {key: getattr(quote, key) for key in shown} == shown
    for key, value in shown.items():
        assert (
            f'class="review-{key}">{"\u2212" if key == "discount" else ""}{value} EUR'
            in (review.text)
        )
    assert ("Tax included" in review.text) is include_tax
    assert order.shipping_method == "eu-express"
    assert Voucher.objects.get(code="TEN").used == 1
    assert placed.status_code == 302


def test_placing_opens_a_payment_with_the_default_provider(client, shop, settings):
    settings.PANTRY_SITE_URL = "http://shop.test"
    add(client)

    response = walk_checkout(client, **ADDRESS)

    payment = Payment.objects.get()
    assert payment.provider == "fake"
    assert response.status_code == 302
    assert response.url == f"http://shop.test/payments/fake/{payment.provider_ref}/"
    assert STATE not in client.session
    assert "cart" not in client.session


def test_a_failed_placement_stays_on_the_review_and_places_nothing(client, shop):
    add(client, quantity=11)

    response = walk_checkout(client, **ADDRESS)

    assert response.status_code == 400
    assert "Only 10 of MUG-1 left" in response.text
    assert_in_html('<span aria-current="step">Review</span>', response.text)
    assert not Order.objects.exists()


def test_a_voucher_used_up_meanwhile_is_dropped_from_the_review(client, shop):
    from pantry.orders.services import place_order

    create_voucher(code="ONCE", percent_off="5", usage_limit=1)
    add(client)
    walk_checkout(client, voucher="ONCE", place=False, **ADDRESS)
    place_order(
        name="Bob", email="bob@example.com", lines=[("EBOOK-1", 1)], voucher="ONCE"
    )

    response = client.get("/checkout/review/", follow=True)

    assert response.redirect_chain == [("/checkout/review/", 302)]
    assert client.session[STATE]["voucher"] is None
    assert "review-discount" not in response.text
    assert "usage limit" in response.text


def test_a_method_no_longer_serving_the_cart_asks_for_another(client, shop):
    from pantry.shipping.models import Rate

    add(client)
    walk_checkout(client, shipping_method="eu-express", place=False, **ADDRESS)
    Rate.objects.filter(method__code="eu-express").delete()

    response = client.get("/checkout/review/", follow=True)

    assert response.redirect_chain == [("/checkout/shipping/", 302)]
    assert client.session[STATE]["shipping_method"] is None
    assert "Express" not in response.text.split("<legend>")[1]
