"""Account pages with Django's client: forms, sessions, carts and throttling."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from pantry.customers import carts
from pantry.customers.models import Address, Customer
from pantry.customers.services import password_reset_token, verification_token
from pantry.orders.models import Order
from pantry.orders.services import place_order
from tests.factories import PASSWORD, VariantFactory, make_customer
from tests.orders.checkout_steps import walk_checkout


@pytest.fixture
def ada(db) -> Customer:
    return make_customer()


@pytest.fixture
def mug(db):
    return VariantFactory(
        sku="MUG-1", price=Decimal("12.50"), stock=50, product__name="Blue Mug"
    )


def sign_in(client: Client, email: str = "ada@example.com", password: str = PASSWORD):
    return client.post("/account/login/", {"email": email, "password": password})


def add(client: Client, sku: str = "MUG-1", quantity: int = 2):
    return client.post("/cart/", {"action": "add", "sku": sku, "quantity": quantity})


@pytest.mark.parametrize(
    "path",
    [
        "/account/signup/",
        "/account/login/",
        "/account/logout/",
        "/account/password-reset/",
        "/account/password-reset/confirm/?token=x",
        "/account/verify/?token=x",
        "/account/email/confirm/?token=x",
    ],
)
def test_account_forms_carry_a_csrf_token_and_the_csp(client, db, path):
    response = client.get(path)

    assert response.status_code == 200
    assert 'name="csrfmiddlewaretoken"' in response.text
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_signing_up_signs_in_and_shows_the_account(client, db):
    response = client.post(
        "/account/signup/",
        {"name": "Ada Lovelace", "email": "ada@example.com", "password": PASSWORD},
    )
    page = client.get("/account/")

    assert response.status_code == 302
    assert "Signed in as Ada Lovelace (ada@example.com)" in page.text
    assert "email not confirmed yet" in page.text


def test_a_weak_password_on_the_signup_page_is_shown_beside_the_field(client, db):
    response = client.post(
        "/account/signup/",
        {"name": "Ada", "email": "ada@example.com", "password": "123"},
    )

    assert response.status_code == 400
    assert "This password is too short." in response.text
    assert not Customer.objects.exists()


def test_wrong_credentials_say_so_without_telling_which(client, ada):
    wrong = sign_in(client, password="nope")
    unknown = sign_in(client, email="nobody@example.com")

    assert wrong.status_code == unknown.status_code == 200
    assert "The email or password is wrong." in wrong.text
    assert "The email or password is wrong." in unknown.text


def test_the_login_page_pauses_after_repeated_failures(client, ada, settings):
    settings.AXES_FAILURE_LIMIT = 2
    sign_in(client, password="nope")
    sign_in(client, password="nope")

    response = sign_in(client)

    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    assert "Too many failed sign-ins. Signing in is paused for 15 minutes." in (
        response.text
    )


def test_signing_in_merges_the_visitors_cart_into_the_saved_one(client, ada, mug):
    carts.add_to_cart(
        customer_id=ada.pk, sku="MUG-1", quantity=3, max_quantity=1000, max_lines=100
    )
    add(client, quantity=2)

    sign_in(client)

    assert carts.cart_quantities(customer_id=ada.pk) == {"MUG-1": 5}
    assert "cart" not in client.session
    assert "Blue Mug" in client.get("/cart/").text


def test_a_signed_in_cart_follows_the_customer_to_another_device(ada, mug):
    phone, laptop = Client(), Client()
    sign_in(phone)
    sign_in(laptop)

    add(phone, quantity=1)
    add(laptop, quantity=2)

    assert carts.cart_quantities(customer_id=ada.pk) == {"MUG-1": 3}
    assert (
        '<input id="quantity-1" type="number" name="quantity" min="0" max="1000" value="3"'
        in (phone.get("/cart/").text)
    )


def test_cart_posts_that_keep_nothing_create_no_session(db, mug):
    for _ in range(30):
        visitor = Client()
        visitor.post("/cart/", {"action": "remove", "sku": "MUG-1"})
        visitor.post("/cart/", {"action": "add", "sku": "NOPE", "quantity": 1})
        visitor.post("/cart/", {"action": "add", "sku": "", "quantity": "x"})

    assert Session.objects.count() == 0


def test_checkout_prefills_the_customer_and_the_order_is_theirs(
    client, ada, mug, settings
):
    settings.PANTRY_PAYMENT_DEFAULT = "manual"  # placing ends on the order page
    sign_in(client)
    add(client)

    page = client.get("/checkout/")
    placed = walk_checkout(client)

    assert 'value="Ada Lovelace"' in page.text
    assert 'value="ada@example.com"' in page.text
    order = Order.objects.get()
    assert order.customer_id == ada.pk
    assert placed.status_code == 302
    assert carts.cart_quantities(customer_id=ada.pk) == {}
    # The owner opens the order without its token.
    assert client.get(f"/orders/{order.number}/").status_code == 200


def test_checkout_starts_from_the_customers_default_address(client, ada, mug):
    Address.objects.create(
        customer=ada, name="Ada at home", line1="1 Old Road", city="Bath",
        country="GB", created_at=timezone.now(),
    )  # fmt: skip
    Address.objects.create(
        customer=ada, name="Ada Lovelace", line1="12 St James's Square",
        city="London", postal_code="SW1Y 4JH", country="GB", is_default=True,
        created_at=timezone.now() - timedelta(days=1),
    )  # fmt: skip
    sign_in(client)
    add(client)

    page = client.get("/checkout/").text

    assert 'value="12 St James&#x27;s Square"' in page
    assert 'value="SW1Y 4JH"' in page
    assert 'value="London"' in page
    assert 'value="GB"' in page
    assert "1 Old Road" not in page


def test_verifying_by_page_needs_a_post_and_claims_guest_orders(client, ada, mug):
    place_order(name="Ada", email="ada@example.com", lines=[("MUG-1", 1)])
    token = verification_token(ada)

    shown = client.get(f"/account/verify/?token={token}")
    assert not Customer.objects.get().email_verified
    done = client.post("/account/verify/", {"token": token}, follow=True)

    assert shown.status_code == 200
    assert Customer.objects.get().email_verified
    assert Order.objects.get().customer_id == ada.pk
    assert "Your email address is confirmed. 1 earlier order(s) joined" in done.text


def test_a_bad_verification_link_says_so(client, ada):
    response = client.post("/account/verify/", {"token": "forged"})

    assert response.status_code == 400
    assert "This link is invalid or has expired." in response.text


def test_password_reset_pages_set_a_new_password(client, ada):
    asked = client.post("/account/password-reset/", {"email": "nobody@example.com"})
    token = password_reset_token(ada.user)
    response = client.post(
        "/account/password-reset/confirm/",
        {"token": token, "password": "a brand new phrase"},
    )

    assert asked.status_code == 302
    assert response.status_code == 302
    assert sign_in(client, password="a brand new phrase").status_code == 302


def test_addresses_are_added_made_default_and_deleted_by_page(client, ada):
    sign_in(client)
    fields = {
        "name": "Ada",
        "line1": "1 Main St",
        "city": "Berlin",
        "country": "de",
    }
    client.post("/account/addresses/new/", {**fields, "is_default": "on"})
    client.post("/account/addresses/new/", {**fields, "city": "Paris", "country": "FR"})
    paris = Address.objects.get(city="Paris")

    client.post(f"/account/addresses/{paris.pk}/default/")
    page = client.get("/account/")
    client.post(f"/account/addresses/{paris.pk}/delete/")

    assert "Paris" in page.text
    assert list(Address.objects.values_list("city", "country", "is_default")) == [
        ("Berlin", "DE", False)
    ]


def test_another_customers_address_page_is_404(client, ada):
    grace = make_customer("grace@example.com")
    theirs = Address.objects.create(
        customer=grace, name="G", line1="x", city="y", country="GB"
    )
    sign_in(client)

    assert client.get(f"/account/addresses/{theirs.pk}/").status_code == 404
    assert client.post(f"/account/addresses/{theirs.pk}/delete/").status_code == 404
    assert Address.objects.count() == 1


def test_the_account_page_needs_a_signed_in_customer(client, db):
    response = client.get("/account/")

    assert response.status_code == 302
    assert response["Location"] == "/account/login/?next=/account/"


def test_signing_out_ends_the_session(client, ada):
    sign_in(client)

    client.post("/account/logout/")

    assert client.get("/account/").status_code == 302


def test_the_email_changes_by_page_after_the_link_and_a_post(
    client, ada, mailoutbox, django_capture_on_commit_callbacks
):
    sign_in(client)
    assert 'href="/account/email/"' in client.get("/account/").text
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/account/email/", {"email": "ada@new.example", "password": PASSWORD}
        )
    assert response.status_code == 302
    link = re.search(r"/account/email/confirm/\?token=\S+", mailoutbox[-1].body)
    assert link

    shown = client.get(link.group(0))
    assert shown.status_code == 200
    assert Customer.objects.get(pk=ada.pk).email == "ada@example.com"  # GET is safe
    token = re.search(r'name="token" value="([^"]+)"', shown.text)
    assert token
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post("/account/email/confirm/", {"token": token.group(1)})

    assert done.status_code == 302
    assert Customer.objects.get(pk=ada.pk).email == "ada@new.example"
    assert mailoutbox[-1].to == ["ada@example.com"]
    assert "ada@new.example" in client.get("/account/").text


def test_a_wrong_password_on_the_email_page_is_shown_and_sends_nothing(
    client, ada, mailoutbox
):
    sign_in(client)
    mailoutbox.clear()

    response = client.post(
        "/account/email/", {"email": "ada@new.example", "password": "wrong"}
    )

    assert response.status_code == 400
    assert "Wrong password." in response.text
    assert mailoutbox == []
