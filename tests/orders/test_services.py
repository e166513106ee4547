"""place_order and transition_order: the rules, on real PostgreSQL."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from pantry.catalog.models import Variant
from pantry.core.errors import Invalid, NotFound
from pantry.orders.errors import (
    IdempotencyKeyReused,
    InsufficientStock,
    InvalidTransition,
    MixedCurrency,
    UnknownSku,
)
from pantry.orders.models import IdempotencyKey, Order, OrderEvent, OrderLine
from pantry.orders.services import (
    TRANSITIONS,
    new_order_number,
    place_order,
    purge_idempotency_keys,
    transition_order,
)
from pantry.orders.tokens import token_for
from tests.factories import VariantFactory

STATUSES = [s.value for s in Order.Status]


def place(lines=(("MUG-1", 1),), **kw):
    return place_order(
        name=kw.pop("name", "Ada Lovelace"),
        email=kw.pop("email", "ada@example.com"),
        lines=list(lines),
        **kw,
    )


def test_order_number_is_random_base32_with_prefix():
    numbers = {new_order_number() for _ in range(1000)}

    assert len(numbers) == 1000
    assert all(re.fullmatch(r"PA-[0-9A-HJKMNP-TV-Z]{10}", n) for n in numbers)


def test_place_order_snapshots_lines_and_takes_stock(db):
    VariantFactory(sku="MUG-1", price=Decimal("12.50"), stock=5)
    VariantFactory(sku="TEA-1", price=Decimal("3.20"), stock=9)

    placement = place([("TEA-1", 3), ("MUG-1", 2)], email="Ada@Example.COM")

    order = Order.objects.get(number=placement.number)
    assert order.status == "placed"
    assert order.email == "Ada@example.com"
    assert order.total == Decimal("34.60")
    assert order.currency == "EUR"
    assert list(
        order.lines.order_by("sku").values_list(
            "sku", "unit_price", "quantity", "line_total"
        )
    ) == [
        ("MUG-1", Decimal("12.50"), 2, Decimal("25.00")),
        ("TEA-1", Decimal("3.20"), 3, Decimal("9.60")),
    ]
    assert list(order.events.values_list("from_status", "to_status", "actor")) == [
        ("", "placed", "customer")
    ]
    assert dict(Variant.objects.values_list("sku", "stock")) == {
        "MUG-1": 3,
        "TEA-1": 6,
    }
    assert placement.replayed is False
    assert placement.receipt["total"] == "34.60"


def test_the_same_sku_twice_is_merged_into_one_line(db):
    VariantFactory(sku="MUG-1", stock=5)

    placement = place([("MUG-1", 1), ("MUG-1", 2)])

    assert list(OrderLine.objects.values_list("sku", "quantity")) == [("MUG-1", 3)]
    assert placement.receipt["lines"][0]["quantity"] == 3
    assert Variant.objects.get(sku="MUG-1").stock == 2


def test_merged_quantity_beyond_the_limit_is_refused(db):
    VariantFactory(sku="MUG-1", stock=5000)

    with pytest.raises(Invalid) as caught:
        place([("MUG-1", 600), ("MUG-1", 600)])

    assert caught.value.fields == {
        "lines.1.quantity": "At most 1000 of one SKU per order."
    }
    assert not Order.objects.exists()


def test_order_beyond_stock_is_refused_and_changes_nothing(db):
    VariantFactory(sku="MUG-1", stock=1)
    VariantFactory(sku="TEA-1", stock=10)

    with pytest.raises(InsufficientStock, match="Only 1 of MUG-1 left"):
        place([("TEA-1", 1), ("MUG-1", 2)])

    assert dict(Variant.objects.values_list("sku", "stock")) == {
        "MUG-1": 1,
        "TEA-1": 10,
    }
    assert not Order.objects.exists()
    assert not OrderLine.objects.exists()


def test_unknown_sku_is_refused_and_changes_nothing(db):
    VariantFactory(sku="MUG-1", stock=1)

    with pytest.raises(UnknownSku, match="NOPE"):
        place([("MUG-1", 1), ("NOPE", 1)])

    assert Variant.objects.get(sku="MUG-1").stock == 1
    assert not Order.objects.exists()


def test_lines_in_two_currencies_are_refused(db):
    VariantFactory(sku="MUG-1", currency="EUR")
    VariantFactory(sku="MUG-2", currency="USD")

    with pytest.raises(MixedCurrency) as caught:
        place([("MUG-1", 1), ("MUG-2", 1)])

    assert caught.value.extra == {"currencies": ["EUR", "USD"]}
    assert not Order.objects.exists()


@pytest.mark.parametrize(
    ("name", "email", "lines", "fields"),
    [
        ("", "ada@example.com", [("MUG-1", 1)], {"customer.name"}),
        ("x" * 10_000, "ada@example.com", [("MUG-1", 1)], {"customer.name"}),
        ("Ada", "", [("MUG-1", 1)], {"customer.email"}),
        ("Ada", "not-an-email", [("MUG-1", 1)], {"customer.email"}),
        ("Ada", "a@" + "b" * 300 + ".com", [("MUG-1", 1)], {"customer.email"}),
        ("Ada", "ada@example.com", [], {"lines"}),
        ("Ada", "ada@example.com", [("MUG-1", 0)], {"lines.0.quantity"}),
        ("Ada", "ada@example.com", [("MUG-1", -3)], {"lines.0.quantity"}),
        ("Ada", "ada@example.com", [("MUG-1", 10**12)], {"lines.0.quantity"}),
        ("Ada", "ada@example.com", [("MUG-1", True)], {"lines.0.quantity"}),
        ("Ada", "ada@example.com", [("", 1)], {"lines.0.sku"}),
        ("Ada", "ada@example.com", [("S" * 65, 1)], {"lines.0.sku"}),
        ("Ada", "ada@example.com", [(f"S{i}", 1) for i in range(101)], {"lines"}),
        (None, 7, [("MUG-1", 1)], {"customer.name", "customer.email"}),
    ],
)
def test_invalid_requests_are_refused_with_field_errors(db, name, email, lines, fields):
    VariantFactory(sku="MUG-1", stock=5)

    with pytest.raises(Invalid, match="The order is invalid") as caught:
        place_order(name=name, email=email, lines=lines)

    assert set(caught.value.fields) == fields
    assert Variant.objects.get(sku="MUG-1").stock == 5
    assert not Order.objects.exists()


def test_a_retry_with_the_same_key_returns_the_first_order(db):
    VariantFactory(sku="MUG-1", stock=5)
    first = place(idempotency_key="key-1")

    again = place(idempotency_key="key-1")

    assert again.replayed is True
    assert again.number == first.number
    assert again.receipt == first.receipt
    assert Order.objects.count() == 1
    assert Variant.objects.get(sku="MUG-1").stock == 4
    stored = IdempotencyKey.objects.get()
    assert (stored.key, stored.response_status, stored.order_id) == (
        "key-1",
        201,
        Order.objects.get().pk,
    )


def test_the_same_key_with_another_body_is_refused(db):
    VariantFactory(sku="MUG-1", stock=5)
    place(idempotency_key="key-1")

    with pytest.raises(IdempotencyKeyReused):
        place([("MUG-1", 2)], idempotency_key="key-1")

    assert Order.objects.count() == 1
    assert Variant.objects.get(sku="MUG-1").stock == 4


def test_a_refused_request_does_not_use_up_its_key(db):
    variant = VariantFactory(sku="MUG-1", stock=0)
    with pytest.raises(InsufficientStock):
        place(idempotency_key="key-1")
    Variant.objects.filter(pk=variant.pk).update(stock=1)

    placement = place(idempotency_key="key-1")

    assert placement.replayed is False
    assert Order.objects.count() == 1


def test_idempotency_keys_are_purged_after_a_day(db):
    VariantFactory(sku="MUG-1", stock=5)
    place(idempotency_key="old")
    place(idempotency_key="new")
    IdempotencyKey.objects.filter(key="old").update(
        created_at=timezone.now() - timedelta(hours=25)
    )

    assert purge_idempotency_keys() == 1

    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new"]


def test_confirmation_email_is_sent_only_after_commit(
    db, django_capture_on_commit_callbacks, mailoutbox
):
    VariantFactory(sku="MUG-1", stock=5)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        placement = place()
    assert mailoutbox == []
    for callback in callbacks:
        callback()

    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["ada@example.com"]
    assert mailoutbox[0].subject == f"Your order {placement.number}"
    assert mailoutbox[0].body.startswith("Hello Ada Lovelace,\n")
    assert "1 x Product " in mailoutbox[0].body
    assert "Total: 10.00 EUR" in mailoutbox[0].body
    assert (
        f"/orders/{placement.number}/?token={token_for(placement.number)}"
        in mailoutbox[0].body
    )


def test_no_email_is_queued_for_a_refused_order(
    db, django_capture_on_commit_callbacks, mailoutbox
):
    VariantFactory(sku="MUG-1", stock=0)

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(InsufficientStock),
    ):
        place()

    assert callbacks == []
    assert mailoutbox == []


def test_no_email_for_an_idempotent_replay(
    db, django_capture_on_commit_callbacks, mailoutbox
):
    VariantFactory(sku="MUG-1", stock=5)
    with django_capture_on_commit_callbacks(execute=True):
        place(idempotency_key="k")

    with django_capture_on_commit_callbacks(execute=True):
        place(idempotency_key="k")

    assert len(mailoutbox) == 1


ALLOWED = sorted((a, b) for a, targets in TRANSITIONS.items() for b in targets)
FORBIDDEN = sorted(
    (a, b) for a in STATUSES for b in STATUSES if b not in TRANSITIONS[a]
)


def test_the_state_machine_is_the_one_of_the_api_contract():
    assert (
        sorted(
            [
                ("placed", "paid"),
                ("paid", "shipped"),
                ("shipped", "delivered"),
                ("placed", "cancelled"),
                ("paid", "cancelled"),
                ("paid", "refunded"),
                ("shipped", "refunded"),
                ("delivered", "refunded"),
            ]
        )
        == ALLOWED
    )


def order_in(status: str) -> str:
    """Place an order and set its status directly (arranging a test only)."""
    number = place().number
    Order.objects.filter(number=number).update(status=status)
    return number


@pytest.mark.parametrize(("source", "target"), ALLOWED)
def test_every_allowed_transition_is_made_and_recorded(db, source, target):
    VariantFactory(sku="MUG-1", stock=5)
    number = order_in(source)

    order = transition_order(number=number, to=target, actor="staff")

    assert order.status == target
    assert Order.objects.get(number=number).status == target
    event = OrderEvent.objects.filter(order__number=number).latest("id")
    assert (event.from_status, event.to_status, event.actor) == (
        source,
        target,
        "staff",
    )
    assert abs(event.at - timezone.now()) < timedelta(seconds=5)


@pytest.mark.parametrize(("source", "target"), FORBIDDEN)
def test_every_forbidden_transition_is_refused_and_changes_nothing(db, source, target):
    VariantFactory(sku="MUG-1", stock=5)
    number = order_in(source)

    with pytest.raises(
        InvalidTransition, match=f"that is {source} cannot become {target}"
    ):
        transition_order(number=number, to=target, actor="staff")

    assert Order.objects.get(number=number).status == source
    assert OrderEvent.objects.filter(order__number=number).count() == 1
    assert Variant.objects.get(sku="MUG-1").stock == 4


@pytest.mark.parametrize("source", ["placed", "paid"])
def test_cancelling_returns_the_stock(db, source):
    VariantFactory(sku="MUG-1", stock=5)
    VariantFactory(sku="TEA-1", stock=5)
    number = place([("MUG-1", 2), ("TEA-1", 5)]).number
    Order.objects.filter(number=number).update(status=source)

    transition_order(number=number, to="cancelled", actor="staff")

    assert dict(Variant.objects.values_list("sku", "stock")) == {
        "MUG-1": 5,
        "TEA-1": 5,
    }


@pytest.mark.parametrize("source", ["paid", "shipped", "delivered"])
def test_refunding_does_not_return_stock(db, source):
    VariantFactory(sku="MUG-1", stock=5)
    number = order_in(source)

    transition_order(number=number, to="refunded", actor="staff")

    assert Variant.objects.get(sku="MUG-1").stock == 4


def test_transition_of_an_unknown_order_is_not_found(db):
    with pytest.raises(NotFound, match="There is no order PA-NOPE"):
        transition_order(number="PA-NOPE", to="paid", actor="staff")


def test_transition_to_an_unknown_status_is_invalid(db):
    VariantFactory(sku="MUG-1", stock=5)
    number = place().number

    with pytest.raises(Invalid, match="'lost' is not an order status"):
        transition_order(number=number, to="lost", actor="staff")


def test_a_taken_order_number_is_drawn_again(db, monkeypatch):
    VariantFactory(sku="MUG-1", stock=5)
    taken = place().number
    draws = iter(taken.removeprefix("PA-") + "7" * 10)
    monkeypatch.setattr("pantry.orders.requests.secrets.choice", lambda _: next(draws))

    placement = place()

    assert placement.number == "PA-7777777777"
    assert Order.objects.count() == 2
