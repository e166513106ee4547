"""What a visitor does, in a real browser at desktop and phone width: filter
the catalog, open a product, fill a cart and check out, search with a typo,
read the journal. Every page is checked with axe-core and photographed."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

PRICE_LOW, PRICE_HIGH = "600", "1500"


def api_json(visitor, path):
    response = visitor.page.request.get(visitor.base + path)
    assert response.ok, (path, response.status)
    return json.loads(response.text())


def listed_slugs(visitor):
    hrefs = visitor.page.locator(".card-grid h3 a").evaluate_all(
        "links => links.map(link => link.getAttribute('href'))"
    )
    return [href.removeprefix("/products/").strip("/") for href in hrefs]


def query_of(url):
    return parse_qs(urlsplit(url).query)


def test_visitor_filters_by_tag_and_price_then_opens_a_product(visitor):
    page = visitor.page
    visitor.goto("/products/")
    visitor.check_accessibility()
    visitor.screenshot("products")

    # A full page load would drop this; htmx swaps keep the same document.
    page.evaluate("window.sameDocument = true")
    page.get_by_role("checkbox", name=re.compile(r"^laptop\b")).check()
    page.wait_for_url(re.compile(r"tag=laptop"))
    page.get_by_label("From", exact=True).fill(PRICE_LOW)
    page.get_by_label("To", exact=True).fill(PRICE_HIGH)
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"max_price=1500"))

    query = query_of(page.url)
    assert query["tag"] == ["laptop"]
    assert query["min_price"] == [PRICE_LOW]
    expected = api_json(
        visitor,
        f"/api/v1/products?tag=laptop&min_price={PRICE_LOW}&max_price={PRICE_HIGH}&limit=24",
    )
    assert listed_slugs(visitor) == [item["slug"] for item in expected["items"]]
    assert expected["items"], "the demo data has laptops in this price range"
    assert page.get_by_role("checkbox", name=re.compile(r"^laptop\b")).is_checked()
    assert page.evaluate("window.sameDocument === true")
    visitor.screenshot("products-filtered")

    first = expected["items"][0]
    page.get_by_role("link", name=first["name"], exact=True).click()
    page.wait_for_url(re.compile(rf"/products/{first['slug']}/$"))

    assert page.get_by_role("heading", level=1).text_content() == first["name"]
    assert page.locator(".variant").count() == len(first["variants"])
    assert page.get_by_role("table").count() == 1
    visitor.check_accessibility()
    visitor.screenshot("product")


def test_filters_work_without_javascript(browser, shop, db):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(shop + "/products/")
        page.get_by_role("checkbox", name=re.compile(r"^laptop\b")).check()
        page.get_by_label("To", exact=True).fill(PRICE_HIGH)
        page.get_by_role("button", name="Apply filters").click()
        page.wait_for_load_state("load")

        query = query_of(page.url)
        assert query["tag"] == ["laptop"]
        assert query["max_price"] == [PRICE_HIGH]
        assert page.locator(".card-grid h3 a").count() > 0
    finally:
        context.close()


def test_back_button_returns_to_the_previous_filters(visitor):
    page = visitor.page
    visitor.goto("/products/")
    page.get_by_role("checkbox", name=re.compile(r"^laptop\b")).check()
    page.wait_for_url(re.compile(r"tag=laptop"))

    page.go_back()
    page.wait_for_url(re.compile(r"/products/$"))

    # htmx restores the page after the URL changes: wait for it, not a race.
    expect(
        page.get_by_role("checkbox", name=re.compile(r"^laptop\b"))
    ).not_to_be_checked()


def test_visitor_searches_with_a_typo_and_follows_the_suggestion(visitor):
    page = visitor.page
    visitor.goto("/")

    search = page.get_by_role("searchbox", name="Search products and posts").first
    search.fill("lapptop")
    search.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q=lapptop"))
    suggestion = page.locator(".suggestion a")
    assert suggestion.text_content() == "laptop"
    visitor.check_accessibility()
    visitor.screenshot("search-typo")

    suggestion.click()
    page.wait_for_url(re.compile(r"q=laptop"))

    assert page.locator(".search-results li").count() > 0
    assert "laptop" in page.locator(".search-results").text_content().lower()
    visitor.check_accessibility()
    visitor.screenshot("search")


def test_search_box_suggests_as_you_type_and_the_keyboard_picks_one(visitor):
    page = visitor.page
    visitor.goto("/")

    search = page.locator("#site-search")
    search.press_sequentially("aur", delay=50)
    first = page.locator("#search-suggestions a").first
    first.wait_for(state="visible")
    href = first.get_attribute("href")
    search.press("ArrowDown")
    assert page.evaluate("document.activeElement.getAttribute('href')") == href
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(re.escape(href) + "$"))

    assert page.get_by_role("heading", level=1).count() == 1


def test_visitor_reads_a_journal_post(visitor):
    page = visitor.page
    visitor.goto("/journal/")
    visitor.check_accessibility()
    visitor.screenshot("journal")

    first = page.locator("main article h2 a, main article h3 a").first
    title = first.text_content().strip()
    first.click()
    page.wait_for_load_state("load")

    assert page.get_by_role("heading", level=1).text_content().strip() == title
    visitor.check_accessibility()
    visitor.screenshot("journal-post")


def shopper_name(product, variant):
    """ "Saffron, 5 g": the product name and the variant's option values."""
    return ", ".join([product["name"], *variant["options"].values()])


