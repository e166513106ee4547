"""Account pages: sign up, sign in and out, verify, reset, orders, addresses.

Every page works without JavaScript: plain forms with CSRF tokens that
redirect after a successful POST.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from pantry.core.errors import PantryError
from pantry.customers import addresses, email_change, services
from pantry.customers.auth import session_customer
from pantry.customers.errors import (
    AddressNotFound,
    EmailTaken,
    InvalidCredentials,
    InvalidToken,
    LoginThrottled,
)
from pantry.customers.models import Address, Customer
from pantry.orders import accounts, cart
from pantry.storefront.forms import (
    AddressForm,
    EmailChangeForm,
    EmailForm,
    LoginForm,
    NewPasswordForm,
    SignUpForm,
    TokenForm,
)

BACKEND = "pantry.customers.backends.CustomerBackend"
ORDERS_PER_PAGE = 10
GET_POST = ["GET", "HEAD", "POST"]


def _sign_in(request: HttpRequest, customer: Customer, user: Any) -> None:
    # Merge first: login() keeps the session's data under a new key.
    cart.merge_into_account(request.session, customer_id=customer.pk)
    login(request, user, backend=BACKEND)


def _add_field_errors(form: Any, exc: PantryError) -> None:
    for field, message in (exc.fields or {}).items():
        form.add_error(field if field in form.fields else None, message)
    if not exc.fields:
        form.add_error(None, exc.detail)


def customer_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        customer = session_customer(request)
        if customer is None:
            login_url = reverse("account:login")
            return redirect(f"{login_url}?next={request.path}")
        return view(request, customer, *args, **kwargs)

    return wrapper


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("account:home")


@require_http_methods(GET_POST)
def signup_page(request: HttpRequest) -> HttpResponse:
    form = SignUpForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            customer = services.sign_up(**form.cleaned_data)
        except EmailTaken as exc:
            form.add_error("email", exc.detail)
        except PantryError as exc:
            _add_field_errors(form, exc)
        else:
            _sign_in(request, customer, customer.user)
            messages.success(
                request, "Welcome! We sent you a link to confirm your email."
            )
            return redirect("account:home")
    status = 400 if form.is_bound else 200
    return render(request, "storefront/signup.html", {"form": form}, status=status)


@require_http_methods(GET_POST)
def login_page(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST if request.method == "POST" else None)
    next_url = _next_url(request)
    context = {"form": form, "next": next_url}
    if request.method == "POST" and form.is_valid():
        try:
            signed_in = services.sign_in(request=request, **form.cleaned_data)
        except LoginThrottled as exc:
            minutes = max(1, exc.retry_after // 60)
            form.add_error(
                None,
                "Too many failed sign-ins. Signing in is paused for "
                f"{minutes} minutes.",
            )
            response = render(request, "storefront/login.html", context, status=429)
            response["Retry-After"] = str(exc.retry_after)
            return response
        except InvalidCredentials as exc:
            form.add_error(None, exc.detail)
        else:
            _sign_in(request, signed_in.customer, signed_in.user)
            return redirect(next_url)
    # A wrong password is an answer, not a bad request (as Django's own
    # login view does).
    return render(request, "storefront/login.html", context)


@require_http_methods(GET_POST)
def logout_page(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        logout(request)
        messages.info(request, "You are signed out.")
        return redirect("/")
    return render(request, "storefront/logout.html")


@require_http_methods(GET_POST)
def verify_page(request: HttpRequest) -> HttpResponse:
    """GET asks to confirm (link scanners must not verify); POST verifies."""
    data = request.POST if request.method == "POST" else request.GET
    form = TokenForm(data)
    if request.method == "POST" and form.is_valid():
        try:
            _, claimed = accounts.verify_customer_email(
                token=form.cleaned_data["token"]
            )
        except InvalidToken as exc:
            form.add_error(None, exc.detail)
        else:
            note = (
                f" {claimed} earlier order(s) joined your account." if claimed else ""
            )
            messages.success(request, "Your email address is confirmed." + note)
            return redirect("account:home")
    status = 400 if request.method == "POST" else 200
    return render(request, "storefront/verify.html", {"form": form}, status=status)


@require_http_methods(GET_POST)
@customer_required
def email_change_page(request: HttpRequest, customer: Customer) -> HttpResponse:
    """Ask for the new email and the password; the link goes to the new one."""
    form = EmailChangeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            new_email = email_change.request_email_change(
                customer=customer, **form.cleaned_data
            )
        except EmailTaken:
            form.add_error("email", "Another account has this email.")
        except PantryError as exc:
            _add_field_errors(form, exc)
        else:
            messages.info(
                request,
                f"We sent a link to {new_email}. Your account keeps its current "
                "email until you open it.",
            )
            return redirect("account:home")
    status = 400 if form.is_bound else 200
    return render(
        request,
        "storefront/email_change.html",
        {"form": form, "customer": customer},
        status=status,
    )


@require_http_methods(GET_POST)
def email_change_confirm_page(request: HttpRequest) -> HttpResponse:
    """GET asks to confirm (link scanners must not change it); POST changes."""
    data = request.POST if request.method == "POST" else request.GET
    form = TokenForm(data)
    if request.method == "POST" and form.is_valid():
        try:
            customer, claimed = accounts.confirm_customer_email_change(
                token=form.cleaned_data["token"]
            )
        except (InvalidToken, EmailTaken) as exc:
            form.add_error(None, exc.detail)
        else:
            note = (
                f" {claimed} earlier order(s) joined your account." if claimed else ""
            )
            messages.success(
                request, f"Your account's email is now {customer.email}." + note
            )
            return redirect("account:home")
    status = 400 if request.method == "POST" else 200
    return render(
        request, "storefront/email_change_confirm.html", {"form": form}, status=status
    )


@require_http_methods(GET_POST)
def password_reset_page(request: HttpRequest) -> HttpResponse:
    form = EmailForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.request_password_reset(email=form.cleaned_data["email"])
        messages.info(
            request, "If an account has this email, a reset link is on its way."
        )
        return redirect("account:password-reset")
    status = 400 if form.is_bound else 200
    return render(
        request, "storefront/password_reset.html", {"form": form}, status=status
    )


@require_http_methods(GET_POST)
def password_reset_confirm_page(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = NewPasswordForm(request.POST)
    else:
        form = NewPasswordForm(initial={"token": request.GET.get("token", "")})
    if request.method == "POST" and form.is_valid():
        try:
            services.reset_password(**form.cleaned_data)
        except PantryError as exc:
            _add_field_errors(form, exc)
        else:
            messages.success(request, "Your password is changed: sign in with it.")
            return redirect("account:login")
    status = 400 if form.is_bound else 200
    return render(
        request, "storefront/password_reset_confirm.html", {"form": form}, status=status
    )


@require_http_methods(["GET", "HEAD"])
@customer_required
def account_page(request: HttpRequest, customer: Customer) -> HttpResponse:
    try:
        page = accounts.customer_orders(
            customer_id=customer.pk,
            limit=ORDERS_PER_PAGE,
            cursor=request.GET.get("cursor") or None,
        )
    except PantryError:
        return redirect("account:home")
    rows = Address.objects.filter(customer=customer).order_by("-is_default", "id")
    return render(
        request,
        "storefront/account.html",
        {
            "customer": customer,
            "orders": page.rows,
            "next": page.next,
            "addresses": list(rows),
            "address_form": AddressForm(initial={"name": customer.name}),
        },
    )


@require_http_methods(GET_POST)
@customer_required
def address_page(
    request: HttpRequest, customer: Customer, address_id: int | None = None
) -> HttpResponse:
    """Add an address (no id) or edit one of the customer's."""
    address = None
    if address_id is not None:
        address = Address.objects.filter(customer=customer, pk=address_id).first()
        if address is None:
            return render(request, "404.html", status=404)
    if request.method == "POST":
        form = AddressForm(request.POST)
    else:
        initial = {name: getattr(address, name) for name in addresses.FIELDS}
        initial["is_default"] = address.is_default if address else False
        form = AddressForm(initial=initial if address else None)
    if request.method == "POST" and form.is_valid():
        try:
            if address is None:
                addresses.add_address(customer=customer, data=form.cleaned_data)
            else:
                addresses.change_address(
                    customer=customer, address_id=address.pk, data=form.cleaned_data
                )
        except PantryError as exc:
            _add_field_errors(form, exc)
        else:
            messages.success(request, "Address saved.")
            return redirect("account:home")
    status = 400 if form.is_bound else 200
    return render(
        request,
        "storefront/address.html",
        {"form": form, "address": address},
        status=status,
    )


@require_POST
@customer_required
def address_delete(
    request: HttpRequest, customer: Customer, address_id: int
) -> HttpResponse:
    try:
        addresses.delete_address(customer=customer, address_id=address_id)
    except AddressNotFound:
        return render(request, "404.html", status=404)
    messages.success(request, "Address deleted.")
    return redirect("account:home")


@require_POST
@customer_required
def address_default(
    request: HttpRequest, customer: Customer, address_id: int
) -> HttpResponse:
    try:
        addresses.change_address(
            customer=customer, address_id=address_id, data={"is_default": True}
        )
    except AddressNotFound:
        return render(request, "404.html", status=404)
    messages.success(request, "Default address changed.")
    return redirect("account:home")
