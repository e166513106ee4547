"""Placement with addresses, shipping and tax: the figures of the quote, kept."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from pantry.catalog.models import Variant
from pantry.events.models import Event
from pantry.orders.models import Order, OrderLine
from pantry.orders.services import place_order
from pantry.vouchers.errors import VoucherInvalid
from pantry.vouchers.models import Voucher
from pantry.vouchers.services import create_voucher
from tests.factories import VariantFactory, eu_shipping, german_tax, make_customer
from tests.helpers import assert_error
from tests.orders.checkout_steps import walk_checkout

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("standard_tax_class")]

ADDRESS = {
    "name": "Ada Lovelace",
    "line1": "Unter den Linden 1",
    "city": "Berlin",
    "postal_code": "10117",
    "country": "DE",
}
SNAPSHOT = {**ADDRESS, "line2": "", "region": "", "phone": ""}
CUSTOMER = {"name": "Ada Lovelace", "email": "ada@example.com"}
BODY = {
    "customer": CUSTOMER,
    "lines": [{"sku": "MUG-1", "quantity": 2}, {"sku": "TEA-1", "quantity": 2}],
    "shipping_address": ADDRESS,
    "voucher": "ten",
}


@pytest.fixture
def shop(db):
    VariantFactory(
        sku="MUG-1",
        price=Decimal("12.00"),
        weight_g=400,
        requires_shipping=True,
        product__name="Mug",
    )
    VariantFactory(
        sku="TEA-1",
        price=Decimal("5.35"),
        weight_g=100,
        requires_shipping=True,
        product__name="Tea",
        product__tax_class="reduced",
    )
    eu_shipping(express_max_weight_g=2000)
    german_tax()
    create_voucher(code="TEN", percent_off="10")


def nothing_placed() -> bool:
    return (
        not Order.objects.exists()
        and Variant.objects.get(sku="MUG-1").stock == 10
        and Voucher.objects.get(code="TEN").used == 0
    )


def test_placement_stores_the_quote_with_prices_including_tax(api, shop):
    quote = api.post("checkout/quote", BODY)

    response = api.post("orders", BODY)

    # Subtotal 24.00 + 10.70 = 34.70; 10% off = 3.47, spread 2.40 / 1.07.
    # Tax out of 21.60 at 19% = 3.45 (net 18.15), out of 9.63 at 7% = 0.63
    # (net 9.00), out of shipping 4.90 at 19% = 0.78. Total 34.70 - 3.47 +
    # 4.90 = 36.13, tax 4.86 within it.
    assert response.status == 201, response.body
    body = response.body
    assert {k: body[k] for k in ("subtotal", "discount", "shipping", "tax")} == {
        "subtotal": "34.70",
        "discount": "3.47",
        "shipping": "4.90",
        "tax": "4.86",
    }
    assert (body["total"], body["shipping_tax"], body["prices_include_tax"]) == (
        "36.13",
        "0.78",
        True,
    )
    assert [
        (line["sku"], line["discount"], line["net"], line["tax_rate"], line["tax"])
        for line in body["lines"]
    ] == [
        ("MUG-1", "2.40", "18.15", "19", "3.45"),
        ("TEA-1", "1.07", "9.00", "7", "0.63"),
    ]
    assert [line["gross"] for line in body["lines"]] == ["21.60", "9.63"]
    for key in ("subtotal", "discount", "shipping", "tax", "total"):
        assert body[key] == quote.body[key]
    assert (body["shipping_method"], body["shipping_method_name"]) == (
        "eu-standard",
        "Standard",
    )
    assert body["shipping_address"] == SNAPSHOT
    assert body["billing_address"] == SNAPSHOT
    order = Order.objects.get()
    assert (order.subtotal, order.tax, order.shipping, order.total) == (
        Decimal("34.70"),
        Decimal("4.86"),
        Decimal("4.90"),
        Decimal("36.13"),
    )
    assert list(
        OrderLine.objects.order_by("sku").values_list("net", "tax", "gross")
    ) == [
        (Decimal("18.15"), Decimal("3.45"), Decimal("21.60")),
        (Decimal("9.00"), Decimal("0.63"), Decimal("9.63")),
    ]


def test_placement_with_prices_excluding_tax_adds_it_to_the_total(api, shop, settings):
    settings.PANTRY_PRICES_INCLUDE_TAX = False
    body = {
        "customer": CUSTOMER,
        "lines": [{"sku": "MUG-1", "quantity": 3}, {"sku": "TEA-1", "quantity": 1}],
        "shipping_address": ADDRESS,
        "shipping_method": "eu-express",
    }

    response = api.post("orders", body)

    # 36.00 at 19% = 6.84, 5.35 at 7% = 0.3745 -> 0.37, express (1300 g)
    # 9.90 at 19% = 1.881 -> 1.88. Tax 9.09; total 41.35 + 9.90 + 9.09.
    assert response.status == 201, response.body
    got = response.body
    assert (got["subtotal"], got["shipping"], got["tax"], got["total"]) == (
        "41.35",
        "9.90",
        "9.09",
        "60.34",
    )
    assert [(line["net"], line["tax"], line["gross"]) for line in got["lines"]] == [
        ("36.00", "6.84", "42.84"),
        ("5.35", "0.37", "5.72"),
    ]
    assert got["prices_include_tax"] is False
    assert Order.objects.get().prices_include_tax is False


def test_a_shipping_method_without_an_address_is_422_and_nothing_is_placed(api, shop):
    body = {k: v for k, v in BODY.items() if k != "shipping_address"}
    body["shipping_method"] = "eu-standard"

    error = assert_error(api.post("orders", body), 422, "shipping_required")

    assert error["fields"] == {"shipping_address": "Required: a line needs shipping."}
    assert nothing_placed()


def test_a_billing_address_alone_does_not_say_where_to_ship(api, shop):
    body = {k: v for k, v in BODY.items() if k != "shipping_address"}
    body["billing_address"] = ADDRESS

    assert_error(api.post("orders", body), 422, "shipping_required")
    assert nothing_placed()


def test_the_original_body_places_without_shipping_as_it_always_did(api, shop):
    body = {"customer": CUSTOMER, "lines": BODY["lines"]}

    response = api.post("orders", body)

    assert response.status == 201
    assert response.body["shipping"] == "0.00"
    assert response.body["shipping_method"] is None
    assert response.body["shipping_address"] is None


def test_an_address_no_method_serves_is_422_shipping_unavailable(api, shop):
    body = {**BODY, "shipping_address": {**ADDRESS, "country": "US"}}

    assert_error(api.post("orders", body), 422, "shipping_unavailable")

    assert nothing_placed()


def test_a_method_that_does_not_serve_the_order_is_422_shipping_unavailable(api, shop):
    # 6 mugs weigh 2400 g: express stops at 2000 g.
    body = {
        "customer": CUSTOMER,
        "lines": [{"sku": "MUG-1", "quantity": 6}],
        "shipping_address": ADDRESS,
        "shipping_method": "eu-express",
    }

    error = assert_error(api.post("orders", body), 422, "shipping_unavailable")

    assert error["fields"] == {"shipping_method": "one of eu-standard"}
    assert nothing_placed()


@pytest.mark.parametrize("country", ["XX", "AA"])
def test_an_unknown_country_is_422_and_nothing_is_placed(api, shop, country):
    body = {**BODY, "shipping_address": {**ADDRESS, "country": country}}

    error = assert_error(api.post("orders", body), 422, "unknown_country")

    assert "shipping_address.country" in error["fields"]
    assert nothing_placed()


def test_a_billing_address_is_kept_apart_from_the_shipping_one(api, shop):
    billing = {**ADDRESS, "name": "Ada's Firm", "country": "fr"}

    response = api.post("orders", {**BODY, "billing_address": billing})

    assert response.status == 201, response.body
    assert response.body["billing_address"] == {**SNAPSHOT, **billing, "country": "FR"}
    assert response.body["shipping_address"] == SNAPSHOT


def test_a_retry_with_the_same_addresses_replays_and_another_address_is_409(api, shop):
    headers = {"Idempotency-Key": "addr-1"}
    first = api.post("orders", BODY, headers=headers)
    # Surrounding spaces and a lower-case country clean to the same order.
    spaced = {**ADDRESS, "city": " Berlin ", "country": "de"}

    again = api.post("orders", {**BODY, "shipping_address": spaced}, headers=headers)
    moved = api.post(
        "orders",
        {**BODY, "shipping_address": {**ADDRESS, "city": "Potsdam"}},
        headers=headers,
    )
    other_method = api.post(
        "orders", {**BODY, "shipping_method": "eu-express"}, headers=headers
    )

    assert (first.status, again.status) == (201, 200)
    assert again.body == first.body
    assert_error(moved, 409, "idempotency_key_reused")
    assert_error(other_method, 409, "idempotency_key_reused")
    assert Order.objects.count() == 1
    assert Voucher.objects.get(code="TEN").used == 1


def test_the_order_detail_and_the_event_show_the_same_receipt(api, shop, staff_token):
    placed = api.post("orders", BODY).body

    detail = api.get(f"orders/{placed['number']}", token=staff_token).body
    [event] = Event.objects.filter(type="order.placed")

    for key in ("subtotal", "discount", "shipping", "tax", "total", "lines"):
        assert detail[key] == placed[key]
    assert detail["shipping_address"] == SNAPSHOT
    assert detail["payment"] is None
    for key in ("subtotal", "tax", "total", "lines", "shipping_address"):
        assert event.payload[key] == placed[key]


def test_the_placed_event_carries_the_opened_payment(api, shop):
    placed = api.post("orders", {**BODY, "payment_provider": "fake"}).body

    [event] = Event.objects.filter(type="order.placed")

    assert placed["payment"]["status"] == "pending"
    assert event.payload["payment"] == placed["payment"]


def test_once_per_customer_holds_by_account_whatever_the_email(shop):
    create_voucher(code="ONCE", percent_off="5", once_per_customer=True)
    ada = make_customer()
    lines = [("MUG-1", 1)]
    place_order(
        name="Ada",
        email="ada@example.com",
        lines=lines,
        voucher="ONCE",
        customer_id=ada.pk,
        shipping_address=ADDRESS,
    )

    with pytest.raises(VoucherInvalid, match="already used by this customer"):
        place_order(
            name="Ada",
            email="ada+other@example.com",
            lines=lines,
            voucher="ONCE",
            customer_id=ada.pk,
            shipping_address=ADDRESS,
        )

    assert Voucher.objects.get(code="ONCE").used == 1
    assert Order.objects.count() == 1


def _insert_order(**overrides: object) -> None:
    values = {
        "number": "PA-RAW0000001",
        "total": "10.00",
        "subtotal": "10.00",
        "discount": "0.00",
        "shipping": "0.00",
        "tax": "0.00",
        "prices_include_tax": True,
        "shipping_address": None,
        **overrides,
    }
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO orders_order (number, customer_name, email, status, "
            "currency, placed_at, total, subtotal, discount, shipping, tax, "
            "prices_include_tax, shipping_address) VALUES (%(number)s, 'C', "
            "'c@example.com', 'placed', 'EUR', now(), %(total)s, %(subtotal)s, "
            "%(discount)s, %(shipping)s, %(tax)s, %(prices_include_tax)s, "
            "%(shipping_address)s::jsonb)",
            values,
        )


@pytest.mark.parametrize(
    ("overrides", "constraint"),
    [
        ({"total": "11.00"}, "orders_order_total_adds_up"),
        # Excluding tax, the tax must be in the total.
        ({"tax": "1.90", "prices_include_tax": False}, "orders_order_total_adds_up"),
        ({"subtotal": "5.00", "discount": "6.00", "total": "-1.00"}, "orders_order"),
        ({"shipping_address": '{"country": "de"}'}, "shipping_country_iso"),
        ({"shipping_address": '{"city": "Berlin"}'}, "shipping_country_iso"),
    ],
)
def test_the_database_refuses_orders_whose_amounts_do_not_add_up(
    db, overrides, constraint
):
    with pytest.raises(IntegrityError, match=constraint):
        _insert_order(**overrides)


def test_the_database_accepts_an_order_excluding_tax_that_adds_up(db):
    _insert_order(total="11.90", tax="1.90", prices_include_tax=False)

    assert Order.objects.get().total == Decimal("11.90")


@pytest.mark.parametrize(
    ("net", "tax", "gross", "discount", "constraint"),
    [
        ("8.40", "1.61", "10.00", "0", "orders_orderline_tax_adds_up"),
        ("8.40", "1.60", "10.00", "0.50", "orders_orderline_discount_fits"),
        ("8.40", "1.60", "10.00", "12.00", "orders_orderline_discount_fits"),
    ],
)
def test_the_database_refuses_lines_whose_tax_does_not_add_up(
    db, net, tax, gross, discount, constraint
):
    _insert_order()
    order = Order.objects.get()

    with (
        pytest.raises(IntegrityError, match=constraint),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "INSERT INTO orders_orderline (order_id, sku, product_name, "
            "unit_price, quantity, line_total, discount, tax_class, net, "
            "tax_rate, tax, gross) VALUES (%s, 'MUG-1', 'Mug', 10, 1, 10, %s, "
            "'standard', %s, 19, %s, %s)",
            [order.pk, discount, net, tax, gross],
        )


def test_the_confirmation_email_lists_the_figures_and_the_address(
    api, shop, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        api.post("orders", BODY)

    [mail] = mailoutbox
    assert "Subtotal: 34.70 EUR\nDiscount (TEN): -3.47 EUR\n" in mail.body
    assert "Shipping (Standard): 4.90 EUR\nTax included: 4.86 EUR\n" in mail.body
    assert "Total: 36.13 EUR\n" in mail.body
    assert "Shipping to:\nAda Lovelace\nUnter den Linden 1\n10117 Berlin\nDE\n" in (
        mail.body
    )


def _checkout_page(client, **data):
    client.post("/cart/", {"action": "add", "sku": "MUG-1", "quantity": 2})
    return walk_checkout(client, **data)


def test_the_checkout_page_ships_to_the_address_given(client, shop):
    response = _checkout_page(
        client,
        line1="Unter den Linden 1",
        postal_code="10117",
        city="Berlin",
        country="de",
        voucher="TEN",
    )

    assert response.status_code == 302, response.content
    order = Order.objects.get()
    assert order.shipping_address == {**SNAPSHOT, "postal_code": "10117"}
    # 24.00 - 2.40 + 4.90 (cheapest method).
    assert (order.shipping_method, order.total) == ("eu-standard", Decimal("26.50"))


def test_the_checkout_page_without_an_address_asks_for_one(client, shop):
    response = _checkout_page(client)

    assert response.status_code == 400
    assert "Required: a line needs shipping." in response.text
    assert not Order.objects.exists()


def test_refunding_every_line_and_the_shipping_refunds_the_order(shop, settings):
    from pantry.orders.refunds import refund_order
    from pantry.orders.services import transition_order
    from pantry.payments.errors import RefundExceedsOrder

    settings.PANTRY_PRICES_INCLUDE_TAX = False
    placed = place_order(
        name="Ada",
        email="ada@example.com",
        lines=[("MUG-1", 3)],
        shipping_address=ADDRESS,
        voucher="TEN",
    )
    transition_order(number=placed.number, to="paid", actor="staff")

    # 36.00 - 3.60 = 32.40 net, 6.16 tax: 38.56 paid for three mugs;
    # shipping 4.90 + 0.93 tax. Units refund as round(38.56 * k / 3).
    first = refund_order(number=placed.number, lines=[("MUG-1", 1)], actor="staff")
    with pytest.raises(RefundExceedsOrder, match=re.escape("Only 5.83 of shipping")):
        refund_order(
            number=placed.number, lines=[], shipping=Decimal("5.84"), actor="staff"
        )
    rest = refund_order(
        number=placed.number,
        lines=[("MUG-1", 2)],
        shipping=Decimal("5.83"),
        actor="staff",
    )

    order = Order.objects.get()
    assert order.total == Decimal("44.39")
    assert (first.refund.amount, rest.refund.amount) == (
        Decimal("12.85"),
        Decimal("31.54"),
    )
    assert (order.refunded_total, order.status) == (Decimal("44.39"), "refunded")


def test_placement_with_address_method_and_voucher_takes_a_fixed_number_of_queries(
    shop, django_assert_num_queries
):
    # The transaction's savepoint pair; the key; prices, shipping facts,
    # the voucher, shipping tiers, tax rates (price_checkout); the order
    # CTE; the voucher's use and its record (one statement); the stock.
    # Nothing reads the order or the voucher again.
    with django_assert_num_queries(11) as captured:
        place_order(
            name="Ada",
            email="ada@example.com",
            lines=[("MUG-1", 2), ("TEA-1", 1)],
            shipping_address=ADDRESS,
            shipping_method="eu-standard",
            voucher="TEN",
            idempotency_key="count-1",
        )

    assert not any(
        "orders_orderline" in q["sql"] and q["sql"].startswith("SELECT")
        for q in captured.captured_queries
    )
