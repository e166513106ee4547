"""Refusals of vouchers, carrying the error codes of API.md."""

from __future__ import annotations

from pantry.core.errors import Conflict, Invalid


class VoucherInvalid(Invalid):
    code = "voucher_invalid"
    default_detail = "This voucher cannot be used for this order."


class VoucherExhausted(Conflict):
    code = "voucher_exhausted"
    default_detail = "This voucher has reached its usage limit."


class VoucherCodeTaken(Conflict):
    code = "voucher_code_taken"
    default_detail = "A voucher with this code exists already."
