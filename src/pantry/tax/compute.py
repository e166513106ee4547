"""Per-line tax arithmetic: pure functions, no database.

Rounding rule (docs/checkout.md): tax is computed and rounded per line, to
cents, half up, in Decimal (``numeric`` in the database), never on the order
total. With prices including tax the line's gross is what the customer
sees and the tax is taken out of it: tax = round(gross * r / (100 + r)),
net = gross - tax. With prices excluding tax: tax = round(net * r / 100),
gross = net + tax. So net + tax = gross holds exactly on every line, and an
order's tax is the sum of its lines' taxes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class TaxedLine:
    """One line's amounts after tax; ``rate`` in percent."""

    net: Decimal
    rate: Decimal
    tax: Decimal
    gross: Decimal


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def tax_line(amount: Decimal, rate: Decimal, *, prices_include_tax: bool) -> TaxedLine:
    """Split or extend one line's ``amount`` (in cents) by ``rate`` percent."""
    if prices_include_tax:
        tax = cents(amount * rate / (HUNDRED + rate))
        return TaxedLine(net=amount - tax, rate=rate, tax=tax, gross=amount)
    tax = cents(amount * rate / HUNDRED)
    return TaxedLine(net=amount, rate=rate, tax=tax, gross=amount + tax)


def tax_lines(
    amounts: Sequence[tuple[Decimal, Decimal]], *, prices_include_tax: bool
) -> list[TaxedLine]:
    """``tax_line`` for each (amount, rate) pair, in order."""
    return [
        tax_line(amount, rate, prices_include_tax=prices_include_tax)
        for amount, rate in amounts
    ]


def spread(total: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """Split ``total`` (cents) across lines in proportion to ``weights``.

    The shares are cents and add up to ``total`` exactly: each line gets its
    rounded-down share and the cents left over go one each to the lines
    with the largest remainders (ties to the earlier line). Used to spread
    an order's voucher discount over its lines before tax.
    """
    whole = sum(weights, Decimal(0))
    if not weights:
        return []
    if whole == 0:
        return [Decimal("0.00")] * len(weights)
    units = int((total / CENT).to_integral_value())
    exact = [Decimal(units) * weight / whole for weight in weights]
    floors = [int(share) for share in exact]
    left = units - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return [Decimal(units_) * CENT for units_ in floors]