def money(text):
    return Decimal(re.search(r"\d+\.\d\d", text).group(0))


@pytest.fixture
def two_variants(visitor):
    """A product with two variants in stock (at least 3 each), from the API."""
    items = api_json(visitor, "/api/v1/products?in_stock=true&limit=100")["items"]
    for item in items:
        stocked = [v for v in item["variants"] if v["stock"] >= 3]
        if len(stocked) >= 2:
            return item, stocked[:2]
    pytest.fail("the demo data has no product with two stocked variants")


def fill_address(page):
    """A German address: the demo ships there by EU standard."""
    page.get_by_label("Street and number").fill("Unter den Linden 1")
    page.get_by_label("Postal code").fill("10117")
    page.get_by_label("City").fill("Berlin")
    page.get_by_label("Country").fill("DE")


def finish_checkout(page, decision="Approve payment"):
    """From the filled address step: the cheapest method, place, pay."""
    page.get_by_role("button", name="Continue to shipping").click()
    page.wait_for_url(re.compile(r"/checkout/shipping/$"))
    page.get_by_role("button", name="Continue to review").click()
    page.wait_for_url(re.compile(r"/checkout/review/$"))
    page.get_by_role("button", name="Place order and pay").click()
    page.wait_for_url(re.compile(r"/payments/fake/[^/]+/$"))
    page.get_by_role("button", name=decision).click()
    page.wait_for_url(re.compile(r"/orders/[^/]+/\?token="))


def with_shipping(subtotal):
    """The demo's EU standard shipping: 4.90, free from 75.00."""
    return subtotal + (Decimal("0.00") if subtotal >= 75 else Decimal("4.90"))


def test_visitor_fills_a_cart_and_checks_out(visitor, two_variants):
    page = visitor.page
    product, (first, second) = two_variants
    visitor.goto(f"/products/{product['slug']}/")

    for variant in (first, second):
        form = page.locator(f'.variant[data-sku="{variant["sku"]}"] form')
        form.get_by_role("button", name=re.compile("Add to cart")).click()
        page.wait_for_url(re.compile(r"/cart/$"))
        page.go_back()
    visitor.goto("/cart/")
    visitor.check_accessibility()
    visitor.screenshot("cart")

    # The cart names the variant as the shopper picked it, not its SKU.
    quantity = f"Quantity of {shopper_name(product, first)}"
    page.get_by_label(quantity, exact=True).fill("2")
    page.locator("form", has=page.get_by_label(quantity, exact=True)).get_by_role(
        "button", name=re.compile("Update")
    ).click()
    expected = 2 * Decimal(first["effective_price"]) + Decimal(
        second["effective_price"]
    )
    # With htmx the cart swaps in place: wait for the new total, not a load.
    expect(page.locator(".cart-total")).to_contain_text(f"{expected} ")
    assert page.get_by_label(quantity, exact=True).input_value() == "2"

    page.get_by_role("link", name=re.compile("checkout", re.IGNORECASE)).click()
    page.wait_for_url(re.compile(r"/checkout/$"))
    visitor.check_accessibility()
    visitor.screenshot("checkout")
    page.get_by_label("Name").fill("Ada Lovelace")
    page.get_by_label("Email").fill("ada@example.com")
    fill_address(page)
    finish_checkout(page)

    assert "Ada Lovelace" in page.content() or "ada@example.com" in page.content()
    assert money(page.locator(".order-total").text_content()) == with_shipping(expected)
    visitor.check_accessibility()
    visitor.screenshot("order")


def test_cart_and_checkout_work_without_javascript(browser, shop, db):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        items = json.loads(
            page.request.get(shop + "/api/v1/products?in_stock=true&limit=1").text()
        )["items"]
        product = items[0]
        variant = next(v for v in product["variants"] if v["stock"] > 0)
        page.goto(shop + f"/products/{product['slug']}/")

        page.locator(f'.variant[data-sku="{variant["sku"]}"] form').get_by_role(
            "button", name=re.compile("Add to cart")
        ).click()
        page.wait_for_url(re.compile(r"/cart/$"))
        page.get_by_text("Proceed to checkout").click()
        page.get_by_label("Name").fill("Grace Hopper")
        page.get_by_label("Email").fill("grace@example.com")
        fill_address(page)
        finish_checkout(page)

        assert money(page.locator(".order-total").text_content()) == with_shipping(
            Decimal(variant["effective_price"])
        )
    finally:
        context.close()
