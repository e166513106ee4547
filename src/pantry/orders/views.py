"""Storefront pages: the session cart, checkout and the order confirmation."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from pantry.core.errors import PantryError
from pantry.customers import addresses
from pantry.customers.auth import session_customer
from pantry.orders import accounts, cart, queries, services
from pantry.orders.errors import IdempotencyKeyReused, InsufficientStock, UnknownSku
from pantry.orders.forms import CartLineForm, CheckoutForm
from pantry.orders.tokens import token_for, token_matches


def _cart_context(request: HttpRequest) -> dict:
    lines = cart.cart_lines(request)
    total = sum((line.line_total or Decimal(0) for line in lines), Decimal("0.00"))
    currency = next((line.priced.currency for line in lines if line.priced), "")
    return {"lines": lines, "total": total, "currency": currency}


@require_http_methods(["GET", "HEAD", "POST"])
def cart_page(request: HttpRequest) -> HttpResponse:
    """GET shows the cart; POST adds, changes or removes one SKU."""
    if request.method == "POST":
        form = CartLineForm(request.POST)
        if form.is_valid():
            sku, quantity = (
                form.cleaned_data["sku"].strip(),
                form.cleaned_data["quantity"],
            )
            action = form.cleaned_data["action"]
            # Messages name the variant as the shopper saw it, not its SKU.
            name = cart.sku_name(sku)
            if action == "add" and name is None:
                form.add_error("sku", f"{sku} is not for sale.")
            elif action == "add":
                cart.add(request, sku=sku, quantity=quantity)
                messages.success(request, f"Added {quantity} of {name}.")
            elif action == "update":
                cart.set_quantity(request, sku=sku, quantity=quantity)
                messages.success(request, f"{name or sku} updated.")
            else:
                cart.set_quantity(request, sku=sku, quantity=0)
                messages.success(request, f"{name or sku} removed.")
            if form.is_valid():
                return redirect("orders:cart")
        context = {**_cart_context(request), "form": form}
        return render(request, "orders/cart.html", context, status=400)
    return render(request, "orders/cart.html", _cart_context(request))


@require_http_methods(["GET", "HEAD", "POST"])
def checkout_page(request: HttpRequest) -> HttpResponse:
    """GET shows the checkout form; POST places the order from the cart."""
    context = _cart_context(request)
    if not context["lines"]:
        messages.info(request, "Your cart is empty.")
        return redirect("orders:cart")
    customer = session_customer(request)
    if request.method != "POST":
        initial = {"idempotency_key": uuid.uuid4().hex}
        if customer is not None:
            initial.update(name=customer.name, email=customer.email)
            address = addresses.checkout_address(customer_id=customer.pk)
            if address is not None:
                initial["name"] = address.name
                initial.update(
                    {key: getattr(address, key) for key in CheckoutForm.ADDRESS}
                )
        form = CheckoutForm(initial=initial)
        return render(request, "orders/checkout.html", {**context, "form": form})
    form = CheckoutForm(request.POST)
    if form.is_valid():
        try:
            placement = services.place_order(
                name=form.cleaned_data["name"],
                email=form.cleaned_data["email"],
                lines=[(line.sku, line.quantity) for line in context["lines"]],
                idempotency_key="checkout:" + form.cleaned_data["idempotency_key"],
                customer_id=customer.pk if customer is not None else None,
                shipping_address=form.shipping_address(),
                voucher=form.cleaned_data["voucher"] or None,
                ships=True,
            )
        except InsufficientStock as exc:
            form.add_error(
                None,
                f"Only {exc.extra['available']} of {exc.extra['sku']} left: "
                "change the quantity in your cart.",
            )
        except UnknownSku as exc:
            form.add_error(
                None,
                "No longer for sale: "
                + ", ".join(exc.extra["skus"])
                + ". Remove it from your cart.",
            )
        except IdempotencyKeyReused:
            form.add_error(None, "Your cart changed meanwhile: check it and retry.")
            data = request.POST.copy()
            data["idempotency_key"] = uuid.uuid4().hex
            form.data = data
        except PantryError as exc:
            for field, message in (exc.fields or {}).items():
                name = field.removeprefix("customer.").removeprefix("shipping_address.")
                if name == "shipping_address":
                    name = "line1"
                form.add_error(name if name in form.fields else None, message)
            if not exc.fields or exc.code in ("shipping_required", "unknown_country"):
                form.add_error(None, exc.detail)
        else:
            cart.clear(request)
            url = reverse("orders:order", args=[placement.number])
            return redirect(f"{url}?token={token_for(placement.number)}")
    return render(
        request, "orders/checkout.html", {**context, "form": form}, status=400
    )


@require_safe
def order_page(request: HttpRequest, number: str) -> HttpResponse:
    """The confirmation and status page of one order, for its token holder."""
    allowed = token_matches(number, request.GET.get("token", "")) or (
        request.user.is_authenticated and request.user.is_staff
    )
    order = queries.order_detail(number) if allowed else None
    if order is None and (customer := session_customer(request)) is not None:
        # The owner signed in needs no token.
        order = accounts.customer_order_detail(customer_id=customer.pk, number=number)
    if order is None:
        raise Http404("No order with this number and token.")
    return render(
        request,
        "orders/order.html",
        {"order": order, "lines": order.lines.all(), "events": order.events.all()},
    )
