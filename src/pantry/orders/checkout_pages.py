"""The storefront checkout in steps: address, shipping, review, place.

Each step is a plain form POST that redirects (works without JavaScript).
The checkout in progress lives in the session under ``STATE``: the cart
already keeps one, so no session is created for it. Every figure shown is
price_checkout's, the computation placement stores (docs/checkout.md).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from pantry.core.errors import PantryError
from pantry.customers import addresses
from pantry.customers.auth import session_customer
from pantry.orders import cart, services
from pantry.orders.checkout import ZERO, Quote, clean_address, price_checkout
from pantry.orders.errors import IdempotencyKeyReused, InsufficientStock, UnknownSku
from pantry.orders.forms import CheckoutForm, ShippingForm, VoucherForm
from pantry.orders.tokens import token_for
from pantry.shipping.errors import ShippingUnavailable
from pantry.vouchers.errors import VoucherExhausted, VoucherInvalid

STATE = "checkout"
STEPS = [
    ("address", "Address", "orders:checkout"),
    ("shipping", "Shipping", "orders:checkout_shipping"),
    ("review", "Review", "orders:checkout_review"),
    ("payment", "Payment", None),
]


def _state(request: HttpRequest) -> dict[str, Any]:
    stored = request.session.get(STATE)
    return dict(stored) if isinstance(stored, dict) else {}


def _save(request: HttpRequest, **changes: Any) -> None:
    request.session[STATE] = {**_state(request), **changes}


def _customer_id(request: HttpRequest) -> int | None:
    customer = session_customer(request)
    return customer.pk if customer is not None else None


def _quote(
    request: HttpRequest, state: dict[str, Any], lines: list[cart.CartLine]
) -> Quote:
    """The figures placement would store for this cart and state now."""
    checked = services.clean_order_request(
        name=state.get("name"),
        email=state.get("email"),
        lines=[(line.sku, line.quantity) for line in lines],
    )
    return price_checkout(
        quantities=checked.quantities,
        ship_to=clean_address(state.get("address"), "shipping_address"),
        bill_to=None,
        shipping_method=state.get("shipping_method"),
        voucher=state.get("voucher") or None,
        email=checked.email,
        customer_id=_customer_id(request),
        at=timezone.now(),
        ships=True,
    )


def _context(request: HttpRequest, step: str, **extra: Any) -> dict[str, Any]:
    steps = [
        {"key": key, "label": label, "url": reverse(name) if name else None}
        for key, label, name in STEPS
    ]
    return {"steps": steps, "step": step, "state": _state(request), **extra}


def _show_errors(form: Form, exc: PantryError) -> None:
    """Put a refusal's messages beside the fields they name, else on top."""
    for field, message in (exc.fields or {}).items():
        name = field.removeprefix("customer.").removeprefix("shipping_address.")
        if name == "shipping_address":
            name = "line1"
        form.add_error(name if name in form.fields else None, message)
    if not exc.fields or exc.code in ("shipping_required", "unknown_country"):
        form.add_error(None, exc.detail)


def _start(request: HttpRequest) -> tuple[list[cart.CartLine], dict] | HttpResponse:
    """The cart's lines and the state, or a redirect to where to begin."""
    lines = cart.cart_lines(request)
    if not lines:
        messages.info(request, "Your cart is empty.")
        return redirect("orders:cart")
    state = _state(request)
    if not state.get("email"):
        return redirect("orders:checkout")
    return lines, state


def _address_context(
    request: HttpRequest, form: CheckoutForm, lines: list[cart.CartLine]
) -> dict[str, Any]:
    total = sum((line.line_total or ZERO for line in lines), ZERO)
    currency = next((line.priced.currency for line in lines if line.priced), "")
    return _context(
        request, "address", form=form, lines=lines, total=total, currency=currency
    )


