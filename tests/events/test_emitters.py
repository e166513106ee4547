"""The writing services emit their events in the transaction of the change."""

from decimal import Decimal

import pytest

from pantry.catalog import services as catalog
from pantry.catalog.errors import InsufficientStock
from pantry.events.models import Event
from pantry.journal import services as journal
from pantry.orders.services import place_order, transition_order
from tests.factories import CategoryFactory, UserFactory, VariantFactory, draft

pytestmark = pytest.mark.django_db


def _events() -> list[tuple[str, dict]]:
    return [(e.type, e.payload) for e in Event.objects.order_by("id")]


def test_creating_updating_and_deleting_a_product_emits_its_three_events():
    CategoryFactory(slug="tea")

    product = catalog.create_product(name="Green Tea", category="tea")
    catalog.update_product(slug="green-tea", name="Sencha")
    catalog.delete_product(slug="green-tea")

    data = {"id": product.pk, "slug": "green-tea", "is_active": True}
    assert _events() == [
        ("product.created", {**data, "name": "Green Tea"}),
        ("product.updated", {**data, "name": "Sencha"}),
        ("product.deleted", {"id": product.pk, "slug": "green-tea"}),
    ]


def test_setting_a_variants_stock_emits_stock_changed():
    VariantFactory(sku="MUG-1", stock=5)

    catalog.patch_variant(sku="MUG-1", stock=7)

    assert _events() == [("stock.changed", {"sku": "MUG-1", "stock": 7})]


def test_placing_an_order_emits_order_placed_and_stock_changed_per_sku():
    VariantFactory(sku="MUG-1", stock=5, price=Decimal("4.50"), requires_shipping=False)
    VariantFactory(sku="MUG-2", stock=3, requires_shipping=False)

    placed = place_order(
        name="Ada", email="ada@example.com", lines=[("MUG-2", 1), ("MUG-1", 2)]
    )

    events = _events()
    assert events[0] == ("order.placed", placed.receipt)
    assert events[1:] == [
        ("stock.changed", {"sku": "MUG-1", "stock": 3}),
        ("stock.changed", {"sku": "MUG-2", "stock": 2}),
    ]


def test_an_order_refused_for_stock_emits_nothing():
    VariantFactory(sku="MUG-1", stock=1, requires_shipping=False)

    with pytest.raises(InsufficientStock):
        place_order(name="Ada", email="ada@example.com", lines=[("MUG-1", 2)])

    assert _events() == []


def test_order_transitions_emit_their_status_and_cancelling_returns_stock():
    VariantFactory(sku="MUG-1", stock=5, requires_shipping=False)
    placed = place_order(name="Ada", email="ada@example.com", lines=[("MUG-1", 2)])
    Event.objects.all().delete()

    transition_order(number=placed.number, to="paid", actor="staff")
    transition_order(number=placed.number, to="cancelled", actor="staff")

    assert _events() == [
        ("order.paid", {"number": placed.number, "status": "paid", "actor": "staff"}),
        ("stock.changed", {"sku": "MUG-1", "stock": 5}),
        (
            "order.cancelled",
            {"number": placed.number, "status": "cancelled", "actor": "staff"},
        ),
    ]


def test_publishing_a_post_emits_post_published_once():
    post = draft(slug="olive-oil")
    user = UserFactory()

    journal.update_post(slug="olive-oil", status="published")
    journal.update_post(slug="olive-oil", title="Olive oil, again")
    journal.create_post(user=user, title="Draft only", body="x")

    [(kind, data)] = _events()
    assert kind == "post.published"
    assert (data["id"], data["slug"]) == (post.pk, "olive-oil")
