"""The session cart: quantities per SKU kept in the visitor's session."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.sessions.backends.base import SessionBase

from pantry.catalog.stock import Priced, prices_now
from pantry.orders.services import MAX_LINES, MAX_QUANTITY

SESSION_KEY = "cart"


@dataclass(frozen=True)
class CartLine:
    sku: str
    quantity: int
    priced: Priced | None  # None: no longer for sale

    @property
    def line_total(self) -> Decimal | None:
        return self.priced.unit_price * self.quantity if self.priced else None


def cart_quantities(session: SessionBase) -> dict[str, int]:
    """Return the cart's quantities per SKU (a copy; empty when none)."""
    stored = session.get(SESSION_KEY)
    if not isinstance(stored, dict):
        return {}
    return {
        str(sku): int(quantity)
        for sku, quantity in stored.items()
        if isinstance(quantity, int) and quantity > 0
    }


def set_quantity(session: SessionBase, *, sku: str, quantity: int) -> None:
    """Set one SKU's quantity (0 removes it), within the order limits."""
    cart = cart_quantities(session)
    if quantity <= 0:
        cart.pop(sku, None)
    elif sku in cart or len(cart) < MAX_LINES:
        cart[sku] = min(quantity, MAX_QUANTITY)
    session[SESSION_KEY] = cart


def add(session: SessionBase, *, sku: str, quantity: int) -> None:
    set_quantity(
        session, sku=sku, quantity=cart_quantities(session).get(sku, 0) + quantity
    )


def clear(session: SessionBase) -> None:
    session.pop(SESSION_KEY, None)


def cart_lines(session: SessionBase) -> list[CartLine]:
    """Return the cart's lines with today's prices, in SKU order (one query)."""
    quantities = cart_quantities(session)
    prices = prices_now(list(quantities)) if quantities else {}
    return [
        CartLine(sku=sku, quantity=quantities[sku], priced=prices.get(sku))
        for sku in sorted(quantities)
    ]
