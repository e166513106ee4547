"""Storefront pages: the session cart and the order confirmation.

The checkout steps are in checkout_pages.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from pantry.customers.auth import session_customer
from pantry.orders import accounts, cart, queries
from pantry.orders.forms import CartLineForm
from pantry.orders.tokens import token_matches


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
        {
            "order": order,
            "lines": order.lines.all(),
            "events": order.events.all(),
            # The latest attempt says whether the payment went through.
            "payment": queries.latest_payment(order.number),
        },
    )
