"""Vouchers: creation rules, checks, redemption under its limit, release."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from pantry.core.errors import Invalid
from pantry.vouchers.errors import VoucherCodeTaken, VoucherExhausted, VoucherInvalid
from pantry.vouchers.models import Redemption, Voucher
from pantry.vouchers.services import (
    check_voucher,
    create_voucher,
    redeem_voucher,
    release_vouchers,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def redeem(code: str, order_ref: str, email: str = "ada@example.com", **kw):
    return redeem_voucher(
        code=code,
        order_ref=order_ref,
        email=email,
        subtotal=kw.pop("subtotal", Decimal("50.00")),
        currency=kw.pop("currency", "EUR"),
        **kw,
    )


def test_codes_are_unique_whatever_their_letter_case():
    create_voucher(code="Summer10", percent_off="10")

    with pytest.raises(
        VoucherCodeTaken, match=re.escape("A voucher 'SUMMER10' exists already")
    ):
        create_voucher(code="SUMMER10", percent_off="5")

    assert Voucher.objects.count() == 1


def test_a_voucher_is_found_by_its_code_in_any_case():
    create_voucher(code="Summer10", percent_off="10")

    applied = check_voucher(code="summer10", subtotal=Decimal("80.00"), currency="EUR")

    assert applied.code == "Summer10"
    assert applied.discount == Decimal("8.00")


def test_a_voucher_needs_exactly_one_kind_of_discount():
    with pytest.raises(Invalid) as both:
        create_voucher(code="BOTH1", percent_off="10", amount_off="5", currency="EUR")
    with pytest.raises(Invalid) as neither:
        create_voucher(code="NONE1")

    assert both.value.fields == {
        "percent_off": "Give exactly one of percent_off and amount_off."
    }
    assert neither.value.fields == {
        "percent_off": "Give exactly one of percent_off and amount_off."
    }


def test_an_amount_off_needs_a_currency_and_sane_numbers():
    with pytest.raises(Invalid) as exc:
        create_voucher(code="FIVE1", amount_off="-5", usage_limit=-1)

    assert exc.value.fields == {
        "amount_off": "An amount from 0 to below 1000000.",
        "currency": "An amount off needs its currency.",
        "usage_limit": "A whole number from 0 to 100000000.",
    }
    assert not Voucher.objects.exists()


def test_the_database_refuses_a_use_count_above_the_limit():
    voucher = create_voucher(code="LIMIT1", percent_off="10", usage_limit=1)

    with (
        pytest.raises(IntegrityError, match="vouchers_voucher_used_within_limit"),
        transaction.atomic(),
    ):
        Voucher.objects.filter(pk=voucher.pk).update(used=2)


def test_a_percentage_rounds_half_up_to_cents():
    create_voucher(code="THIRD", percent_off="12.5")

    applied = check_voucher(code="THIRD", subtotal=Decimal("10.01"), currency="EUR")

    # 10.01 * 12.5% = 1.25125
    assert applied.discount == Decimal("1.25")


def test_an_amount_off_never_exceeds_the_subtotal():
    create_voucher(code="BIG50", amount_off="50.00", currency="EUR")

    applied = check_voucher(code="BIG50", subtotal=Decimal("30.00"), currency="EUR")

    assert applied.discount == Decimal("30.00")


@pytest.mark.parametrize(
    ("at", "message"),
    [
        (NOW - timedelta(days=2), "This voucher is not valid yet."),
        (NOW + timedelta(days=1), "This voucher has expired."),
    ],
)
def test_a_voucher_outside_its_window_is_invalid(at, message):
    create_voucher(
        code="WINDOW", percent_off="10", starts_at=NOW - timedelta(days=1), ends_at=NOW
    )

    with pytest.raises(VoucherInvalid, match=message):
        check_voucher(code="WINDOW", subtotal=Decimal("10"), currency="EUR", at=at)


def test_a_voucher_of_another_currency_is_invalid():
    create_voucher(code="USD5", amount_off="5.00", currency="USD")

    with pytest.raises(
        VoucherInvalid, match=re.escape("This voucher is for orders in USD, not EUR.")
    ):
        check_voucher(code="USD5", subtotal=Decimal("10"), currency="EUR")


def test_a_subtotal_below_the_minimum_is_refused():
    create_voucher(code="MIN30", percent_off="10", currency="EUR", min_subtotal="30.00")

    with pytest.raises(
        VoucherInvalid, match=re.escape("needs a subtotal of at least 30.00 EUR")
    ):
        check_voucher(code="MIN30", subtotal=Decimal("29.99"), currency="EUR")


def test_an_unknown_code_is_invalid():
    with pytest.raises(VoucherInvalid, match=re.escape("There is no voucher 'NOPE1'.")):
        redeem("NOPE1", "PA-1")


def test_redemption_counts_up_to_the_limit_then_refuses():
    create_voucher(code="TWICE", percent_off="10", usage_limit=2)

    first = redeem("TWICE", "PA-1", "a@example.com")
    redeem("TWICE", "PA-2", "b@example.com")
    with pytest.raises(VoucherExhausted):
        redeem("TWICE", "PA-3", "c@example.com")

    assert first.discount == Decimal("5.00")
    assert Voucher.objects.get(code="TWICE").used == 2
    assert sorted(Redemption.objects.values_list("order_ref", flat=True)) == [
        "PA-1",
        "PA-2",
    ]


def test_once_per_customer_refuses_a_second_use_by_that_email_in_any_case():
    create_voucher(code="ONCE1", percent_off="10", once_per_customer=True)
    redeem("ONCE1", "PA-1", "ada@example.com")

    with pytest.raises(
        VoucherInvalid,
        match=re.escape("This voucher was already used by this customer."),
    ):
        redeem("ONCE1", "PA-2", "ADA@example.com")

    assert Voucher.objects.get(code="ONCE1").used == 1
    assert Redemption.objects.count() == 1


def test_releasing_gives_the_use_back_once_and_allows_a_new_use():
    create_voucher(
        code="BACK1", percent_off="10", usage_limit=1, once_per_customer=True
    )
    redeem("BACK1", "PA-1")

    first = release_vouchers(order_ref="PA-1")
    second = release_vouchers(order_ref="PA-1")
    redeem("BACK1", "PA-2")

    assert (first, second) == (1, 0)
    assert Voucher.objects.get(code="BACK1").used == 1
