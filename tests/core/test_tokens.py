"""Staff bearer tokens: created by the CLI, stored hashed, checked per request."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from pantry.core.models import ApiToken, token_digest
from pantry.core.services import create_token, revoke_tokens
from tests.helpers import assert_error


def test_token_create_makes_a_staff_user_and_prints_the_token_once(db):
    out = StringIO()

    call_command("token", "create", "grace", stdout=out, stderr=StringIO())

    token = out.getvalue().strip()
    user = get_user_model().objects.get(username="grace")
    assert user.is_staff
    assert not user.has_usable_password()
    stored = ApiToken.objects.get(user=user)
    assert stored.digest == token_digest(token)
    assert token not in {stored.digest, stored.hint}


def test_a_valid_token_authenticates(api, db):
    token = create_token(username="ada")

    response = api.get("/api/v1/me", token=token)

    assert response.status == 200
    assert response.body == {"username": "ada", "is_staff": True}


def test_a_missing_token_is_401(api, db):
    response = api.get("/api/v1/me")

    assert_error(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize(
    "header",
    ["Bearer pty_wrong", "Bearer ", "Basic YWRhOmFkYQ==", "Bearer " + "x" * 5000],
)
def test_a_wrong_token_is_401(api, db, header):
    create_token(username="ada")

    response = api.get("/api/v1/me", headers={"Authorization": header})

    assert_error(response, 401, "unauthorized")


def test_a_revoked_token_is_401(api, db):
    token = create_token(username="ada")
    out = StringIO()
    call_command("token", "revoke", "ada", stdout=out)

    response = api.get("/api/v1/me", token=token)

    assert out.getvalue().strip() == "revoked 1 token"
    assert_error(response, 401, "unauthorized")


def test_a_token_of_a_user_who_lost_staff_status_is_403(api, db):
    token = create_token(username="ada")
    get_user_model().objects.filter(username="ada").update(is_staff=False)

    assert_error(api.get("/api/v1/me", token=token), 403, "forbidden")


def test_revoking_tokens_of_an_unknown_user_is_a_clear_error(db):
    with pytest.raises(CommandError, match=r"There is no user 'nobody'\."):
        call_command("token", "revoke", "nobody")


def test_an_over_long_username_is_refused(db):
    with pytest.raises(CommandError, match=r"A username has 1 to 150 characters\."):
        call_command("token", "create", "x" * 151)
    assert not get_user_model().objects.exists()


def test_revoking_only_touches_active_tokens(db):
    create_token(username="ada")
    create_token(username="ada")

    assert revoke_tokens(username="ada") == 2
    assert revoke_tokens(username="ada") == 0
