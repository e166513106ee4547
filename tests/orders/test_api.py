"""The Orders section of API.md over HTTP: shapes, access and refusals."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from pantry.catalog.models import Variant
from pantry.orders.models import Order
from pantry.orders.services import place_order
from pantry.orders.tokens import token_for
from tests.factories import VariantFactory
from tests.helpers import assert_constant_queries, assert_error

BODY = {
    "customer": {"name": "Ada Lovelace", "email": "ada@example.com"},
    "lines": [{"sku": "AUR15-8-256", "quantity": 2}],
}


@pytest.fixture
def laptop(db):
    return VariantFactory(
        sku="AUR15-8-256",
        price=Decimal("899.00"),
        stock=12,
        product__name="Aurora 15 Laptop",
    )


def nothing_changed(stock: int = 12) -> bool:
    return (
        not Order.objects.exists()
        and Variant.objects.get(sku="AUR15-8-256").stock == stock
    )


def test_placing_an_order_returns_the_receipt(api, laptop):
    response = api.post("orders", BODY)

    assert response.status == 201
    body = response.body
    assert re.fullmatch(r"PA-[0-9A-Z]{10}", body["number"])
    assert body["token"] == token_for(body["number"])
    assert body["status"] == "placed"
    assert body["currency"] == "EUR"
    assert body["total"] == "1798.00"
    assert body["customer"] == {"name": "Ada Lovelace", "email": "ada@example.com"}
    assert body["lines"] == [
        {
            "sku": "AUR15-8-256",
            "name": "Aurora 15 Laptop",
            "quantity": 2,
            "unit_price": "899.00",
            "line_total": "1798.00",
            "discount": "0.00",
            "net": "1798.00",
            "tax_rate": "0",
            "tax": "0.00",
            "gross": "1798.00",
        }
    ]
    assert (body["subtotal"], body["shipping"], body["tax"]) == (
        "1798.00",
        "0.00",
        "0.00",
    )
    assert (body["shipping_address"], body["shipping_method"], body["payment"]) == (
        None,
        None,
        None,
    )
    placed_at = datetime.fromisoformat(body["placed_at"])
    assert placed_at.utcoffset() == timedelta(0)
    assert Variant.objects.get(sku="AUR15-8-256").stock == 10


def test_a_retry_with_the_idempotency_key_returns_the_same_order_with_200(api, laptop):
    headers = {"Idempotency-Key": "3f1c9e"}
    first = api.post("orders", BODY, headers=headers)

    again = api.post("orders", BODY, headers=headers)

    assert (first.status, again.status) == (201, 200)
    assert again.body == first.body
    assert Order.objects.count() == 1
    assert Variant.objects.get(sku="AUR15-8-256").stock == 10


def test_the_idempotency_key_with_another_body_is_a_conflict(api, laptop):
    api.post("orders", BODY, headers={"Idempotency-Key": "k"})
    other = {**BODY, "lines": [{"sku": "AUR15-8-256", "quantity": 1}]}

    response = api.post("orders", other, headers={"Idempotency-Key": "k"})

    assert_error(response, 409, "idempotency_key_reused")
    assert Order.objects.count() == 1
    assert Variant.objects.get(sku="AUR15-8-256").stock == 10


def test_an_overlong_idempotency_key_is_refused(api, laptop):
    response = api.post("orders", BODY, headers={"Idempotency-Key": "k" * 256})

    assert_error(response, 422, "validation_error")
    assert nothing_changed()


def test_an_order_beyond_stock_is_a_conflict_naming_the_sku(api, laptop):
    body = {**BODY, "lines": [{"sku": "AUR15-8-256", "quantity": 13}]}

    response = api.post("orders", body)

    error = assert_error(response, 409, "insufficient_stock")
    assert (error["sku"], error["available"]) == ("AUR15-8-256", 12)
    assert nothing_changed()


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        (
            {**BODY, "lines": [{"sku": "AUR15-8-256", "quantity": 0}]},
            422,
            "validation_error",
            "lines.0.quantity",
        ),
        (
            {**BODY, "lines": [{"sku": "AUR15-8-256", "quantity": -1}]},
            422,
            "validation_error",
            "lines.0.quantity",
        ),
        (
            {**BODY, "lines": [{"sku": "AUR15-8-256", "quantity": 10**40}]},
            422,
            "validation_error",
            "lines.0.quantity",
        ),
        (
            {**BODY, "lines": [{"sku": "AUR15-8-256", "quantity": "2"}]},
            422,
            "validation_error",
            "lines.0.quantity",
        ),
        (
            {**BODY, "lines": [{"sku": "AUR15-8-256", "quantity": 1.5}]},
            422,
            "validation_error",
            "lines.0.quantity",
        ),
        (
            {**BODY, "lines": [{"sku": 42, "quantity": 1}]},
            422,
            "validation_error",
            "lines.0.sku",
        ),
        ({**BODY, "lines": []}, 422, "validation_error", "lines"),
        ({**BODY, "lines": "AUR15-8-256"}, 422, "validation_error", "lines"),
        ({"customer": BODY["customer"]}, 422, "validation_error", "lines"),
        ({"lines": BODY["lines"]}, 422, "validation_error", "customer"),
        (
            {**BODY, "customer": {"name": "Ada"}},
            422,
            "validation_error",
            "customer.email",
        ),
        (
            {**BODY, "customer": {"name": "Ada", "email": "nope"}},
            422,
            "validation_error",
            "customer.email",
        ),
        (
            {**BODY, "customer": {"name": "x" * 10_000, "email": "a@b.co"}},
            422,
            "validation_error",
            "customer.name",
        ),
        (
            {**BODY, "customer": {"name": ["Ada"], "email": "a@b.co"}},
            422,
            "validation_error",
            "customer.name",
        ),
        ([BODY], 422, "validation_error", None),
    ],
)
def test_bad_orders_are_refused_with_the_error_shape(
    api, laptop, body, status, code, field
):
    response = api.post("orders", body)

    error = assert_error(response, status, code)
    if field:
        assert field in error["fields"], error
    assert nothing_changed()


def test_an_unknown_sku_is_refused(api, laptop):
    body = {**BODY, "lines": [*BODY["lines"], {"sku": "NOPE", "quantity": 1}]}

    response = api.post("orders", body)

    error = assert_error(response, 422, "unknown_sku")
    assert error["skus"] == ["NOPE"]
    assert nothing_changed()


@pytest.mark.parametrize("raw", ["{", '{"customer": }', "\x00", "[1,"])
def test_malformed_json_is_a_bad_request(api, laptop, raw):
    response = api.post("orders", raw=raw)

    assert_error(response, 400, "malformed_json")
    assert nothing_changed()


@pytest.mark.parametrize("raw", ["", "null", "42"])
def test_a_body_that_is_no_order_is_invalid(api, laptop, raw):
    response = api.post("orders", raw=raw)

    assert_error(response, 422, "validation_error")
    assert nothing_changed()


def placed(number_of_lines: int = 1) -> str:
    return place_order(
        name="Ada", email="ada@example.com", lines=[("AUR15-8-256", 1)]
    ).number


def test_the_customer_reads_the_order_with_its_token(api, laptop):
    number = placed()

    response = api.get(f"orders/{number}", {"token": token_for(number)})

    assert response.status == 200
    assert response.body["number"] == number
    assert response.body["lines"][0]["sku"] == "AUR15-8-256"
    assert response.body["events"][0]["to_status"] == "placed"
    assert "token" not in response.body


@pytest.mark.parametrize("token", ["", "wrong", "x" * 5000])
def test_a_wrong_token_reads_nothing(api, laptop, token):
    number = placed()

    response = api.get(f"orders/{number}", {"token": token})

    assert_error(response, 404, "not_found")


def test_another_orders_token_reads_nothing(api, laptop):
    mine, theirs = placed(), placed()

    response = api.get(f"orders/{theirs}", {"token": token_for(mine)})

    assert_error(response, 404, "not_found")


def test_a_token_made_with_a_retired_secret_key_has_expired(api, laptop, settings):
    number = placed()
    old = token_for(number)
    settings.SECRET_KEY = "a-new-secret-key-" + "x" * 40
    settings.SECRET_KEY_FALLBACKS = []

    assert_error(api.get(f"orders/{number}", {"token": old}), 404, "not_found")


def test_a_token_made_with_a_fallback_secret_key_still_works(api, laptop, settings):
    number = placed()
    old = token_for(number)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-" + "x" * 40

    assert api.get(f"orders/{number}", {"token": old}).status == 200


def test_reading_an_order_needs_staff_or_token(api, laptop):
    number = placed()

    assert_error(api.get(f"orders/{number}"), 401, "unauthorized")


def test_staff_read_any_order(api, laptop, staff_token):
    number = placed()

    response = api.get(f"orders/{number}", token=staff_token)

    assert response.status == 200
    assert response.body["customer"]["email"] == "ada@example.com"


def test_an_unknown_order_is_not_found_for_staff(api, staff_token):
    assert_error(api.get("orders/PA-NOPE", token=staff_token), 404, "not_found")


def test_staff_move_an_order_and_history_is_kept(api, laptop, staff_token):
    number = placed()

    paid = api.post(f"orders/{number}/transitions", {"to": "paid"}, token=staff_token)
    cancelled = api.post(
        f"orders/{number}/transitions", {"to": "cancelled"}, token=staff_token
    )

    assert paid.status == 200
    assert paid.body["status"] == "paid"
    assert cancelled.status == 200
    assert [
        (e["from_status"], e["to_status"], e["actor"]) for e in cancelled.body["events"]
    ] == [
        (None, "placed", "customer"),
        ("placed", "paid", "staff"),
        ("paid", "cancelled", "staff"),
    ]
    assert Variant.objects.get(sku="AUR15-8-256").stock == 12


def test_an_invalid_transition_is_a_conflict(api, laptop, staff_token):
    number = placed()

    response = api.post(
        f"orders/{number}/transitions", {"to": "delivered"}, token=staff_token
    )

    error = assert_error(response, 409, "invalid_transition")
    assert (error["status"], error["to"]) == ("placed", "delivered")
    assert Order.objects.get(number=number).status == "placed"


@pytest.mark.parametrize("body", [{"to": "lost"}, {"to": 3}, {}, {"to": None}])
def test_a_transition_to_no_status_is_invalid(api, laptop, staff_token, body):
    number = placed()

    response = api.post(f"orders/{number}/transitions", body, token=staff_token)

    assert_error(response, 422, "validation_error")
    assert Order.objects.get(number=number).status == "placed"


def test_transitions_need_staff(api, laptop):
    number = placed()

    response = api.post(f"orders/{number}/transitions", {"to": "paid"})

    assert_error(response, 401, "unauthorized")
    assert Order.objects.get(number=number).status == "placed"


def test_transition_of_an_unknown_order_is_not_found(api, staff_token):
    response = api.post("orders/PA-NOPE/transitions", {"to": "paid"}, token=staff_token)

    assert_error(response, 404, "not_found")


def make_orders(count: int) -> list[Order]:
    """Orders one hour apart, newest last; every third one paid."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    orders = [
        Order(
            number=f"PA-{i:010d}",
            customer_name=f"Customer {i}",
            email=f"c{i % 4}@example.com",
            status="paid" if i % 3 == 0 else "placed",
            currency="EUR",
            total=Decimal(i),
            subtotal=Decimal(i),
            placed_at=start + timedelta(hours=i),
        )
        for i in range(count)
    ]
    return Order.objects.bulk_create(orders)


