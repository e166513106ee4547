"""Creating, checking, redeeming and releasing vouchers: the only writers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from pantry.core.errors import Invalid
from pantry.vouchers.errors import VoucherCodeTaken, VoucherExhausted, VoucherInvalid
from pantry.vouchers.models import CODE_MAX, Voucher

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("1000000")
MAX_USAGE_LIMIT = 100_000_000
CODE_RE = re.compile(r"^[A-Za-z0-9_-]{3,64}$")


@dataclass(frozen=True)
class Applied:
    """A voucher that applies to an order, and what it takes off."""

    code: str
    voucher_id: int
    discount: Decimal
    once_per_customer: bool = False


def discount_for(voucher: Voucher, subtotal: Decimal) -> Decimal:
    """What ``voucher`` takes off ``subtotal``: never more than the subtotal.

    Percentages round half up to cents.
    """
    if voucher.percent_off is not None:
        value = subtotal * voucher.percent_off / Decimal(100)
        return min(subtotal, value.quantize(CENT, rounding=ROUND_HALF_UP))
    assert voucher.amount_off is not None
    return min(subtotal, voucher.amount_off)


def _money(value: Any, field: str, fields: dict[str, str]) -> Decimal | None:
    if value is None:
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        fields[field] = "A decimal amount such as 10.00."
        return None
    if not amount.is_finite() or amount < 0 or amount >= MAX_AMOUNT:
        fields[field] = f"An amount from 0 to below {MAX_AMOUNT}."
        return None
    if amount != amount.quantize(CENT):
        fields[field] = "At most two decimal places."
        return None
    return amount


def create_voucher(
    *,
    code: str,
    percent_off: Any = None,
    amount_off: Any = None,
    currency: str = "",
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    usage_limit: int | None = None,
    once_per_customer: bool = False,
    min_subtotal: Any = None,
) -> Voucher:
    """Create a voucher; raises Invalid (with fields) or VoucherCodeTaken."""
    voucher = clean_voucher(
        code=code,
        percent_off=percent_off,
        amount_off=amount_off,
        currency=currency,
        starts_at=starts_at,
        ends_at=ends_at,
        usage_limit=usage_limit,
        once_per_customer=once_per_customer,
        min_subtotal=min_subtotal,
    )
    try:
        with transaction.atomic():
            voucher.save()
    except IntegrityError as exc:
        if "vouchers_voucher_code_ci_key" in str(exc):
            raise VoucherCodeTaken(
                f"A voucher {voucher.code!r} exists already."
            ) from None
        raise
    return voucher


def clean_voucher(
    *,
    code: str,
    percent_off: Any = None,
    amount_off: Any = None,
    currency: str = "",
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    usage_limit: int | None = None,
    once_per_customer: bool = False,
    min_subtotal: Any = None,
) -> Voucher:
    """Check a voucher's fields; return it unsaved, or raise Invalid."""
    fields: dict[str, str] = {}
    code = code.strip() if isinstance(code, str) else ""
    if not CODE_RE.match(code):
        fields["code"] = "3 to 64 letters, digits, '-' or '_'."
    currency = (currency or "").strip().upper()
    if currency and not re.fullmatch(r"[A-Z]{3}", currency):
        fields["currency"] = "A three-letter ISO 4217 code."
    percent = None
    if percent_off is not None:
        try:
            percent = Decimal(str(percent_off))
        except InvalidOperation:
            percent = None
        if percent is None or not percent.is_finite() or not 0 < percent <= 100:
            fields["percent_off"] = "A percentage above 0 and at most 100."
            percent = None
        elif percent != percent.quantize(CENT):
            fields["percent_off"] = "At most two decimal places."
    amount = _money(amount_off, "amount_off", fields)
    if amount is not None and amount == 0:
        fields["amount_off"] = "An amount above 0."
    if (percent_off is None) == (amount_off is None):
        fields["percent_off"] = "Give exactly one of percent_off and amount_off."
    if amount_off is not None and not currency:
        fields["currency"] = "An amount off needs its currency."
    minimum = _money(min_subtotal, "min_subtotal", fields)
    if minimum is not None and not currency:
        fields["currency"] = "A minimum subtotal needs its currency."
    if starts_at and ends_at and ends_at <= starts_at:
        fields["ends_at"] = "Must be after starts_at."
    if usage_limit is not None and not 0 <= usage_limit <= MAX_USAGE_LIMIT:
        fields["usage_limit"] = f"A whole number from 0 to {MAX_USAGE_LIMIT}."
    if fields:
        raise Invalid("The voucher is invalid.", fields=fields)
    return Voucher(
        code=code,
        percent_off=percent,
        amount_off=amount,
        currency=currency,
        starts_at=starts_at,
        ends_at=ends_at,
        usage_limit=usage_limit,
        once_per_customer=once_per_customer,
        min_subtotal=minimum,
    )


def find_voucher(code: str) -> Voucher | None:
    """The voucher with ``code`` in any letter case, or None."""
    if not isinstance(code, str) or not 1 <= len(code) <= CODE_MAX:
        return None
    return Voucher.objects.filter(code__iexact=code.strip()).first()


