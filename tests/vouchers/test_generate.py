"""`pantry vouchers generate`: N unique codes in one go, or one clear line."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from pantry.vouchers.bulk import generate_vouchers
from pantry.vouchers.models import Voucher

pytestmark = pytest.mark.django_db


def test_generate_creates_n_unique_codes_like_the_template():
    codes = generate_vouchers(
        count=500, prefix="XMAS-", percent_off="15", usage_limit=1
    )

    assert len(codes) == 500
    assert len({code.lower() for code in codes}) == 500
    assert all(code.startswith("XMAS-") and len(code) == 15 for code in codes)
    rows = Voucher.objects.filter(code__startswith="XMAS-")
    assert rows.count() == 500
    assert set(rows.values_list("percent_off", "usage_limit", "used")) == {
        (Decimal("15.00"), 1, 0)
    }


def test_the_command_prints_the_codes():
    out, err = io.StringIO(), io.StringIO()

    call_command(
        "vouchers",
        "generate",
        "--count",
        "3",
        "--amount-off",
        "5",
        "--currency",
        "EUR",
        stdout=out,
        stderr=err,
    )

    codes = out.getvalue().split()
    assert len(codes) == 3
    assert Voucher.objects.filter(code__in=codes).count() == 3
    assert "created 3 voucher(s)" in err.getvalue()


def test_a_bad_template_is_one_line_and_creates_nothing():
    with pytest.raises(
        CommandError,
        match=re.escape(
            "The voucher is invalid. currency: An amount off needs its currency."
        ),
    ):
        call_command("vouchers", "generate", "--count", "3", "--amount-off", "5")

    assert not Voucher.objects.exists()
