"""Pages and responses cached under the content generation: served again
until a write commits, never after; never from inside a transaction."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from decimal import Decimal
from typing import Any

import psycopg
import pytest
from django.core.cache import caches
from django.db import connection, connections, transaction
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pantry.catalog.models import Product, Promotion, Variant
from pantry.core import pagecache
from tests.factories import CategoryFactory, PostFactory, product_with_prices

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def empty_cache():
    caches["pages"].clear()
    yield
    caches["pages"].clear()


@pytest.fixture
def kettle():
    kitchen = CategoryFactory(slug="kitchen", name="Kitchen")
    return product_with_prices("steel-kettle", in_category=kitchen, prices=("40.00",))


def _generation(name: str = "content") -> int:
    found = pagecache.generations("default", (name,))
    assert found is not None
    return int(found.removeprefix(f"{name}="))


def _counting(values: list[str]) -> Any:
    """A build that records each call and returns a new value."""

    def build() -> str:
        values.append(f"built {len(values) + 1}")
        return values[-1]

    return build


def _cached(build: Any, until: Any = lambda: None) -> str:
    return pagecache.cached("test", "key", build, model=Product, until=until)


# -- the generation ---------------------------------------------------------


def test_a_committed_write_moves_the_generation_and_a_rolled_back_one_does_not(
    kettle,
):
    before = _generation()
    Variant.objects.filter(product=kettle).update(price=Decimal("35.00"))
    after_write = _generation()
    assert after_write > before
    with transaction.atomic():
        Variant.objects.filter(product=kettle).update(price=Decimal("30.00"))
        transaction.set_rollback(True)
    assert Variant.objects.get(product=kettle).price == Decimal("35.00")
    assert _generation() == after_write


def test_a_transaction_moves_a_generation_once_however_many_writes(kettle):
    before = _generation()
    with transaction.atomic():
        for price in ("31.00", "32.00", "33.00"):
            Variant.objects.filter(product=kettle).update(price=Decimal(price))
        Product.objects.filter(pk=kettle.pk).update(name="Copper kettle")
    assert _generation() == before + 1
    # A savepoint rolled back takes its bump with it; the next write bumps.
    with transaction.atomic():
        with transaction.atomic():
            Product.objects.filter(pk=kettle.pk).update(name="Iron kettle")
            transaction.set_rollback(True)
        Variant.objects.filter(product=kettle).update(price=Decimal("34.00"))
    assert _generation() == before + 2


def test_inside_a_transaction_there_is_no_generation_and_nothing_is_cached(kettle):
    built: list[str] = []
    with transaction.atomic():
        assert pagecache.generations("default") is None
        assert _cached(_counting(built)) == "built 1"
        assert _cached(_counting(built)) == "built 2"
    assert _cached(_counting(built)) == "built 3"
    assert _cached(_counting(built)) == "built 3"


def test_a_truncate_moves_the_generation(kettle):
    before = _generation()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE catalog_promotion")
    assert _generation() > before


def test_a_stock_only_change_moves_the_stock_generation_alone(kettle):
    content, stock = _generation(), _generation("catalog_stock")
    Variant.objects.filter(product=kettle).update(stock=3)
    assert (_generation(), _generation("catalog_stock")) == (content, stock + 1)
    # Selling out rewrites the product's summary: the lists change too.
    Variant.objects.filter(product=kettle).update(stock=0)
    assert _generation() > content
    content = _generation()
    Variant.objects.filter(product=kettle).update(options={"size": "L"})
    assert _generation() == content + 1
    # A statement that changes no row moves nothing.
    stock = _generation("catalog_stock")
    Variant.objects.filter(sku="none-such").update(stock=1)
    assert (_generation(), _generation("catalog_stock")) == (content + 1, stock)


def _connect() -> psycopg.Connection[Any]:
    return psycopg.connect(**connection.get_connection_params())


def test_two_writers_never_wait_on_each_other_for_the_generation():
    kitchen = CategoryFactory(slug="kitchen", name="Kitchen")
    one_product = product_with_prices("kettle", in_category=kitchen)
    other_product = product_with_prices("teapot", in_category=kitchen)
    before = _generation("catalog_stock")
    with _connect() as one, _connect() as two:
        one.execute(
            "UPDATE catalog_variant SET stock = 4 WHERE product_id = %s",
            [one_product.pk],
        )
        # The first writer holds its slot until it commits; the second takes
        # another at once (it would time out waiting).
        two.execute("SET lock_timeout = '200ms'")
        two.execute(
            "UPDATE catalog_variant SET stock = 3 WHERE product_id = %s",
            [other_product.pk],
        )
        two.commit()
        assert _generation("catalog_stock") == before + 1
        one.commit()
    assert _generation("catalog_stock") == before + 2


def test_many_concurrent_writers_all_commit_and_all_count():
    kitchen = CategoryFactory(slug="kitchen", name="Kitchen")
    products = [product_with_prices(f"pot-{n}", in_category=kitchen) for n in range(12)]
    before = _generation("catalog_stock")
    barrier = threading.Barrier(len(products))
    errors: list[BaseException] = []

    def write(product_id: int) -> None:
        try:
            with _connect() as conn:
                conn.execute("SET lock_timeout = '2s'")
                for _ in range(5):
                    barrier.wait(timeout=10)
                    conn.execute(
                        "UPDATE catalog_variant SET stock = stock + 1"
                        " WHERE product_id = %s",
                        [product_id],
                    )
                    conn.commit()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=write, args=(p.pk,)) for p in products]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert _generation("catalog_stock") == before + 5 * len(products)


# -- cached values ----------------------------------------------------------


def test_a_value_is_built_once_per_generation(kettle):
    built: list[str] = []
    assert _cached(_counting(built)) == "built 1"
    assert _cached(_counting(built)) == "built 1"
    Product.objects.filter(pk=kettle.pk).update(name="Copper kettle")
    assert _cached(_counting(built)) == "built 2"
    assert _cached(_counting(built)) == "built 2"


def test_a_value_lives_only_until_the_moment_it_changes_by_itself(kettle):
    built: list[str] = []
    soon = timezone.now() + timedelta(seconds=0.5)
    assert _cached(_counting(built), until=lambda: soon) == "built 1"
    assert _cached(_counting(built), until=lambda: soon) == "built 1"
    time.sleep(0.6)
    later = timezone.now() + timedelta(hours=1)
    assert _cached(_counting(built), until=lambda: later) == "built 2"
    # A moment already passed while building: not kept at all.
    past = timezone.now() - timedelta(seconds=1)
    caches["pages"].clear()
    assert _cached(_counting(built), until=lambda: past) == "built 3"
    assert _cached(_counting(built), until=lambda: past) == "built 4"


def test_threads_missing_one_value_build_it_once(kettle):
    built: list[str] = []
    start = threading.Barrier(6)

    def slow() -> str:
        time.sleep(0.3)
        built.append("built")
        return "value"

    def read(out: list[str]) -> None:
        try:
            start.wait(timeout=10)
            out.append(_cached(slow))
        finally:
            connections.close_all()

    results: list[str] = []
    threads = [threading.Thread(target=read, args=(results,)) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == ["value"] * 6
    assert built == ["built"]


def test_a_failed_build_caches_nothing(kettle):
    def failing() -> str:
        raise LookupError("no")

    with pytest.raises(LookupError):
        _cached(failing)
    built: list[str] = []
    assert _cached(_counting(built)) == "built 1"


def test_with_the_cache_off_every_call_builds_and_reads_nothing(kettle, settings):
    settings.PANTRY_PAGE_CACHE_ENTRIES = 0
    built: list[str] = []
    with CaptureQueriesContext(connection) as queries:
        assert _cached(_counting(built)) == "built 1"
        assert _cached(_counting(built)) == "built 2"
    assert len(queries.captured_queries) == 0


# -- pages and responses ----------------------------------------------------


def test_the_list_page_is_served_from_the_cache_until_a_price_changes(client, kettle):
    assert "40.00" in client.get("/products/").content.decode()
    with CaptureQueriesContext(connection) as queries:
        again = client.get("/products/").content.decode()
    assert "40.00" in again
    [only] = queries.captured_queries
    assert "FROM core_generation" in only["sql"]
    Variant.objects.filter(product=kettle).update(price=Decimal("35.00"))
    assert "35.00" in client.get("/products/").content.decode()
    # The same results for htmx: the cached fragment on its own.
    fragment = client.get("/products/", headers={"HX-Request": "true"})
    assert fragment.content.decode().strip().startswith('<div id="catalog"')
    assert "35.00" in fragment.content.decode()


def test_an_order_size_stock_change_keeps_the_lists_and_shows_on_the_product(
    client, kettle
):
    client.get("/products/")
    assert "5 in stock" in client.get("/products/steel-kettle/").content.decode()
    client.get("/api/v1/products")
    Variant.objects.filter(product=kettle).update(stock=4)
    with CaptureQueriesContext(connection) as queries:
        assert "In stock" in client.get("/products/").content.decode()
    assert len(queries.captured_queries) == 1
    assert "4 in stock" in client.get("/products/steel-kettle/").content.decode()
    items = client.get("/api/v1/products").json()["items"]
    assert items[0]["variants"][0]["stock"] == 4
    Variant.objects.filter(product=kettle).update(stock=0)
    assert "Out of stock" in client.get("/products/").content.decode()


def test_an_order_of_another_product_keeps_a_product_page_and_detail(client, kettle):
    teapot = product_with_prices("teapot", in_category=kettle.category)
    client.get("/products/steel-kettle/")
    client.get("/api/v1/products/steel-kettle")
    Variant.objects.filter(product=teapot).update(stock=2)
    for path in ("/products/steel-kettle/", "/api/v1/products/steel-kettle"):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        assert len(queries.captured_queries) == 1, path
    assert "2 in stock" in client.get("/products/teapot/").content.decode()
    Variant.objects.filter(product=kettle).update(stock=1)
    assert "1 in stock" in client.get("/products/steel-kettle/").content.decode()
    detail = client.get("/api/v1/products/steel-kettle").json()
    assert detail["variants"][0]["stock"] == 1


def test_a_category_page_shows_a_product_added_to_it(client, kettle):
    assert "Steel Kettle" in client.get("/categories/kitchen/").content.decode()
    with CaptureQueriesContext(connection) as queries:
        again = client.get("/categories/kitchen/").content.decode()
    assert "<h1>Kitchen</h1>" in again
    assert len(queries.captured_queries) == 1
    assert client.get("/categories/none-such/").status_code == 404
    product_with_prices(
        "tea-caddy", in_category=kettle.category, name="Tea caddy", prices=("9.00",)
    )
    page = client.get("/categories/kitchen/").content.decode()
    assert "Tea caddy" in page
    assert "Steel Kettle" in page


def test_a_promotion_shows_the_moment_it_starts_without_a_write(client, kettle):
    starts = timezone.now() + timedelta(seconds=1)
    Promotion.objects.create(
        product=kettle,
        percent_off=Decimal("25"),
        during=DateTimeTZRange(starts, starts + timedelta(days=1)),
    )
    assert "badge-sale" not in client.get("/products/").content.decode()
    assert "badge-sale" not in client.get("/api/v1/products").content.decode()
    time.sleep(max(0.0, (starts - timezone.now()).total_seconds()) + 0.05)
    assert "30.00" in client.get("/products/").content.decode()
    items = client.get("/api/v1/products").json()["items"]
    assert items[0]["variants"][0]["effective_price"] == "30.00"


def test_the_api_list_and_detail_change_with_the_catalog(client, kettle):
    first = client.get("/api/v1/products").json()
    assert client.get("/api/v1/products").json() == first
    assert first["items"][0]["name"] == "Steel Kettle"
    Product.objects.filter(pk=kettle.pk).update(name="Copper kettle")
    assert client.get("/api/v1/products").json()["items"][0]["name"] == (
        "Copper kettle"
    )
    assert client.get("/api/v1/products/steel-kettle").json()["name"] == (
        "Copper kettle"
    )
    Variant.objects.filter(product=kettle).update(stock=0)
    detail = client.get("/api/v1/products/steel-kettle").json()
    assert detail["variants"][0]["stock"] == 0
    # Errors are answered each time, never cached.
    assert client.get("/api/v1/products/none-such").status_code == 404
    assert client.get("/api/v1/products?limit=0").status_code == 400


def test_a_cached_product_page_carries_each_visitors_own_csrf_token(kettle):
    pages = []
    for _ in range(2):
        visitor = Client(enforce_csrf_checks=True)
        response = visitor.get("/products/steel-kettle/")
        html = response.content.decode()
        assert "\x00" not in html
        token = html.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
        pages.append(html.replace(token, "TOKEN"))
        added = visitor.post(
            "/cart/",
            {
                "action": "add",
                "sku": "STEEL-KETTLE-1",
                "quantity": "1",
                "csrfmiddlewaretoken": token,
            },
        )
        assert added.status_code == 302
    assert pages[0] == pages[1]


def test_a_product_page_lists_a_post_the_moment_it_goes_public(client, kettle):
    public_at = timezone.now() + timedelta(seconds=1)
    post = PostFactory(title="Kettles we love", published_at=public_at)
    post.products.add(kettle)
    assert (
        "Kettles we love" not in client.get("/products/steel-kettle/").content.decode()
    )
    time.sleep(max(0.0, (public_at - timezone.now()).total_seconds()) + 0.05)
    assert "Kettles we love" in client.get("/products/steel-kettle/").content.decode()