@require_http_methods(["GET", "HEAD", "POST"])
def address_step(request: HttpRequest) -> HttpResponse:
    """Step 1: name, email and shipping address, checked by the quote."""
    lines = cart.cart_lines(request)
    if not lines:
        messages.info(request, "Your cart is empty.")
        return redirect("orders:cart")
    if request.method != "POST":
        state = _state(request)
        initial: dict[str, Any] = {}
        customer = session_customer(request)
        if state.get("email"):
            initial = {"name": state["name"], "email": state["email"]}
            initial.update(state.get("address") or {})
        elif customer is not None:
            initial.update(name=customer.name, email=customer.email)
            address = addresses.checkout_address(customer_id=customer.pk)
            if address is not None:
                initial["name"] = address.name
                initial.update(
                    {key: getattr(address, key) for key in CheckoutForm.ADDRESS}
                )
        form = CheckoutForm(initial=initial)
        context = _address_context(request, form, lines)
        return render(request, "orders/checkout.html", context)
    form = CheckoutForm(request.POST)
    if form.is_valid():
        details = {
            "name": form.cleaned_data["name"],
            "email": form.cleaned_data["email"],
            "address": form.shipping_address(),
        }
        try:
            # The method and voucher are chosen later: check the address alone.
            quote = _quote(request, details, lines)
        except PantryError as exc:
            _show_errors(form, exc)
        else:
            state = _state(request)
            _save(
                request,
                **details,
                key=state.get("key") or uuid.uuid4().hex,
                shipping_method=None,
                voucher=state.get("voucher"),
            )
            if quote.shipping_methods:
                return redirect("orders:checkout_shipping")
            return redirect("orders:checkout_review")
    return render(
        request,
        "orders/checkout.html",
        _address_context(request, form, lines),
        status=400,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def shipping_step(request: HttpRequest) -> HttpResponse:
    """Step 2: the methods serving the address, with their prices."""
    started = _start(request)
    if isinstance(started, HttpResponse):
        return started
    lines, state = started
    try:
        quote = _quote(
            request, {**state, "shipping_method": None, "voucher": None}, lines
        )
    except PantryError as exc:
        messages.error(request, exc.detail)
        return redirect("orders:checkout")
    if not quote.shipping_methods:  # nothing ships
        _save(request, shipping_method=None)
        return redirect("orders:checkout_review")
    offered = {method.code for method in quote.shipping_methods}
    methods, currency = quote.shipping_methods, quote.currency
    if request.method == "POST":
        form = ShippingForm(request.POST, methods=methods, currency=currency)
        if form.is_valid():
            _save(request, shipping_method=form.cleaned_data["shipping_method"])
            return redirect("orders:checkout_review")
        status = 400
    else:
        chosen = state.get("shipping_method")
        initial = chosen if chosen in offered else quote.shipping_methods[0].code
        form = ShippingForm(
            initial={"shipping_method": initial}, methods=methods, currency=currency
        )
        status = 200
    context = _context(request, "shipping", form=form, quote=quote)
    return render(request, "orders/checkout_shipping.html", context, status=status)


def _review(
    request: HttpRequest,
    lines: list[cart.CartLine],
    state: dict[str, Any],
    *,
    form: VoucherForm | None = None,
    errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    try:
        quote = _quote(request, state, lines)
    except (VoucherInvalid, VoucherExhausted) as exc:
        # It applied when entered, but not any more (used up, expired).
        messages.error(request, exc.detail)
        _save(request, voucher=None)
        return redirect("orders:checkout_review")
    except ShippingUnavailable as exc:
        # The cart changed and the chosen method no longer serves it.
        messages.error(request, exc.detail)
        _save(request, shipping_method=None)
        return redirect("orders:checkout_shipping")
    except PantryError as exc:
        messages.error(request, exc.detail)
        return redirect("orders:checkout")
    form = form or VoucherForm(initial={"voucher": state.get("voucher") or ""})
    context = _context(
        request, "review", form=form, quote=quote, errors=errors or [], lines=lines
    )
    return render(request, "orders/checkout_review.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def review_step(request: HttpRequest) -> HttpResponse:
    """Step 3: the voucher field and every figure of the order."""
    started = _start(request)
    if isinstance(started, HttpResponse):
        return started
    lines, state = started
    if request.method != "POST":
        return _review(request, lines, state)
    form = VoucherForm(request.POST)
    if form.is_valid():
        code = form.cleaned_data["voucher"].strip() or None
        if request.POST.get("action") == "remove":
            code = None
        try:
            _quote(request, {**state, "voucher": code}, lines)
        except PantryError as exc:
            form.add_error("voucher", exc.detail)
        else:
            _save(request, voucher=code)
            if code:
                messages.success(request, f"Voucher {code} applied.")
            return redirect("orders:checkout_review")
    return _review(request, lines, state, form=form, status=400)


@require_POST
def place_step(request: HttpRequest) -> HttpResponse:
    """Step 4: place the order, then pay with the default provider."""
    started = _start(request)
    if isinstance(started, HttpResponse):
        return started
    lines, state = started
    try:
        placement = services.place_order(
            name=state["name"],
            email=state["email"],
            lines=[(line.sku, line.quantity) for line in lines],
            # One key per checkout: a double submit places one order.
            idempotency_key="checkout:" + state["key"],
            customer_id=_customer_id(request),
            shipping_address=state.get("address"),
            shipping_method=state.get("shipping_method"),
            voucher=state.get("voucher") or None,
            payment_provider=settings.PANTRY_PAYMENT_DEFAULT,
            ships=True,
        )
    except InsufficientStock as exc:
        error = (
            f"Only {exc.extra['available']} of {exc.extra['sku']} left: "
            "change the quantity in your cart."
        )
    except UnknownSku as exc:
        error = (
            "No longer for sale: "
            + ", ".join(exc.extra["skus"])
            + ". Remove it from your cart."
        )
    except IdempotencyKeyReused:
        error = "Your cart changed meanwhile: check it and place the order again."
        _save(request, key=uuid.uuid4().hex)
    except PantryError as exc:
        error = exc.detail
    else:
        cart.clear(request)
        request.session.pop(STATE, None)
        action = (placement.receipt.get("payment") or {}).get("action") or {}
        if action.get("type") == "redirect" and action.get("url"):
            return redirect(action["url"])
        url = reverse("orders:order", args=[placement.number])
        return redirect(f"{url}?token={token_for(placement.number)}")
    return _review(request, lines, _state(request), errors=[error], status=400)
