"""The JSON API: mounts each app's router and maps every error to API.md's shape."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import (
    AuthenticationError,
    AuthorizationError,
    HttpError,
    ValidationError,
)

from pantry.catalog.api import router as catalog_router
from pantry.core.api import router as core_router
from pantry.core.edge import JsonParser, bad_request
from pantry.core.errors import PantryError, code_for_status
from pantry.core.openapi import document_errors
from pantry.core.renderers import FastJSONRenderer
from pantry.core.transactions import retryable
from pantry.core.unavailable import report, unavailable_response
from pantry.customers.api import router as customers_router
from pantry.events.api import router as events_router
from pantry.journal.api import router as journal_router
from pantry.orders.account_api import router as order_account_router
from pantry.orders.api import router as orders_router
from pantry.orders.checkout_api import router as checkout_router
from pantry.orders.refunds_api import router as refunds_router
from pantry.orders.reports_api import router as reports_router
from pantry.payments.api import router as payments_router
from pantry.search.api import router as search_router
from pantry.vouchers.api import router as vouchers_router


class PantryAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> Any:
        return document_errors(super().get_openapi_schema(**kwargs))


api = PantryAPI(
    title="pantry",
    version="1",
    description="Catalog, journal, search and orders of a pantry shop.",
    urls_namespace="api",
    parser=JsonParser(),
    renderer=FastJSONRenderer(),
)
api.add_router("", core_router)
api.add_router("", customers_router)
api.add_router("", catalog_router)
api.add_router("", journal_router)
api.add_router("", search_router)
api.add_router("", orders_router)
api.add_router("", reports_router)
api.add_router("", order_account_router)
api.add_router("", events_router)
api.add_router("", vouchers_router)
api.add_router("", payments_router)
api.add_router("", checkout_router)
api.add_router("", refunds_router)


def _respond(request: HttpRequest, status: int, body: dict[str, Any]) -> HttpResponse:
    return api.create_response(request, body, status=status)


@api.exception_handler(PantryError)
def pantry_error(request: HttpRequest, exc: PantryError) -> HttpResponse:
    response = _respond(request, exc.status, exc.body())
    for name, value in exc.headers().items():
        response[name] = value
    return response


def _field_path(loc: list[Any]) -> str:
    # ninja reports ("body", "payload", "lines", 0, "sku"): drop the source
    # and the parameter's own name, keep the path a client sent.
    parts = [str(part) for part in loc[1:]]
    if loc and loc[0] == "body" and len(parts) > 1:
        parts = parts[1:]
    return ".".join(parts) or str(loc[0] if loc else "body")


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields: dict[str, str] = {}
    in_body = False
    for error in exc.errors:
        loc = list(error.get("loc", []))
        in_body = in_body or (bool(loc) and loc[0] == "body")
        fields.setdefault(_field_path(loc), str(error.get("msg", "invalid")))
    if in_body:
        detail = "The request body is invalid."
        return _respond(
            request,
            422,
            {"error": "validation_error", "detail": detail, "fields": fields},
        )
    detail = "Some parameters are invalid: " + ", ".join(sorted(fields)) + "."
    return _respond(
        request, 400, {"error": "bad_request", "detail": detail, "fields": fields}
    )


@api.exception_handler(AuthenticationError)
def authentication_error(
    request: HttpRequest, exc: AuthenticationError
) -> HttpResponse:
    response = _respond(
        request,
        401,
        {
            "error": "unauthorized",
            "detail": "A valid staff token is required (Authorization: Bearer <token>).",
        },
    )
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(AuthorizationError)
def authorization_error(request: HttpRequest, exc: AuthorizationError) -> HttpResponse:
    return _respond(
        request, 403, {"error": "forbidden", "detail": str(exc) or "Not allowed."}
    )


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # ninja wraps whatever its parser raised into "Cannot parse request body".
    if isinstance(exc.__cause__, PantryError):
        return pantry_error(request, exc.__cause__)
    if isinstance(exc.__cause__, RequestDataTooBig):
        return request_limit(request, exc.__cause__)
    detail = str(exc)
    if detail.startswith("Cannot parse request body"):
        return _respond(
            request,
            400,
            {
                "error": "malformed_json",
                "detail": "The request body is not valid JSON.",
            },
        )
    return _respond(
        request,
        exc.status_code,
        {"error": code_for_status(exc.status_code), "detail": detail},
    )


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _respond(request, 404, {"error": "not_found", "detail": "Not found."})


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def database_unavailable(request: HttpRequest, exc: Exception) -> HttpResponse:
    # A deadlock goes on to the write transaction, which runs the request
    # again (core/transactions.py); it is not an outage.
    if retryable(exc):
        raise exc
    # A database down, hung or past its timeouts (core/unavailable.py).
    report(exc)
    return unavailable_response(request)


@api.exception_handler(TooManyFieldsSent)
@api.exception_handler(RequestDataTooBig)
def request_limit(
    request: HttpRequest, exc: TooManyFieldsSent | RequestDataTooBig
) -> HttpResponse:
    # Django raises these lazily, on first access to GET, POST or the body.
    if isinstance(exc, TooManyFieldsSent):
        return bad_request(
            request,
            "Too many parameters or form fields in one request.",
            code="too_many_fields",
        )
    return bad_request(request, "The request body is too large.", code="body_too_large")
