"""Reads of vouchers shaped for the staff API."""

from __future__ import annotations

from typing import Any

from pantry.vouchers.models import Voucher


def _money(value: Any) -> str | None:
    return None if value is None else f"{value:.2f}"


def voucher_detail(voucher: Voucher) -> dict[str, Any]:
    """The voucher as GET /api/v1/vouchers/{code} shows it."""
    return {
        "code": voucher.code,
        "percent_off": _money(voucher.percent_off),
        "amount_off": _money(voucher.amount_off),
        "currency": voucher.currency or None,
        "starts_at": voucher.starts_at,
        "ends_at": voucher.ends_at,
        "usage_limit": voucher.usage_limit,
        "used": voucher.used,
        "once_per_customer": voucher.once_per_customer,
        "min_subtotal": _money(voucher.min_subtotal),
        "created_at": voucher.created_at,
    }