def test_staff_list_orders_newest_first(api, staff_token):
    make_orders(5)

    response = api.get("orders", token=staff_token)

    assert response.status == 200
    assert [o["number"] for o in response.body["items"]] == [
        f"PA-{i:010d}" for i in (4, 3, 2, 1, 0)
    ]
    assert response.body["next"] is None
    assert response.body["items"][0] == {
        "number": "PA-0000000004",
        "status": "placed",
        "customer": {"name": "Customer 4", "email": "c0@example.com"},
        "currency": "EUR",
        "subtotal": "4.00",
        "discount": "0.00",
        "shipping": "0.00",
        "tax": "0.00",
        "total": "4.00",
        "placed_at": "2026-01-01T04:00:00Z",
    }


def test_the_order_list_filters_combine(api, staff_token):
    make_orders(30)

    response = api.get(
        "orders",
        {
            "status": "paid",
            "email": "C0@Example.com",
            "placed_after": "2026-01-01T06:00:00Z",
            "placed_before": "2026-01-02T00:00:00Z",
        },
        token=staff_token,
    )

    # paid: i % 3 == 0; email c0: i % 4 == 0; 6 <= i < 24.
    assert [o["number"] for o in response.body["items"]] == ["PA-0000000012"]


def test_a_time_filter_without_offset_is_utc(api, staff_token):
    make_orders(5)

    response = api.get(
        "orders", {"placed_after": "2026-01-01T03:00:00"}, token=staff_token
    )

    assert [o["number"] for o in response.body["items"]] == [
        "PA-0000000004",
        "PA-0000000003",
    ]


