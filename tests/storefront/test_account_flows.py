"""A shopper's account in a real browser at desktop and phone width: sign up,
add an address, sign out, fail and then succeed to sign in, and keep a cart
across the sign-in. Every page is checked with axe-core and photographed."""

from __future__ import annotations

import re

from playwright.sync_api import expect

PASSWORD = "a long kitchen phrase"


def sign_up(visitor, email):
    page = visitor.page
    visitor.goto("/account/signup/")
    visitor.check_accessibility()
    visitor.screenshot("account-signup")
    page.get_by_label("Full name").fill("Ada Lovelace")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(re.compile(r"/account/$"))


def test_shopper_signs_up_adds_an_address_and_signs_back_in(visitor):
    page = visitor.page
    email = f"ada-{visitor.width}@example.com"
    sign_up(visitor, email)

    expect(page.get_by_text(f"Signed in as Ada Lovelace ({email})")).to_be_visible()
    page.get_by_label("Address line 1").fill("12 St James's Square")
    page.get_by_label("City").fill("London")
    page.get_by_label("Country code (ISO, e.g. DE)").fill("gb")
    page.get_by_label("Default address").check()
    page.get_by_role("button", name="Add address").click()
    expect(page.get_by_text("Address saved.")).to_be_visible()
    expect(page.locator(".address")).to_contain_text("GB · default")
    visitor.check_accessibility()
    visitor.screenshot("account")

    page.get_by_role("button", name="Sign out").first.click()
    page.wait_for_url(re.compile(r"/$"))
    visitor.goto("/account/")
    page.wait_for_url(re.compile(r"/account/login/\?next=/account/$"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("not my password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("The email or password is wrong.")
    visitor.check_accessibility()
    visitor.screenshot("account-login-failed")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.wait_for_url(re.compile(r"/account/$"))
    expect(page.locator(".address")).to_contain_text("London")


def test_the_cart_of_a_visitor_joins_the_account_at_sign_in(visitor):
    page = visitor.page
    email = f"grace-{visitor.width}@example.com"
    sign_up(visitor, email)
    page.get_by_role("button", name="Sign out").first.click()
    page.wait_for_url(re.compile(r"/$"))

    visitor.goto("/products/")
    page.locator(".card-grid h3 a").first.click()
    page.get_by_role("button", name=re.compile("Add to cart")).first.click()
    expect(page.get_by_text(re.compile(r"^Added 1 of "))).to_be_visible()
    visitor.goto("/account/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/account/$"))
    visitor.goto("/checkout/")

    expect(page.get_by_label("Full name")).to_have_value("Ada Lovelace")
    expect(page.get_by_label("Email")).to_have_value(email)
    visitor.check_accessibility()
    visitor.screenshot("checkout-signed-in")


def test_password_reset_page_answers_the_same_for_any_email(visitor):
    page = visitor.page
    visitor.goto("/account/password-reset/")
    visitor.check_accessibility()
    page.get_by_label("Email").fill("nobody@example.com")
    page.get_by_role("button", name="Send the link").click()

    expect(
        page.get_by_text("If an account has this email, a reset link is on its way.")
    ).to_be_visible()
    visitor.screenshot("account-password-reset")


def test_signing_up_and_in_works_without_javascript(browser, shop, db):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(shop + "/account/signup/")
        page.get_by_label("Full name").fill("No Script")
        page.get_by_label("Email").fill("noscript@example.com")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Create account").click()
        page.wait_for_url(re.compile(r"/account/$"))
        page.get_by_role("button", name="Sign out").first.click()
        page.goto(shop + "/account/login/")
        page.get_by_label("Email").fill("noscript@example.com")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()

        page.wait_for_url(re.compile(r"/account/$"))
        expect(page.get_by_text("Signed in as No Script")).to_be_visible()
    finally:
        context.close()
