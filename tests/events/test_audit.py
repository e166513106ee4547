"""The audit log: a record per changed row, with who changed it and when."""

import io
import json
from decimal import Decimal

import pytest
from django.db import connection, transaction

from pantry.catalog import services as catalog
from pantry.catalog.importing import import_products
from pantry.events.audit import acting_as
from pantry.events.models import AuditRecord
from pantry.orders.services import place_order
from pantry.payments.models import Payment
from tests.factories import CategoryFactory, VariantFactory
from tests.helpers import assert_constant_queries, assert_error
from tests.payments.conftest import fake_webhook


def _records(table: str) -> list[AuditRecord]:
    return list(AuditRecord.objects.filter(table_name=table).order_by("id"))


@pytest.mark.django_db(transaction=True)
def test_a_staff_patch_records_before_after_token_actor_and_request_id(
    api, staff_token
):
    VariantFactory(sku="MUG-1", price=Decimal("4.00"), stock=5)
    AuditRecord.objects.all().delete()

    response = api.patch(
        "variants/MUG-1",
        {"price": "4.50"},
        token=staff_token,
        headers={"X-Request-ID": "req-42"},
    )

    assert response.status == 200
    assert response.headers["X-Request-ID"] == "req-42"
    [record] = _records("catalog_variant")
    assert (record.op, record.actor, record.request_id) == (
        "update",
        "token:staff",
        "req-42",
    )
    assert (record.before["price"], record.after["price"]) == (4.0, 4.5)
    assert record.row_pk == str(record.after["id"])


@pytest.mark.django_db(transaction=True)
def test_an_anonymous_order_is_recorded_as_the_customers_with_a_new_request_id(api):
    VariantFactory(sku="MUG-1", stock=5, requires_shipping=False)
    AuditRecord.objects.all().delete()

    response = api.post(
        "orders",
        {
            "customer": {"name": "Ada", "email": "ada@example.com"},
            "lines": [{"sku": "MUG-1", "quantity": 2}],
        },
    )

    assert response.status == 201
    request_id = response.headers["X-Request-ID"]
    [order] = _records("orders_order")
    assert (order.op, order.actor, order.request_id) == (
        "insert",
        "customer",
        request_id,
    )
    assert order.after["number"] == response.body["number"]
    [line] = _records("orders_orderline")
    assert line.after["quantity"] == 2
    [stock] = _records("catalog_variant")
    assert (stock.before["stock"], stock.after["stock"], stock.actor) == (
        5,
        3,
        "customer",
    )


@pytest.mark.django_db(transaction=True)
def test_a_payment_webhook_is_recorded_as_the_providers_with_its_request_id(api):
    VariantFactory(sku="MUG-1", price=Decimal("9.00"), stock=5, requires_shipping=False)
    placed = place_order(
        name="Ada",
        email="ada@example.com",
        lines=[("MUG-1", 2)],
        payment_provider="fake",
    )
    payment = Payment.objects.get()
    body, headers = fake_webhook(payment.provider_ref, amount="18.00")
    AuditRecord.objects.all().delete()

    response = api.client.post(
        "/api/v1/payments/fake/webhook",
        data=body,
        content_type="application/json",
        headers={**headers, "X-Request-ID": "hook-7"},
    )

    assert response.status_code == 200
    # The anonymous client only relays what the provider did.
    [order] = _records("orders_order")
    assert (order.op, order.actor, order.request_id) == (
        "update",
        "payment:fake",
        "hook-7",
    )
    assert (order.before["status"], order.after["status"]) == ("placed", "paid")
    assert order.after["number"] == placed.number


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_leaves_no_audit_record():
    CategoryFactory(slug="tea")
    AuditRecord.objects.all().delete()

    with pytest.raises(RuntimeError), transaction.atomic():  # noqa: PT012
        catalog.create_product(name="Green Tea", category="tea")
        raise RuntimeError("undo")

    assert not AuditRecord.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_deleting_records_the_row_as_it_was_and_a_no_op_update_records_nothing():
    variant = VariantFactory(sku="MUG-1", stock=5)
    AuditRecord.objects.all().delete()

    with acting_as("command:cleanup"), transaction.atomic():
        catalog.patch_variant(sku="MUG-1", stock=5)
    with acting_as("command:cleanup"), transaction.atomic():
        catalog.delete_product(slug=variant.product.slug)

    records = [
        (r.table_name, r.op, r.actor) for r in AuditRecord.objects.order_by("id")
    ]
    assert records == [
        ("catalog_variant", "delete", "command:cleanup"),
        ("catalog_product", "delete", "command:cleanup"),
    ]
    product = _records("catalog_product")[0]
    assert product.before["slug"] == variant.product.slug
    assert "search_vector" not in product.before
    assert product.after is None


