"""`pantry explain` runs the real key queries and flags bad plans."""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from pantry.journal.models import Post
from pantry.platform.explain import NAMES
from pantry.platform.explain.plans import explain_action

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo_data(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    """The demo shop, committed (its load vacuums) and flushed afterwards."""
    with django_db_blocker.unblock():
        call_command("demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
        # Earlier tests on this database may have left statistics of
        # tables they filled and emptied.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            call_command("flush", interactive=False, verbosity=0)


def explain_json(*names: str) -> dict:
    out = io.StringIO()
    try:
        call_command("explain", *names, "--json", stdout=out)
    except SystemExit:
        flagged = [q for q in json.loads(out.getvalue())["queries"] if q["flags"]]
        pytest.fail(f"flagged: {[(q['name'], q['flags']) for q in flagged]}")
    return json.loads(out.getvalue())


def test_every_key_query_is_explained_on_the_demo_data_and_none_is_flagged(demo_data):
    document = explain_json()

    first_statements = {
        query["name"] for query in document["queries"] if "#" not in query["name"]
    }
    assert first_statements == set(NAMES)
    assert document["skipped"] == []
    assert document["flagged"] == 0


def test_a_query_reports_its_index_rows_and_buffers(demo_data):
    (report,) = explain_json("orders.email")["queries"]

    assert report["indexes"] == ["orders_order_email_placed"]
    assert report["rows"] >= 1
    assert report["shared_hit"] + report["shared_read"] > 0
    assert report["flags"] == []
    assert 'WHERE LOWER("orders_order"."email") = %s' in report["sql"]


def test_checkout_stock_statement_is_explained_and_takes_no_stock(demo_data):
    with connection.cursor() as cursor:
        cursor.execute("SELECT sum(stock) FROM catalog_variant")
        before = cursor.fetchone()[0]

    (report,) = explain_json("checkout.take_stock")["queries"]

    with connection.cursor() as cursor:
        cursor.execute("SELECT sum(stock) FROM catalog_variant")
        assert cursor.fetchone()[0] == before
    assert report["indexes"] == ["catalog_variant_sku_key", "catalog_variant_pkey"]


def test_queries_without_data_to_draw_from_are_skipped(demo_data):
    Post.objects.all().delete()

    document = explain_json("posts.author", "products.newest")

    assert document["skipped"] == ["posts.author"]
    assert [query["name"] for query in document["queries"]] == ["products.newest"]


def test_an_unknown_query_name_is_refused():
    with pytest.raises(CommandError, match=r"^unknown query 'nope'; known: products"):
        call_command("explain", "nope")


def test_a_sequential_scan_of_a_large_table_is_flagged():
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE explain_big AS SELECT n FROM generate_series(1, 20000) n"
        )
        cursor.execute("ANALYZE explain_big")

    def action() -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT n FROM explain_big WHERE n = %s", [5])

    (report,) = explain_action("big", action)

    assert report.flags == ["sequential scan of explain_big (20,000 rows)"]
    assert report.rows == 1


def test_an_estimate_off_by_more_than_ten_times_is_flagged():
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION explain_rows() RETURNS SETOF int ROWS 5"
            " LANGUAGE plpgsql AS $$ BEGIN"
            " RETURN QUERY SELECT generate_series(1, 5000); END $$"
        )

    def action() -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM explain_rows()")

    (report,) = explain_action("rows", action)

    assert report.flags == ["Function Scan estimated 5 rows, got 5,000"]


def test_a_flagged_plan_makes_the_command_exit_with_status_one():
    with connection.cursor() as cursor:
        # Hide the order indexes so the staff list must scan the table.
        cursor.execute(
            "INSERT INTO orders_order (number, customer_name, email, status,"
            " currency, total, subtotal, placed_at)"
            " SELECT 'PA-' || n, 'Ada', 'ada' || n || '@example.com', 'paid',"
            " 'EUR', 10, 10, now() - n * interval '1 minute'"
            " FROM generate_series(1, 12000) n"
        )
        cursor.execute("ANALYZE orders_order")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("SET LOCAL enable_indexonlyscan = off")

    with pytest.raises(SystemExit) as exit_info:
        call_command("explain", "orders.list", stdout=io.StringIO())

    assert exit_info.value.code == 1
