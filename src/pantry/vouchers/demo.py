"""Demo vouchers: a welcome percentage, an amount off, a limited campaign."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from pantry.vouchers.models import Voucher
from pantry.vouchers.services import create_voucher


def is_empty() -> bool:
    return not Voucher.objects.exists()


@transaction.atomic
def load() -> str:
    currency = settings.PANTRY_CURRENCY
    create_voucher(code="WELCOME10", percent_off="10", once_per_customer=True)
    create_voucher(
        code="SAVE5", amount_off="5.00", currency=currency, min_subtotal="30.00"
    )
    create_voucher(code="TEATIME15", percent_off="15", usage_limit=50)
    return "WELCOME10 (10% once per customer), SAVE5, TEATIME15 (50 uses)"
