"""The cart: in the session for visitors, in PostgreSQL for signed-in customers.

A visitor's cart lives in their session, and a session is written only when
the cart really changes, so requests that keep nothing create no session
row. A signed-in customer's cart is saved in the database (customers.carts)
and follows them to every device; at sign-in the session cart merges in.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest

from pantry.catalog.stock import Priced, prices_now
from pantry.customers import carts
from pantry.customers.auth import session_customer
from pantry.orders.services import MAX_LINES, MAX_QUANTITY

SESSION_KEY = "cart"


@dataclass(frozen=True)
class CartLine:
    sku: str
    quantity: int
    priced: Priced | None  # None: no longer for sale

    @property
    def name(self) -> str:
        """The line as a shopper reads it ("Saffron, 5 g"); else its SKU."""
        if self.priced is None:
            return self.sku
        return self.priced.variant_name or self.priced.product_name

    @property
    def line_total(self) -> Decimal | None:
        return self.priced.unit_price * self.quantity if self.priced else None


def session_quantities(session: SessionBase) -> dict[str, int]:
    """Return the session cart's quantities per SKU (a copy; empty when none)."""
    stored = session.get(SESSION_KEY)
    if not isinstance(stored, dict):
        return {}
    return {
        str(sku): int(quantity)
        for sku, quantity in stored.items()
        if isinstance(quantity, int) and quantity > 0
    }


def _customer_id(request: HttpRequest) -> int | None:
    customer = session_customer(request)
    return customer.pk if customer is not None else None


def cart_quantities(request: HttpRequest) -> dict[str, int]:
    """The quantities per SKU of the request's cart."""
    customer_id = _customer_id(request)
    if customer_id is not None:
        return carts.cart_quantities(customer_id=customer_id)
    return session_quantities(request.session)


def _store(session: SessionBase, cart: dict[str, int]) -> None:
    if cart == session_quantities(session):
        return  # unchanged: leave the session (and its row) alone
    if cart:
        session[SESSION_KEY] = cart
    else:
        session.pop(SESSION_KEY, None)


def set_quantity(request: HttpRequest, *, sku: str, quantity: int) -> None:
    """Set one SKU's quantity (0 removes it), within the order limits."""
    limits = {"max_quantity": MAX_QUANTITY, "max_lines": MAX_LINES}
    if (customer_id := _customer_id(request)) is not None:
        carts.set_cart_quantity(
            customer_id=customer_id, sku=sku, quantity=quantity, **limits
        )
        return
    cart = session_quantities(request.session)
    if quantity <= 0:
        cart.pop(sku, None)
    elif sku in cart or len(cart) < MAX_LINES:
        cart[sku] = min(quantity, MAX_QUANTITY)
    _store(request.session, cart)


def add(request: HttpRequest, *, sku: str, quantity: int) -> None:
    if (customer_id := _customer_id(request)) is not None:
        # One upsert: two devices adding at once both count.
        carts.add_to_cart(
            customer_id=customer_id,
            sku=sku,
            quantity=quantity,
            max_quantity=MAX_QUANTITY,
            max_lines=MAX_LINES,
        )
        return
    current = session_quantities(request.session).get(sku, 0)
    set_quantity(request, sku=sku, quantity=current + quantity)


def clear(request: HttpRequest) -> None:
    if (customer_id := _customer_id(request)) is not None:
        carts.clear_cart(customer_id=customer_id)
    request.session.pop(SESSION_KEY, None)


def merge_into_account(session: SessionBase, *, customer_id: int) -> None:
    """Move a visitor's session cart into the customer's saved cart.

    Call at sign-in: quantities of a SKU in both add up, clamped to the
    per-SKU limit, in one statement.
    """
    quantities = session_quantities(session)
    if quantities:
        carts.merge_cart(
            customer_id=customer_id,
            quantities=quantities,
            max_quantity=MAX_QUANTITY,
            max_lines=MAX_LINES,
        )
        session.pop(SESSION_KEY, None)


def cart_lines(request: HttpRequest) -> list[CartLine]:
    """Return the cart's lines with today's prices, in SKU order."""
    quantities = cart_quantities(request)
    prices = prices_now(list(quantities)) if quantities else {}
    return [
        CartLine(sku=sku, quantity=quantities[sku], priced=prices.get(sku))
        for sku in sorted(quantities)
    ]


def known_sku(sku: str) -> bool:
    """Whether ``sku`` is for sale now (what an add must name)."""
    return sku in prices_now([sku])


def sku_name(sku: str) -> str | None:
    """The display name of ``sku`` ("Saffron, 5 g") if it is for sale now."""
    priced = prices_now([sku]).get(sku)
    return priced.variant_name or priced.product_name if priced else None
