"""An unknown email and a wrong password cost the same work (API.md: "the
same answer and timing whether or not the email exists").

Counted, not timed: each answer computes exactly one Argon2 hash with the
production parameters, so their times differ only by noise.
"""

from __future__ import annotations

import time

import pytest

from tests.customers import hashers
from tests.factories import PASSWORD, make_customer
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db

HASHER = "tests.customers.hashers.CountingArgon2Hasher"


@pytest.fixture
def argon2(settings):
    settings.PASSWORD_HASHERS = [HASHER]
    hashers.COMPUTED.clear()
    return hashers.COMPUTED


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("nobody@example.com", "wrong password"),
        ("ada@example.com", "wrong password"),
        ("ada@example.com", PASSWORD),
    ],
    ids=["unknown email", "wrong password", "right password"],
)
def test_every_sign_in_computes_exactly_one_argon2_hash(api, argon2, email, password):
    make_customer()
    argon2.clear()

    response = api.post("auth/login", {"email": email, "password": password})

    assert response.status in (200, 401)
    assert len(argon2) == 1, argon2


def test_unknown_email_and_wrong_password_answer_alike_in_similar_time(
    api, argon2, settings
):
    settings.AXES_FAILURE_LIMIT = 100  # ten failures here, not a lockout
    make_customer()

    def attempt(email: str) -> tuple[float, object]:
        started = time.perf_counter()
        response = api.post("auth/login", {"email": email, "password": "wrong"})
        return time.perf_counter() - started, response

    # Interleaved, so a busy machine slows both alike; medians of several.
    unknown, wrong = [], []
    for _ in range(5):
        seconds, response = attempt("nobody@example.com")
        assert_error(response, 401, "invalid_credentials")
        unknown.append(seconds)
        seconds, response = attempt("ada@example.com")
        assert_error(response, 401, "invalid_credentials")
        wrong.append(seconds)
    ratio = sorted(unknown)[2] / sorted(wrong)[2]
    # One Argon2 hash (about 25 ms) each way; the lookup is the same query.
    assert 0.5 < ratio < 2, (unknown, wrong)
