"""Customers API: accounts, sign-in, password reset, /me and addresses (API.md)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.errors import AuthorizationError
from ninja.security import HttpBearer
from pydantic import StrictBool, StrictStr

from pantry.core.auth import user_for_token
from pantry.core.openapi import Email
from pantry.customers import addresses, email_change, services
from pantry.customers.auth import TOKEN_MAX, customer_auth, customer_for_token
from pantry.customers.models import Address, Customer

router = Router(tags=["customers"])


class ErrorOut(Schema):
    error: str
    detail: str


class SignUpIn(Schema):
    email: Email
    password: StrictStr
    name: StrictStr


class CustomerOut(Schema):
    id: int
    email: str
    name: str
    email_verified: bool


class LoginIn(Schema):
    email: Email
    password: StrictStr


class TokenOut(Schema):
    token: str


class TokenIn(Schema):
    token: StrictStr


class EmailIn(Schema):
    email: Email


class ResetConfirmIn(Schema):
    token: StrictStr
    password: StrictStr


class AcceptedOut(Schema):
    detail: str


class EmailChangeIn(Schema):
    email: StrictStr
    password: StrictStr


def customer_json(customer: Customer) -> dict[str, Any]:
    return {
        "id": customer.pk,
        "email": customer.email,
        "name": customer.name,
        "email_verified": customer.email_verified,
    }


@router.post(
    "/customers",
    response={201: CustomerOut, 409: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="Create a customer account; a verification email follows",
)
def sign_up(request: HttpRequest, payload: SignUpIn) -> Status:
    customer = services.sign_up(
        email=payload.email, password=payload.password, name=payload.name
    )
    return Status(201, customer_json(customer))


@router.post(
    "/auth/login",
    response={200: TokenOut, 401: ErrorOut, 429: ErrorOut},
    summary="Sign a customer in; answers a bearer token",
)
def login(request: HttpRequest, payload: LoginIn) -> dict[str, str]:
    signed_in = services.sign_in(
        request=request, email=payload.email, password=payload.password
    )
    return {"token": services.create_customer_token(customer=signed_in.customer)}


@router.post(
    "/auth/logout",
    response={204: None},
    auth=customer_auth,
    summary="Revoke the customer token used",
)
def logout(request: HttpRequest) -> Status:
    services.revoke_token(token=request.bearer_token)  # type: ignore[attr-defined]
    return Status(204, None)


RESET_ACCEPTED = "If an account has this email, a reset link is on its way."


@router.post(
    "/auth/password-reset",
    response={202: AcceptedOut, 429: ErrorOut},
    summary="Email a password reset link (202 whether or not the email exists)",
)
def password_reset(request: HttpRequest, payload: EmailIn) -> Status:
    services.request_password_reset(email=payload.email)
    return Status(202, {"detail": RESET_ACCEPTED})


@router.post(
    "/auth/password-reset/confirm",
    response={200: CustomerOut, 400: ErrorOut, 422: ErrorOut},
    summary="Set a new password with the emailed token",
)
def password_reset_confirm(
    request: HttpRequest, payload: ResetConfirmIn
) -> dict[str, Any]:
    customer = services.reset_password(token=payload.token, password=payload.password)
    return customer_json(customer)


class AnyToken(HttpBearer):
    """A customer's token, or a staff member's."""

    def authenticate(self, request: HttpRequest, token: str) -> Any | None:
        if not token or len(token) > TOKEN_MAX:
            return None
        customer = customer_for_token(token)
        if customer is not None:
            return customer
        user = user_for_token(token)
        if user is None:
            return None
        if not user.is_staff:
            raise AuthorizationError(message="This token's user is not staff.")
        return user


class MeOut(Schema):
    is_staff: bool
    username: str | None = None
    email: str | None = None
    name: str | None = None
    email_verified: bool | None = None


@router.get(
    "/me",
    response=MeOut,
    auth=AnyToken(),
    summary="The customer or staff user of the bearer token",
    exclude_none=True,
)
def me(request: HttpRequest) -> dict[str, Any]:
    who = request.auth  # type: ignore[attr-defined]
    if isinstance(who, Customer):
        return {
            "email": who.email,
            "name": who.name,
            "email_verified": who.email_verified,
            "is_staff": False,
        }
    return {"username": who.username, "is_staff": True}


# -- addresses --------------------------------------------------------------


class PostalAddressIn(Schema):
    """API.md's address shape without id: saved addresses and orders' own."""

    name: StrictStr
    line1: StrictStr
    line2: StrictStr = ""
    city: StrictStr
    postal_code: StrictStr = ""
    region: StrictStr = ""
    country: StrictStr = Field(description="ISO 3166-1 alpha-2", examples=["DE"])
    phone: StrictStr = ""


class AddressIn(PostalAddressIn):
    is_default: StrictBool = False


class AddressPatch(Schema):
    name: StrictStr | None = None
    line1: StrictStr | None = None
    line2: StrictStr | None = None
    city: StrictStr | None = None
    postal_code: StrictStr | None = None
    region: StrictStr | None = None
    country: StrictStr | None = None
    phone: StrictStr | None = None
    is_default: StrictBool | None = None


class AddressOut(Schema):
    id: int
    name: str
    line1: str
    line2: str
    city: str
    postal_code: str
    region: str
    country: str
    phone: str
    is_default: bool


class AddressListOut(Schema):
    items: list[AddressOut]


def address_json(address: Address) -> dict[str, Any]:
    return {
        "id": address.pk,
        **{name: getattr(address, name) for name in addresses.FIELDS},
        "is_default": address.is_default,
    }


@router.get(
    "/me/addresses",
    response=AddressListOut,
    auth=customer_auth,
    summary="The customer's addresses, the default first",
)
def list_addresses(request: HttpRequest) -> dict[str, Any]:
    customer = request.auth  # type: ignore[attr-defined]
    rows = Address.objects.filter(customer=customer).order_by("-is_default", "id")
    return {"items": [address_json(address) for address in rows]}


@router.post(
    "/me/addresses",
    response={201: AddressOut, 422: ErrorOut},
    auth=customer_auth,
    summary="Add an address",
)
def add_address(request: HttpRequest, payload: AddressIn) -> Status:
    address = addresses.add_address(
        customer=request.auth,  # type: ignore[attr-defined]
        data=payload.model_dump(),
    )
    return Status(201, address_json(address))


@router.patch(
    "/me/addresses/{address_id}",
    response={200: AddressOut, 404: ErrorOut, 422: ErrorOut},
    auth=customer_auth,
    summary="Change an address (any subset of fields)",
)
def change_address(
    request: HttpRequest, address_id: int, payload: AddressPatch
) -> dict[str, Any]:
    address = addresses.change_address(
        customer=request.auth,  # type: ignore[attr-defined]
        address_id=address_id,
        data=payload.model_dump(exclude_unset=True),
    )
    return address_json(address)


@router.delete(
    "/me/addresses/{address_id}",
    response={204: None, 404: ErrorOut},
    auth=customer_auth,
    summary="Delete an address",
)
def delete_address(request: HttpRequest, address_id: int) -> Status:
    addresses.delete_address(
        customer=request.auth,  # type: ignore[attr-defined]
        address_id=address_id,
    )
    return Status(204, None)


@router.post(
    "/me/email",
    response={202: AcceptedOut, 401: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    auth=customer_auth,
    summary="Ask to move the account to another email (confirmed from it)",
)
def change_email(request: HttpRequest, payload: EmailChangeIn) -> Status:
    new_email = email_change.request_email_change(
        customer=request.auth,  # type: ignore[attr-defined]
        email=payload.email,
        password=payload.password,
    )
    return Status(
        202,
        {
            "detail": f"We sent a link to {new_email}; the account moves to it "
            "once the link is opened."
        },
    )
