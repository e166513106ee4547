"""Many checkouts racing for a voucher's last uses never exceed its limit."""

from __future__ import annotations

from decimal import Decimal

from pantry.vouchers.errors import VoucherExhausted
from pantry.vouchers.models import Redemption, Voucher
from pantry.vouchers.services import create_voucher, redeem_voucher
from tests.orders.conftest import race, wide_pool  # noqa: F401


def test_sixty_four_redemptions_of_a_voucher_limited_to_ten_make_exactly_ten(
    wide_pool,  # noqa: F811
):
    create_voucher(code="RACE10", percent_off="10", usage_limit=10)

    outcomes = race(
        lambda i: redeem_voucher(
            code="RACE10",
            order_ref=f"PA-{i}",
            email=f"buyer{i}@example.com",
            subtotal=Decimal("20.00"),
            currency="EUR",
        ),
        64,
    )

    refused = [o for o in outcomes if isinstance(o, Exception)]
    assert len(outcomes) - len(refused) == 10
    assert len(refused) == 54
    assert all(isinstance(exc, VoucherExhausted) for exc in refused), refused
    assert Voucher.objects.get(code="RACE10").used == 10
    assert Redemption.objects.count() == 10
