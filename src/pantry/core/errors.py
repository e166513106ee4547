"""Errors that carry an API error code; ``pantry.api`` turns them into JSON.

Each app's ``errors.py`` subclasses these with the codes of API.md, so a
service can raise ``InsufficientStock(sku=..., available=...)`` without
knowing about HTTP.
"""

from __future__ import annotations

from typing import Any, ClassVar

STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "too_many_requests",
    500: "internal_error",
    503: "unavailable",
}


def code_for_status(status: int) -> str:
    return STATUS_CODES.get(status, "client_error" if status < 500 else "server_error")


class PantryError(Exception):
    """A refusal the caller can act on; ``extra`` fields join the JSON body."""

    status: ClassVar[int] = 400
    code: ClassVar[str] = "bad_request"
    default_detail: ClassVar[str] = "The request cannot be processed."

    def __init__(
        self,
        detail: str | None = None,
        *,
        fields: dict[str, str] | None = None,
        **extra: Any,
    ):
        self.detail = detail or self.default_detail
        self.fields = fields
        self.extra = extra
        super().__init__(self.detail)

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"error": self.code, "detail": self.detail}
        if self.fields:
            body["fields"] = self.fields
        body.update(self.extra)
        return body

    def headers(self) -> dict[str, str]:
        """HTTP headers the answer carries (``Retry-After``, ...)."""
        return {}


class BadRequest(PantryError):
    status = 400
    code = "bad_request"


class BadCursor(BadRequest):
    code = "bad_cursor"
    default_detail = "The cursor is not valid; start again without it."


class NotFound(PantryError):
    status = 404
    code = "not_found"
    default_detail = "Not found."


class Conflict(PantryError):
    status = 409
    code = "conflict"
    default_detail = "The request conflicts with the current state."


class Invalid(PantryError):
    status = 422
    code = "validation_error"
    default_detail = "The request is well-formed but invalid."