@pytest.mark.django_db(transaction=True)
def test_the_actor_is_local_to_its_transaction():
    with acting_as("command:one"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('pantry.actor', true)")
        inside = cursor.fetchone()[0]
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('pantry.actor', true)")
        after = cursor.fetchone()[0]

    assert (inside, after) == ("command:one", "")


@pytest.mark.django_db(transaction=True)
def test_an_import_is_recorded_as_the_imports_and_emits_one_summary_event():
    CategoryFactory(slug="tea")
    AuditRecord.objects.all().delete()
    line = {
        "slug": "sencha",
        "name": "Sencha",
        "category": "tea",
        "variants": [{"sku": "SEN-1", "price": "5.00", "stock": 3}],
    }

    result = import_products(
        io.BytesIO(json.dumps(line).encode() + b"\n"), file_format="jsonl"
    )

    assert result.loaded
    actors = set(AuditRecord.objects.values_list("table_name", "actor"))
    assert actors == {("catalog_product", "import"), ("catalog_variant", "import")}
    from pantry.events.models import Event

    assert [(e.type, e.payload) for e in Event.objects.all()] == [
        (
            "catalog.imported",
            {
                "products_created": 1,
                "products_updated": 0,
                "variants_created": 1,
                "variants_updated": 0,
            },
        )
    ]


@pytest.mark.django_db(transaction=True)
def test_audit_api_filters_by_table_row_and_actor_newest_first(api, staff_token):
    first = VariantFactory(sku="MUG-1", stock=5)
    VariantFactory(sku="MUG-2", stock=5)
    with acting_as("command:restock"), transaction.atomic():
        catalog.patch_variant(sku="MUG-1", stock=6)
    with acting_as("command:restock"), transaction.atomic():
        catalog.patch_variant(sku="MUG-1", stock=7)

    response = api.get(
        "audit",
        {"table": "catalog_variant", "pk": str(first.pk), "actor": "command:restock"},
        token=staff_token,
    )

    assert response.status == 200
    assert [item["after"]["stock"] for item in response.body["items"]] == [7, 6]
    assert {item["op"] for item in response.body["items"]} == {"update"}
    assert response.body["next"] is None


@pytest.mark.django_db
def test_audit_api_pages_with_the_same_queries_and_needs_staff(api, staff_token):
    for i in range(3):
        VariantFactory(sku=f"MUG-{i}")

    def fetch(size: int) -> None:
        response = api.get("audit", {"limit": size}, token=staff_token)
        assert response.status == 200

    assert_constant_queries(fetch)
    assert_error(api.get("audit"), 401, "unauthorized")


@pytest.mark.django_db(transaction=True)
def test_checkout_configuration_changes_are_recorded_with_their_actor(
    standard_tax_class,
):
    from datetime import UTC, datetime

    from pantry.shipping.services import add_method, add_rate, create_zone
    from pantry.tax.services import add_tax_rate
    from pantry.vouchers.services import create_voucher

    AuditRecord.objects.all().delete()
    with acting_as("staff:ada"):
        zone = create_zone(name="EU", countries=["DE", "FR"])
        add_method(zone=zone, code="standard", name="Standard")
        add_rate(method_code="standard", currency="EUR", price=Decimal("4.90"))
        add_tax_rate(
            tax_class="standard",
            country="DE",
            rate=Decimal("19"),
            valid_from=datetime(2026, 1, 1, tzinfo=UTC),
        )
        create_voucher(code="SPRING", percent_off="10")

    recorded = {
        (r.table_name, r.op, r.actor) for r in AuditRecord.objects.order_by("id")
    }
    assert recorded == {
        ("shipping_zone", "insert", "staff:ada"),
        ("shipping_method", "insert", "staff:ada"),
        ("shipping_rate", "insert", "staff:ada"),
        ("tax_taxrate", "insert", "staff:ada"),
        ("vouchers_voucher", "insert", "staff:ada"),
    }


@pytest.mark.django_db(transaction=True)
def test_a_voucher_redemption_writes_no_audit_record_for_the_use_count():
    from pantry.vouchers.services import create_voucher, redeem_voucher

    create_voucher(code="SPRING", percent_off="10", usage_limit=5)
    AuditRecord.objects.all().delete()

    redeem_voucher(
        code="SPRING",
        order_ref="A1",
        email="ada@example.com",
        subtotal=Decimal("50.00"),
        currency="EUR",
    )

    assert not AuditRecord.objects.filter(table_name="vouchers_voucher").exists()


@pytest.mark.django_db(transaction=True)
def test_a_connection_made_inside_a_wrapped_request_leaks_no_wrapper():
    def counting(execute, sql, params, many, context):
        return execute(sql, params, many, context)

    from pantry.events.audit import send_actor

    # A fresh connection object, whose first connection is made inside a
    # request (as each server thread's is).
    connection.close()
    if send_actor in connection.execute_wrappers:
        connection.execute_wrappers.remove(send_actor)
    before = None
    for _ in range(5):
        # What the request middlewares do while the pool hands out a
        # connection (connection_created fires inside their block).
        with connection.execute_wrapper(counting):
            connection.close()
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
        if before is None:
            before = list(connection.execute_wrappers)
        assert connection.execute_wrappers == before
    assert counting not in connection.execute_wrappers
    assert send_actor in connection.execute_wrappers


def _line(slug: str, sku: str, price: str) -> bytes:
    line = {
        "slug": slug,
        "name": slug.title(),
        "category": "tea",
        "variants": [{"sku": sku, "price": price, "stock": 3}],
    }
    return json.dumps(line).encode() + b"\n"


@pytest.mark.django_db(transaction=True)
def test_a_bulk_import_over_a_catalog_audits_each_changed_variant():
    # With its indexes rebuilt (a file large for the catalog) the import
    # defers the summaries, not the audit of the prices it changes.
    CategoryFactory(slug="tea")
    import_products(io.BytesIO(_line("sencha", "SEN-1", "5.00")), file_format="jsonl")
    AuditRecord.objects.all().delete()

    result = import_products(
        io.BytesIO(_line("sencha", "SEN-1", "6.50") + _line("bancha", "BAN-1", "4.00")),
        file_format="jsonl",
        rebuild_indexes=True,
    )

    assert result.loaded
    changed = [
        (r.before["price"], r.after["price"], r.actor)
        for r in _records("catalog_variant")
        if r.op == "update"
    ]
    assert changed == [(5.0, 6.5, "import")]
    inserted = [r.after["sku"] for r in _records("catalog_variant") if r.op == "insert"]
    assert inserted == ["BAN-1"]


@pytest.mark.django_db(transaction=True)
def test_a_bulk_import_into_an_empty_catalog_is_one_audit_entry_per_table():
    CategoryFactory(slug="tea")
    AuditRecord.objects.all().delete()
    data = b"".join(_line(f"tea-{i}", f"TEA-{i}", "3.00") for i in range(3))

    result = import_products(
        io.BytesIO(data), file_format="jsonl", rebuild_indexes=True
    )

    assert result.loaded
    assert result.products_created == 3
    entries = [
        (r.table_name, r.row_pk, r.op, r.after, r.actor)
        for r in AuditRecord.objects.order_by("id")
    ]
    assert entries == [
        ("catalog_product", "*", "insert", {"import": "fresh", "rows": 3}, "import"),
        ("catalog_variant", "*", "insert", {"import": "fresh", "rows": 3}, "import"),
    ]
