"""Changing the account's email: confirmed from the new address, told to the old."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from pantry.customers.email_change import email_change_token
from pantry.customers.models import Customer
from pantry.orders.models import Order
from pantry.orders.services import place_order
from tests.factories import PASSWORD, VariantFactory, make_customer
from tests.helpers import assert_error


def link_token(body: str) -> str:
    match = re.search(r"/account/email/confirm/\?token=(\S+)", body)
    assert match, body
    return match.group(1)


def test_the_account_moves_once_the_new_address_confirms_and_the_old_is_told(
    api, ada, ada_token, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "me/email",
            {"email": " Ada@Analytical.example ", "password": PASSWORD},
            token=ada_token,
        )

    assert response.status == 202
    assert "Ada@analytical.example" in response.body["detail"]
    [confirmation] = mailoutbox
    assert confirmation.to == ["Ada@analytical.example"]
    ada.refresh_from_db()
    assert ada.email == "ada@example.com"  # nothing moves before the link

    with django_capture_on_commit_callbacks(execute=True):
        confirmed = api.post(
            "auth/email-change/confirm", {"token": link_token(confirmation.body)}
        )

    assert confirmed.status == 200
    assert confirmed.body["email"] == "Ada@analytical.example"
    assert confirmed.body["email_verified"] is True
    notice = mailoutbox[1]
    assert notice.to == ["ada@example.com"]
    assert "changed to Ada@analytical.example" in notice.body
    ada.refresh_from_db()
    assert (ada.email, ada.user.email) == ("Ada@analytical.example",) * 2
    me = api.get("me", token=ada_token)
    assert me.body["email"] == "Ada@analytical.example"


def test_a_change_link_works_once_and_not_after_another_change(api, ada):
    first = email_change_token(ada, "one@example.com")
    second = email_change_token(ada, "two@example.com")

    assert api.post("auth/email-change/confirm", {"token": first}).status == 200
    assert_error(
        api.post("auth/email-change/confirm", {"token": first}), 400, "invalid_token"
    )
    assert_error(
        api.post("auth/email-change/confirm", {"token": second}), 400, "invalid_token"
    )
    assert Customer.objects.get(pk=ada.pk).email == "one@example.com"


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        (
            {"email": "new@example.com", "password": "wrong"},
            422,
            "validation_error",
            "password",
        ),
        (
            {"email": "not an email", "password": PASSWORD},
            422,
            "validation_error",
            "email",
        ),
        (
            {"email": "ADA@example.com", "password": PASSWORD},
            422,
            "validation_error",
            "email",
        ),
        ({"email": "bob@example.com", "password": PASSWORD}, 409, "email_taken", None),
    ],
)
def test_a_refused_change_sends_nothing(
    api, ada, ada_token, mailoutbox, django_capture_on_commit_callbacks,
    body, status, code, field,
):  # fmt: skip
    make_customer("bob@example.com")
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("me/email", body, token=ada_token)

    assert_error(response, status, code)
    if field:
        assert field in response.body["fields"]
    assert mailoutbox == []


def test_an_address_taken_before_the_link_is_used_is_409_and_nothing_moves(api, ada):
    token = email_change_token(ada, "grace@example.com")
    make_customer("GRACE@example.com")

    response = api.post("auth/email-change/confirm", {"token": token})

    assert_error(response, 409, "email_taken")
    assert Customer.objects.get(pk=ada.pk).email == "ada@example.com"


def test_changing_needs_a_customer_token(api, staff_token):
    body = {"email": "new@example.com", "password": PASSWORD}
    assert api.post("me/email", body).status == 401
    assert api.post("me/email", body, token=staff_token).status in (401, 403)


def test_the_confirmed_address_claims_its_guest_orders(api, ada):
    VariantFactory(sku="MUG-1", price=Decimal("9.50"), stock=10)
    guest = place_order(
        name="Ada", email="ada@analytical.example", lines=[("MUG-1", 1)]
    ).number

    response = api.post(
        "auth/email-change/confirm",
        {"token": email_change_token(ada, "Ada@Analytical.example")},
    )

    assert response.body["claimed_orders"] == 1
    assert Order.objects.get(number=guest).customer_id == ada.pk
