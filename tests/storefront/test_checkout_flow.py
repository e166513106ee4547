"""The checkout's steps in Chromium at 1280 and 375 px: a voucher and an
approved payment, and a declined payment that leaves the order placed."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.storefront.conftest import orm_beside_playwright
from tests.storefront.test_flows import fill_address, money

VOUCHER = "BROWSER10"


@pytest.fixture(scope="module")
def voucher(shop, django_db_blocker):
    """A 10% voucher, committed so that the shop's server sees it."""
    from pantry.vouchers.services import create_voucher

    with django_db_blocker.unblock(), orm_beside_playwright():
        create_voucher(code=VOUCHER, percent_off="10")
    return VOUCHER


def add_something(visitor):
    """Put one in-stock variant of a shipped product in the cart."""
    page = visitor.page
    items = json.loads(
        page.request.get(visitor.base + "/api/v1/products?in_stock=true&limit=1").text()
    )["items"]
    product = items[0]
    variant = next(v for v in product["variants"] if v["stock"] > 0)
    visitor.goto(f"/products/{product['slug']}/")
    page.locator(f'.variant[data-sku="{variant["sku"]}"] form').get_by_role(
        "button", name=re.compile("Add to cart")
    ).click()
    expect(page.get_by_text(re.compile(r"^Added 1 of "))).to_be_visible()
    return Decimal(variant["effective_price"])


def address_step(visitor, name):
    page = visitor.page
    visitor.goto("/checkout/")
    expect(page.locator('[aria-current="step"]')).to_have_text("Address")
    visitor.check_accessibility()
    visitor.screenshot("checkout-address")
    page.get_by_label("Full name").fill(name)
    page.get_by_label("Email").fill(f"{name.split()[0].lower()}@example.com")
    fill_address(page)
    page.get_by_role("button", name="Continue to shipping").click()
    page.wait_for_url(re.compile(r"/checkout/shipping/$"))


def test_checkout_with_a_voucher_and_an_approved_payment(visitor, voucher):
    page = visitor.page
    add_something(visitor)
    address_step(visitor, "Ada Lovelace")

    expect(page.locator('[aria-current="step"]')).to_have_text("Shipping")
    radios = page.get_by_role("group", name=re.compile("Shipping method")).get_by_role(
        "radio"
    )
    assert radios.count() >= 1
    expect(radios.first).to_be_checked()
    visitor.check_accessibility()
    visitor.screenshot("checkout-shipping")
    # Back and forth keeps what was entered.
    page.get_by_role("link", name="Back to the address").click()
    expect(page.get_by_label("Full name")).to_have_value("Ada Lovelace")
    page.get_by_role("button", name="Continue to shipping").click()
    page.wait_for_url(re.compile(r"/checkout/shipping/$"))
    radios.last.check()
    page.get_by_role("button", name="Continue to review").click()
    page.wait_for_url(re.compile(r"/checkout/review/$"))

    page.get_by_label("Voucher code").fill("NOT-A-CODE")
    page.get_by_role("button", name="Apply voucher").click()
    expect(page.locator("#voucher-error")).to_be_visible()
    # That refusal is a 400, which Chromium logs as a console error: expected.
    visitor.errors.clear()
    page.get_by_label("Voucher code").fill(voucher)
    page.get_by_role("button", name="Apply voucher").click()
    expect(page.locator(".review-discount")).to_be_visible()
    visitor.check_accessibility()
    visitor.screenshot("checkout-review")
    figures = {
        key: money(page.locator(f".review-{key}").text_content().replace("\u2212", ""))
        for key in ("subtotal", "discount", "shipping", "tax", "total")
    }
    assert figures["discount"] == (figures["subtotal"] / 10).quantize(Decimal("0.01"))

    page.get_by_role("button", name="Place order and pay").click()
    page.wait_for_url(re.compile(r"/payments/fake/[^/]+/$"))
    expect(page.locator(".payment-amount")).to_contain_text(str(figures["total"]))
    visitor.check_accessibility()
    visitor.screenshot("checkout-payment")
    page.get_by_role("button", name="Approve payment").click()
    page.wait_for_url(re.compile(r"/orders/[^/]+/\?token="))

    expect(page.locator(".payment-status")).to_contain_text("Payment received")
    for key, value in figures.items():
        shown = page.locator(f".order-{key}").text_content().replace("\u2212", "")
        assert money(shown) == value, key
    visitor.check_accessibility()
    visitor.screenshot("checkout-paid")


def test_a_declined_payment_leaves_the_order_placed_and_says_so(visitor):
    page = visitor.page
    price = add_something(visitor)
    address_step(visitor, "Grace Hopper")
    page.get_by_role("button", name="Continue to review").click()
    page.wait_for_url(re.compile(r"/checkout/review/$"))
    assert money(page.locator(".review-subtotal").text_content()) == price
    page.get_by_role("button", name="Place order and pay").click()
    page.wait_for_url(re.compile(r"/payments/fake/[^/]+/$"))

    page.get_by_role("button", name="Decline payment").click()
    page.wait_for_url(re.compile(r"/orders/[^/]+/\?token="))

    expect(page.get_by_role("alert")).to_contain_text("Your payment failed")
    expect(page.locator("h1")).to_contain_text("Order ")
    assert "Placed" in page.content()
    visitor.check_accessibility()
    visitor.screenshot("checkout-declined")
