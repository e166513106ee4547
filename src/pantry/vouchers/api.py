"""Vouchers API (staff): create a voucher and read it with its use count."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from pydantic import StrictBool, StrictInt, StrictStr

from pantry.core.auth import staff
from pantry.core.errors import NotFound
from pantry.core.times import AwareMoment
from pantry.vouchers import queries, services

router = Router(tags=["vouchers"])


class VoucherIn(Schema):
    code: StrictStr = Field(max_length=64)
    percent_off: StrictStr | None = Field(None, examples=["10"])
    amount_off: StrictStr | None = Field(None, examples=["5.00"])
    currency: StrictStr = Field("", max_length=3)
    starts_at: AwareMoment | None = None
    ends_at: AwareMoment | None = None
    usage_limit: StrictInt | None = None
    once_per_customer: StrictBool = False
    min_subtotal: StrictStr | None = None


class VoucherOut(Schema):
    code: str
    percent_off: str | None
    amount_off: str | None
    currency: str | None
    starts_at: datetime | None
    ends_at: datetime | None
    usage_limit: int | None
    used: int
    once_per_customer: bool
    min_subtotal: str | None
    created_at: datetime


@router.post(
    "/vouchers",
    response={201: VoucherOut},
    auth=staff,
    summary="Create a voucher (staff)",
)
def create_voucher(request: HttpRequest, payload: VoucherIn) -> Status:
    voucher = services.create_voucher(**payload.dict())
    return Status(201, queries.voucher_detail(voucher))


@router.get(
    "/vouchers/{code}",
    response=VoucherOut,
    auth=staff,
    summary="A voucher and how often it was used (staff)",
)
def get_voucher(request: HttpRequest, code: str) -> dict[str, Any]:
    voucher = services.find_voucher(code)
    if voucher is None:
        raise NotFound(f"There is no voucher {code!r}.")
    return queries.voucher_detail(voucher)
