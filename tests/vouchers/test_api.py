"""The vouchers endpoints of API.md: staff only, exact shapes, refusals."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pantry.vouchers.models import Voucher
from pantry.vouchers.services import create_voucher, redeem_voucher
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db

BODY = {
    "code": "Spring20",
    "percent_off": "20",
    "currency": "EUR",
    "starts_at": "2026-03-01T00:00:00Z",
    "ends_at": "2026-06-01T00:00:00Z",
    "usage_limit": 100,
    "once_per_customer": True,
    "min_subtotal": "25.00",
}


def test_staff_create_a_voucher_and_get_its_json(api, staff_token):
    response = api.post("vouchers", BODY, token=staff_token)

    assert response.status == 201, response.body
    body = response.body
    assert body.pop("created_at")
    assert body == {
        "code": "Spring20",
        "percent_off": "20.00",
        "amount_off": None,
        "currency": "EUR",
        "starts_at": "2026-03-01T00:00:00Z",
        "ends_at": "2026-06-01T00:00:00Z",
        "usage_limit": 100,
        "used": 0,
        "once_per_customer": True,
        "min_subtotal": "25.00",
    }


def test_get_shows_how_often_a_voucher_was_used(api, staff_token):
    create_voucher(code="USED1", amount_off="5.00", currency="EUR")
    redeem_voucher(
        code="USED1",
        order_ref="PA-1",
        email="a@example.com",
        subtotal=Decimal("9.00"),
        currency="EUR",
    )

    response = api.get("vouchers/used1", token=staff_token)

    assert response.status == 200
    assert response.body["code"] == "USED1"
    assert response.body["amount_off"] == "5.00"
    assert response.body["used"] == 1


def test_vouchers_need_a_staff_token(api):
    assert_error(api.post("vouchers", BODY), 401, "unauthorized")
    assert_error(api.get("vouchers/Spring20"), 401, "unauthorized")
    assert not Voucher.objects.exists()


def test_a_taken_code_in_another_case_is_409(api, staff_token):
    create_voucher(code="SPRING20", percent_off="5")

    body = assert_error(
        api.post("vouchers", BODY, token=staff_token), 409, "voucher_code_taken"
    )

    assert body["detail"] == "A voucher 'Spring20' exists already."
    assert Voucher.objects.count() == 1


def test_an_absurd_voucher_is_422_with_fields_and_saves_nothing(api, staff_token):
    body = assert_error(
        api.post(
            "vouchers",
            {"code": "x", "amount_off": "1e9", "percent_off": "NaN"},
            token=staff_token,
        ),
        422,
        "validation_error",
    )

    assert body["fields"] == {
        "code": "3 to 64 letters, digits, '-' or '_'.",
        "percent_off": "Give exactly one of percent_off and amount_off.",
        "amount_off": "An amount from 0 to below 1000000.",
        "currency": "An amount off needs its currency.",
    }
    assert not Voucher.objects.exists()


def test_an_unknown_voucher_is_404(api, staff_token):
    assert_error(api.get("vouchers/NOPE1", token=staff_token), 404, "not_found")
