"""Sign-up, sign-in, sign-out and /me of customers over HTTP (API.md)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from pantry.core.models import ApiToken
from pantry.customers.models import Customer
from tests.factories import PASSWORD, make_customer
from tests.helpers import assert_error

SIGN_UP = {"email": "Ada@Example.COM", "password": PASSWORD, "name": "Ada Lovelace"}


def test_sign_up_creates_an_unverified_customer_and_emails_a_link(
    api, db, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("customers", SIGN_UP)

    assert response.status == 201
    customer = Customer.objects.get()
    assert response.body == {
        "id": customer.pk,
        "email": "Ada@example.com",
        "name": "Ada Lovelace",
        "email_verified": False,
    }
    assert not customer.user.is_staff
    assert customer.user.check_password(PASSWORD)
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["Ada@example.com"]
    assert "/account/verify/?token=" in mailoutbox[0].body


@pytest.mark.parametrize("email", ["ada@example.com", "ADA@EXAMPLE.COM"])
def test_an_email_taken_in_any_case_is_409(api, ada, email):
    response = api.post("customers", {**SIGN_UP, "email": email})

    assert_error(response, 409, "email_taken")
    assert Customer.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"email": "not-an-email"}, "email", "Enter a valid email address."),
        (
            {"email": "a\x00@example.com"},
            "email",
            "contains a character that is not accepted (U+0000)",
        ),
        ({"email": "a" * 250 + "@example.com"}, "email", "At most 254 characters."),
        ({"name": "   "}, "name", "This field is required."),
        ({"name": "x" * 201}, "name", "At most 200 characters."),
        (
            {"name": "Ada\x00"},
            "name",
            "contains a character that is not accepted (U+0000)",
        ),
        ({"password": "12345678"}, "password", "This password is too common."),
    ],
)
def test_invalid_sign_up_is_422_naming_the_field_and_creates_nothing(
    api, db, body, field, message
):
    response = api.post("customers", {**SIGN_UP, **body})

    error = assert_error(response, 422, "validation_error")
    assert message in error["fields"][field]
    assert not Customer.objects.exists()
    assert not get_user_model().objects.exists()


def test_a_password_like_the_email_is_refused(api, db):
    response = api.post(
        "customers",
        {
            "email": "margaret.hamilton@example.com",
            "password": "margaret.hamilton",
            "name": "Margaret",
        },
    )

    error = assert_error(response, 422, "validation_error")
    assert "too similar" in error["fields"]["password"]


def test_login_answers_a_customer_token_that_opens_me(api, ada):
    response = api.post(
        "auth/login", {"email": "ADA@example.com", "password": PASSWORD}
    )

    assert response.status == 200
    me = api.get("me", token=response.body["token"])
    assert me.status == 200
    assert me.body == {
        "email": "ada@example.com",
        "name": "Ada Lovelace",
        "email_verified": False,
        "is_staff": False,
    }


def test_staff_tokens_keep_their_me_shape(api, staff_token):
    assert api.get("me", token=staff_token).body == {
        "username": "staff",
        "is_staff": True,
    }


@pytest.mark.parametrize(
    ("email", "password"),
    [("ada@example.com", "wrong password"), ("nobody@example.com", PASSWORD)],
)
def test_wrong_email_or_password_get_the_same_401(api, ada, email, password):
    response = api.post("auth/login", {"email": email, "password": password})

    body = assert_error(response, 401, "invalid_credentials")
    assert body["detail"] == "The email or password is wrong."


def test_a_staff_user_cannot_sign_in_as_a_customer(api, db):
    user = get_user_model().objects.create_user(
        username="boss", email="boss@example.com", password=PASSWORD, is_staff=True
    )
    Customer.objects.create(user=user, email="boss@example.com", name="Boss")

    response = api.post(
        "auth/login", {"email": "boss@example.com", "password": PASSWORD}
    )

    assert_error(response, 401, "invalid_credentials")


def test_repeated_failures_lock_the_account_with_429_and_retry_after(
    api, ada, settings
):
    settings.AXES_FAILURE_LIMIT = 3
    wrong = {"email": "ada@example.com", "password": "wrong"}
    answers = [api.post("auth/login", wrong).status for _ in range(3)]

    locked = api.post("auth/login", {"email": "ada@example.com", "password": PASSWORD})

    # The failure that reaches the limit is already answered 429.
    assert answers == [401, 401, 429]
    assert_error(locked, 429, "too_many_attempts")
    assert locked.headers["Retry-After"] == "900"


def test_failures_across_accounts_lock_the_address(api, ada, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for n in range(3):
        api.post("auth/login", {"email": f"guess{n}@example.com", "password": "x"})

    locked = api.post("auth/login", {"email": "ada@example.com", "password": PASSWORD})

    assert_error(locked, 429, "too_many_attempts")


def test_another_address_may_still_sign_in_to_an_account_under_attack_by_address(
    api, client, ada, settings
):
    settings.AXES_FAILURE_LIMIT = 3
    for n in range(3):
        api.post("auth/login", {"email": f"guess{n}@example.com", "password": "x"})

    response = client.post(
        "/api/v1/auth/login",
        {"email": "ada@example.com", "password": PASSWORD},
        content_type="application/json",
        REMOTE_ADDR="10.0.0.2",
    )

    assert response.status_code == 200


def test_logout_revokes_the_token_used(api, ada_token):
    response = api.post("auth/logout", token=ada_token)

    assert response.status == 204
    assert_error(api.get("me", token=ada_token), 401, "unauthorized")
    assert ApiToken.objects.get().revoked_at is not None


def test_a_customer_token_never_opens_a_staff_endpoint(api, ada_token):
    assert_error(api.get("orders", token=ada_token), 403, "forbidden")
    assert_error(
        api.post("categories", {"slug": "x", "name": "X"}, token=ada_token),
        403,
        "forbidden",
    )


def test_a_staff_token_is_refused_by_customer_endpoints(api, staff_token):
    assert_error(api.get("me/addresses", token=staff_token), 403, "forbidden")


def test_a_customer_session_does_not_open_the_admin(client, ada):
    client.force_login(ada.user, backend="pantry.customers.backends.CustomerBackend")

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_the_admin_login_is_throttled_after_repeated_failures(client, db, settings):
    settings.AXES_FAILURE_LIMIT = 3
    get_user_model().objects.create_superuser("root", "root@example.com", PASSWORD)
    for _ in range(3):
        client.post("/admin/login/", {"username": "root", "password": "wrong"})

    response = client.post("/admin/login/", {"username": "root", "password": PASSWORD})

    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    assert "Too many failed sign-ins" in response.content.decode()


def test_sign_up_with_same_email_in_two_cases_makes_one_account(db):
    make_customer("grace@example.com")

    with pytest.raises(Exception, match="already exists"):
        make_customer("GRACE@example.com")
