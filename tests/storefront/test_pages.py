"""Home and product pages through Django's client: content and query counts."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.factories import CategoryFactory, PromotionFactory, product_with_prices
from tests.helpers import assert_in_html, count_queries, tags


def assert_page_queries_constant(client, path, make_rows, sizes=(1, 100)):
    """GET ``path`` after ``make_rows(size)``; the query count must not vary."""
    from pantry.catalog.models import Product

    counts = {}
    for size in sizes:
        Product.objects.all().delete()
        make_rows(size)
        counts[size] = count_queries(
            lambda: client.get(path).status_code == 200 or pytest.fail(path)
        )
    assert len(set(counts.values())) == 1, f"queries depend on rows: {counts}"


@pytest.fixture
def kitchen(db):
    return CategoryFactory(slug="kitchen", name="Kitchen")


def test_home_lists_top_categories_and_newest_products_with_prices(client, kitchen):
    CategoryFactory(slug="knives", name="Knives", parent=kitchen)
    kettle = product_with_prices(
        "kettle", in_category=kitchen, prices=("40.00", "30.00")
    )
    PromotionFactory(product=kettle, percent_off=Decimal("10"))
    product_with_prices("teapot", in_category=kitchen, prices=("25.00",), stock=0)

    html = client.get("/").content.decode()

    assert_in_html(
        '<a role="button" class="outline secondary" href="/categories/kitchen/">'
        "Kitchen</a>",
        html,
    )
    assert "/categories/knives/" not in html
    assert html.index('href="/products/teapot/"') < html.index(
        'href="/products/kettle/"'
    )
    assert_in_html("<ins>27.00 EUR</ins>", html)
    assert "from 25.00 EUR" in html
    assert_in_html('<span class="out-of-stock">Out of stock</span>', html)


def test_home_issues_the_same_queries_for_one_or_many_products(client, kitchen):
    def make_rows(size):
        for index in range(size):
            product_with_prices(f"item-{index}", in_category=kitchen)

    assert_page_queries_constant(client, "/", make_rows, sizes=(1, 20))


def test_product_page_shows_variants_promotion_specs_and_a_form_per_variant(
    client, kitchen
):
    kettle = product_with_prices(
        "kettle",
        in_category=kitchen,
        prices=("40.00", "30.00"),
        specs={"power": {"watts": 2200}, "cordless": True, "colours": ["red", "blue"]},
    )
    PromotionFactory(product=kettle, percent_off=Decimal("10"))

    response = client.get("/products/kettle/")

    html = response.content.decode()
    assert response.status_code == 200
    assert_in_html('<span class="badge badge-sale">10% off</span>', html)
    assert len(tags(html, "form", action="/cart/", method="post")) == 2
    assert html.count('name="csrfmiddlewaretoken"') == 2
    assert_in_html('<input type="hidden" name="sku" value="KETTLE-2">', html)
    assert_in_html("<ins>27.00 EUR</ins>", html)
    assert_in_html("<ins>36.00 EUR</ins>", html)
    assert_in_html('<tr><th scope="row">Power / Watts</th><td>2200</td></tr>', html)
    assert_in_html('<tr><th scope="row">Cordless</th><td>Yes</td></tr>', html)
    assert_in_html('<tr><th scope="row">Colours</th><td>red, blue</td></tr>', html)
    assert html.index("KETTLE-2") < html.index("KETTLE-1")


def test_product_page_of_unknown_or_inactive_product_is_404(client, kitchen):
    product_with_prices("old-kettle", in_category=kitchen, is_active=False)

    assert client.get("/products/old-kettle/").status_code == 404
    assert client.get("/products/nothing-here/").status_code == 404


def test_product_page_queries_do_not_grow_with_variants(client, kitchen):
    def make_rows(size):
        product_with_prices("kettle", in_category=kitchen, prices=("9.00",) * size)

    assert_page_queries_constant(client, "/products/kettle/", make_rows)


def test_product_page_queries_are_few(client, kitchen):
    product_with_prices("kettle", in_category=kitchen)

    assert count_queries(lambda: client.get("/products/kettle/")) <= 4


def test_product_page_lists_public_posts_about_it_newest_first(client, kitchen):
    from django.contrib.auth import get_user_model

    from pantry.journal.services import create_post

    product_with_prices("kettle", in_category=kitchen)
    writer = get_user_model().objects.create_user(username="ines", is_staff=True)
    for title, status in [
        ("Kettle care", "published"),
        ("Kettle secrets", "draft"),
        ("Boiling better", "published"),
    ]:
        create_post(
            user=writer, title=title, body="Water.", status=status, products=["kettle"]
        )

    html = client.get("/products/kettle/").content.decode()

    assert_in_html('<a href="/journal/boiling-better/">Boiling better</a>', html)
    assert_in_html('<a href="/journal/kettle-care/">Kettle care</a>', html)
    assert "Kettle secrets" not in html
    assert html.index("Boiling better") < html.index("Kettle care")
