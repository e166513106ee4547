"""Verification, password reset, addresses and a customer's orders (API.md)."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from pantry.customers.models import Address, Customer
from pantry.customers.services import password_reset_token, verification_token
from pantry.orders.models import Order
from pantry.orders.services import place_order
from tests.factories import PASSWORD, VariantFactory, make_customer
from tests.helpers import assert_constant_queries, assert_error, assert_uses_index

ADDRESS = {
    "name": "Ada Lovelace",
    "line1": "12 St James's Square",
    "city": "London",
    "postal_code": "SW1Y 4JH",
    "country": "gb",
}


@pytest.fixture
def mug(db):
    return VariantFactory(sku="MUG-1", price=Decimal("9.50"), stock=1000)


def guest_order(email: str) -> str:
    return place_order(name="Guest", email=email, lines=[("MUG-1", 1)]).number


def test_verifying_claims_only_that_emails_unclaimed_guest_orders(api, ada, mug):
    mine = [guest_order("ada@example.com"), guest_order("ADA@Example.com")]
    other = guest_order("grace@example.com")
    bob = make_customer("bob@example.com")
    taken = place_order(
        name="Ada", email="ada@example.com", lines=[("MUG-1", 1)], customer_id=bob.pk
    ).number

    response = api.post("auth/verify", {"token": verification_token(ada)})

    assert response.status == 200
    assert response.body["email_verified"] is True
    assert response.body["claimed_orders"] == 2
    owners = dict(Order.objects.values_list("number", "customer_id"))
    assert {owners[n] for n in mine} == {ada.pk}
    assert owners[other] is None
    assert owners[taken] == bob.pk


def test_an_unverified_customer_claims_nothing(api, ada, ada_token, mug):
    guest_order("ada@example.com")

    response = api.get("me/orders", token=ada_token)

    assert response.body == {"items": [], "next": None}


def test_claiming_uses_the_email_index(db):
    assert_uses_index(
        "UPDATE orders_order SET customer_id = 1 "
        "WHERE lower(email) = lower('ada@example.com') AND customer_id IS NULL",
        "orders_order_email_placed",
    )


@pytest.mark.parametrize(
    "token",
    ["garbage", "", "x" * 600, "eyJpZCI6MX0:1vQ7xy:forged-signature"],
)
def test_a_tampered_verification_token_is_400_and_changes_nothing(api, ada, token):
    response = api.post("auth/verify", {"token": token})

    assert_error(response, 400, "invalid_token")
    assert not Customer.objects.get().email_verified


def test_an_expired_verification_token_is_400(api, ada, settings):
    token = verification_token(ada)
    settings.PANTRY_VERIFY_MAX_AGE = -1

    assert_error(api.post("auth/verify", {"token": token}), 400, "invalid_token")
    assert not Customer.objects.get().email_verified


def test_password_reset_answers_202_whether_or_not_the_email_exists(
    api, ada, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        known = api.post("auth/password-reset", {"email": "ADA@example.com"})
        unknown = api.post("auth/password-reset", {"email": "nobody@example.com"})

    assert (known.status, unknown.status) == (202, 202)
    assert known.body == unknown.body
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["ada@example.com"]
    token = re.search(r"token=(\S+)", mailoutbox[0].body).group(1)
    assert token == password_reset_token(ada.user)


def test_a_reset_token_sets_the_password_once_and_revokes_tokens(api, ada, ada_token):
    token = password_reset_token(ada.user)

    first = api.post(
        "auth/password-reset/confirm", {"token": token, "password": "new horse 2027!"}
    )
    again = api.post(
        "auth/password-reset/confirm", {"token": token, "password": "other horse 22"}
    )

    assert first.status == 200
    assert_error(again, 400, "invalid_token")
    ada.user.refresh_from_db()
    assert ada.user.check_password("new horse 2027!")
    assert_error(api.get("me", token=ada_token), 401, "unauthorized")


def test_a_weak_new_password_is_422_and_keeps_the_old(api, ada):
    response = api.post(
        "auth/password-reset/confirm",
        {"token": password_reset_token(ada.user), "password": "password"},
    )

    assert_error(response, 422, "validation_error")
    ada.user.refresh_from_db()
    assert ada.user.check_password(PASSWORD)


@pytest.mark.parametrize("token", ["nodot", "AAA.bad", "!!!.x", "MQ.1-2"])
def test_a_tampered_reset_token_is_400(api, ada, token):
    response = api.post(
        "auth/password-reset/confirm", {"token": token, "password": "new horse 2027!"}
    )

    assert_error(response, 400, "invalid_token")


def test_addresses_are_created_listed_changed_and_deleted(api, ada_token):
    first = api.post("me/addresses", {**ADDRESS, "is_default": True}, token=ada_token)
    second = api.post(
        "me/addresses", {**ADDRESS, "city": "Paris", "country": "FR"}, token=ada_token
    )

    assert first.status == 201
    assert first.body == {
        "id": first.body["id"],
        "name": "Ada Lovelace",
        "line1": "12 St James's Square",
        "line2": "",
        "city": "London",
        "postal_code": "SW1Y 4JH",
        "region": "",
        "country": "GB",
        "phone": "",
        "is_default": True,
    }
    changed = api.patch(
        f"me/addresses/{second.body['id']}", {"is_default": True}, token=ada_token
    )
    assert changed.body["is_default"] is True
    listed = api.get("me/addresses", token=ada_token).body["items"]
    assert [(a["city"], a["is_default"]) for a in listed] == [
        ("Paris", True),
        ("London", False),
    ]
    assert api.delete(f"me/addresses/{first.body['id']}", token=ada_token).status == 204
    assert Address.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"country": "XX"}, "country"),
        ({"country": "GBR"}, "country"),
        ({"city": "Lon\x00don"}, "city"),
        ({"line1": "x" * 201}, "line1"),
        ({"name": ""}, "name"),
    ],
)
def test_an_invalid_address_is_422_and_stores_nothing(api, ada_token, change, field):
    response = api.post("me/addresses", {**ADDRESS, **change}, token=ada_token)

    assert field in assert_error(response, 422, "validation_error")["fields"]
    assert not Address.objects.exists()


def test_the_database_refuses_a_second_default_and_a_bad_country(ada):
    Address.objects.create(
        customer=ada, **{**ADDRESS, "country": "GB"}, is_default=True
    )
    with (
        pytest.raises(IntegrityError, match="customers_address_one_default"),
        transaction.atomic(),
    ):
        Address.objects.create(
            customer=ada, **{**ADDRESS, "country": "GB"}, is_default=True
        )
    with pytest.raises(IntegrityError, match="customers_address_country_iso"):
        Address.objects.create(customer=ada, **{**ADDRESS, "country": "ZZ"})


def test_another_customers_address_is_404(api, ada_token):
    grace = make_customer("grace@example.com")
    theirs = Address.objects.create(customer=grace, **{**ADDRESS, "country": "GB"})

    assert_error(
        api.patch(f"me/addresses/{theirs.pk}", {"city": "X"}, token=ada_token),
        404,
        "not_found",
    )
    assert_error(
        api.delete(f"me/addresses/{theirs.pk}", token=ada_token), 404, "not_found"
    )
    assert Address.objects.get().city == "London"


def test_an_order_placed_with_a_customer_token_is_theirs(api, ada, ada_token, mug):
    response = api.post(
        "orders",
        {
            "customer": {"name": "Ada", "email": "ada@example.com"},
            "lines": [{"sku": "MUG-1", "quantity": 2}],
        },
        token=ada_token,
    )

    assert response.status == 201
    number = response.body["number"]
    assert Order.objects.get(number=number).customer_id == ada.pk
    detail = api.get(f"orders/{number}", token=ada_token)
    assert detail.status == 200
    assert detail.body["number"] == number


def test_an_invalid_bearer_token_on_an_order_is_401(api, mug):
    response = api.post(
        "orders",
        {
            "customer": {"name": "Ada", "email": "ada@example.com"},
            "lines": [{"sku": "MUG-1", "quantity": 2}],
        },
        token="pty_nope",
    )

    assert_error(response, 401, "unauthorized")
    assert not Order.objects.exists()


def test_another_customers_order_is_404_to_a_customer(api, ada_token, mug):
    grace = make_customer("grace@example.com")
    number = place_order(
        name="G", email="grace@example.com", lines=[("MUG-1", 1)], customer_id=grace.pk
    ).number

    assert_error(api.get(f"orders/{number}", token=ada_token), 404, "not_found")


def test_my_orders_pages_newest_first_with_constant_queries(api, ada, ada_token, mug):
    now = timezone.now()
    orders = [
        Order.objects.create(
            number=f"PA-{n:010d}",
            customer_name="Ada",
            email="ada@example.com",
            currency="EUR",
            total=Decimal("1.00"),
            subtotal=Decimal("1.00"),
            placed_at=now - timedelta(minutes=n),
            customer=ada,
        )
        for n in range(5)
    ]
    Order.objects.create(
        number="PA-GUEST00000",
        customer_name="G",
        email="ada@example.com",
        currency="EUR",
        total=Decimal("1.00"),
        subtotal=Decimal("1.00"),
        placed_at=now,
    )

    first = api.get("me/orders", {"limit": 3}, token=ada_token).body
    second = api.get(
        "me/orders", {"limit": 3, "cursor": first["next"]}, token=ada_token
    ).body

    numbers = [o["number"] for o in first["items"] + second["items"]]
    assert numbers == [o.number for o in orders]
    assert second["next"] is None
    assert_constant_queries(
        lambda size: api.get("me/orders", {"limit": size}, token=ada_token)
    )


def test_my_orders_use_the_customer_index(ada):
    assert_uses_index(
        Order.objects.filter(customer_id=ada.pk).order_by("-placed_at", "-id")[:20],
        "orders_order_customer_placed",
    )


def test_a_tampered_orders_cursor_is_400(api, ada_token):
    assert_error(
        api.get("me/orders", {"cursor": "nope"}, token=ada_token), 400, "bad_cursor"
    )