def check_voucher(
    *,
    code: str,
    subtotal: Decimal,
    currency: str,
    email: str | None = None,
    customer_id: int | None = None,
    at: datetime | None = None,
) -> Applied:
    """The discount ``code`` gives an order, without using it.

    Raises VoucherInvalid (unknown, outside its window, another currency,
    below its minimum, already used by ``email`` or by the account
    ``customer_id``) or VoucherExhausted.
    """
    voucher = find_voucher(code)
    if voucher is None:
        raise VoucherInvalid(f"There is no voucher {code!r}.")
    _check(voucher, subtotal=subtotal, currency=currency, at=at or timezone.now())
    if voucher.usage_limit is not None and voucher.used >= voucher.usage_limit:
        raise VoucherExhausted()
    if voucher.once_per_customer and (email or customer_id is not None):
        by = Q(email__iexact=email) if email else Q()
        if customer_id is not None:
            by = (
                (by | Q(customer_id=customer_id))
                if email
                else Q(customer_id=customer_id)
            )
        if voucher.redemptions.filter(by, released_at__isnull=True).exists():
            raise VoucherInvalid("This voucher was already used by this customer.")
    return Applied(
        code=voucher.code,
        voucher_id=voucher.pk,
        discount=discount_for(voucher, subtotal),
        once_per_customer=voucher.once_per_customer,
    )


def _check(voucher: Voucher, *, subtotal: Decimal, currency: str, at: datetime) -> None:
    if voucher.starts_at and at < voucher.starts_at:
        raise VoucherInvalid("This voucher is not valid yet.")
    if voucher.ends_at and at >= voucher.ends_at:
        raise VoucherInvalid("This voucher has expired.")
    if voucher.currency and voucher.currency != currency:
        raise VoucherInvalid(
            f"This voucher is for orders in {voucher.currency}, not {currency}."
        )
    if voucher.min_subtotal is not None and subtotal < voucher.min_subtotal:
        raise VoucherInvalid(
            f"This voucher needs a subtotal of at least {voucher.min_subtotal} "
            f"{voucher.currency}."
        )


# One statement takes a use and records it: the UPDATE succeeds only while
# used < usage_limit, and concurrent redeemers queue on the row lock, each
# re-checking the condition against the committed count (READ COMMITTED
# re-evaluates the WHERE). A record refused by a partial unique index (once
# per customer) leaves the use taken: the caller's exception rolls it back.
_REDEEM = """
WITH taken AS (
    UPDATE vouchers_voucher SET used = used + 1
    WHERE id = %s AND (usage_limit IS NULL OR used < usage_limit)
    RETURNING id
), recorded AS (
    INSERT INTO vouchers_redemption
        (voucher_id, order_ref, email, customer_id, once_per_customer, discount,
         redeemed_at)
    SELECT taken.id, %s, %s, %s, %s, %s, now() FROM taken
    ON CONFLICT DO NOTHING
    RETURNING id
)
SELECT (SELECT count(*) FROM taken), (SELECT count(*) FROM recorded)
"""


def redeem_voucher(
    *,
    code: str,
    order_ref: str,
    email: str,
    subtotal: Decimal,
    currency: str,
    customer_id: int | None = None,
    at: datetime | None = None,
    checked: Applied | None = None,
    savepoint: bool = True,
) -> Applied:
    """Use ``code`` once for order ``order_ref``; return its discount.

    Call inside the placing transaction: its rollback gives the use back.
    ``checked`` is check_voucher's answer for this order earlier in the same
    transaction: the voucher is then not read again (the conditional UPDATE
    and the unique indexes still decide). Raises VoucherInvalid or
    VoucherExhausted and then changes nothing. Without ``savepoint`` (a
    caller whose whole transaction aborts on these errors, as placement)
    the enclosing transaction is marked for rollback instead: two round
    trips fewer.
    """
    if checked is None:
        voucher = find_voucher(code)
        if voucher is None:
            raise VoucherInvalid(f"There is no voucher {code!r}.")
        _check(voucher, subtotal=subtotal, currency=currency, at=at or timezone.now())
        checked = Applied(
            code=voucher.code,
            voucher_id=voucher.pk,
            discount=discount_for(voucher, subtotal),
            once_per_customer=voucher.once_per_customer,
        )
    with transaction.atomic(savepoint=savepoint), connection.cursor() as cursor:
        cursor.execute(
            _REDEEM,
            [
                checked.voucher_id,
                order_ref,
                email,
                customer_id,
                checked.once_per_customer,
                checked.discount,
            ],
        )
        taken, recorded = cursor.fetchone()
        if not taken:
            raise VoucherExhausted()
        if not recorded:
            # A live use by this email or account exists (either partial
            # unique index): raising undoes the use taken above.
            raise VoucherInvalid("This voucher was already used by this customer.")
    return checked


# The vouchers are locked in id order, so sweepers releasing several vouchers
# at once cannot deadlock; one UPDATE per voucher, however many uses return.
_RELEASE = """
WITH released AS (
    UPDATE vouchers_redemption SET released_at = now()
    WHERE order_ref = ANY(%s) AND released_at IS NULL
    RETURNING voucher_id
), counted AS (
    SELECT voucher_id, count(*) AS uses FROM released GROUP BY voucher_id
), locked AS (
    SELECT v.id FROM vouchers_voucher v
    WHERE v.id IN (SELECT voucher_id FROM counted)
    ORDER BY v.id
    FOR UPDATE
)
UPDATE vouchers_voucher v SET used = v.used - counted.uses
FROM counted JOIN locked ON locked.id = counted.voucher_id
WHERE v.id = counted.voucher_id
RETURNING counted.uses
"""


def release_vouchers(*, order_ref: str) -> int:
    """Give back the voucher uses of order ``order_ref``; return how many.

    Call in the transaction that cancels or expires the order; releasing
    twice gives back nothing the second time.
    """
    return release_vouchers_of(order_refs=[order_ref])


def release_vouchers_of(*, order_refs: list[str]) -> int:
    """Give back the voucher uses of all ``order_refs`` in one statement."""
    with connection.cursor() as cursor:
        cursor.execute(_RELEASE, [order_refs])
        return sum(uses for (uses,) in cursor.fetchall())