def test_the_order_list_pages_with_a_cursor_without_gaps(api, staff_token):
    make_orders(25)

    seen, cursor = [], None
    while True:
        params = {"limit": 10, **({"cursor": cursor} if cursor else {})}
        page = api.get("orders", params, token=staff_token).body
        seen += [o["number"] for o in page["items"]]
        cursor = page["next"]
        if cursor is None:
            break

    assert seen == [f"PA-{i:010d}" for i in reversed(range(25))]


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 0},
        {"limit": 101},
        {"limit": "many"},
        {"cursor": "tampered"},
        {"status": "lost"},
        {"placed_after": "yesterday"},
        {"email": "x" * 300},
    ],
)
def test_bad_list_parameters_are_bad_requests(api, staff_token, params):
    response = api.get("orders", params, token=staff_token)

    assert response.status == 400, response.body
    assert response.body["error"] in ("bad_request", "bad_cursor")


def test_the_order_list_needs_staff(api, db):
    assert_error(api.get("orders"), 401, "unauthorized")


def test_the_order_list_costs_the_same_queries_for_1_and_100(api, staff_token):
    make_orders(120)

    assert_constant_queries(
        lambda size: api.get("orders", {"limit": size}, token=staff_token)
    )


def test_an_order_costs_the_same_queries_for_1_and_100_lines(api, staff_token):
    for i in range(100):
        VariantFactory(sku=f"S-{i:03d}", stock=5)
    small = place_order(name="A", email="a@b.co", lines=[("S-000", 1)]).number
    big = place_order(
        name="A", email="a@b.co", lines=[(f"S-{i:03d}", 1) for i in range(100)]
    ).number
    numbers = {1: small, 100: big}

    assert_constant_queries(
        lambda size: api.get(f"orders/{numbers[size]}", token=staff_token)
    )


def test_the_openapi_document_describes_the_orders_api(client, db):
    schema = client.get("/api/v1/openapi.json").json()

    paths = schema["paths"]
    assert {
        "/api/v1/orders",
        "/api/v1/orders/{number}",
        "/api/v1/orders/{number}/transitions",
        "/api/v1/reports/sales",
        "/api/v1/reports/top-products",
    } <= set(paths)
    place = paths["/api/v1/orders"]["post"]
    assert {"name": "Idempotency-Key", "in": "header"}.items() <= place["parameters"][
        0
    ].items()
    assert {"200", "201", "409", "422"} <= set(place["responses"])
