"""Makes the OpenAPI document declare every error an operation can answer.

Some answers come from layers no operation declares: the edge (400 for any
request, 404 for an unstorable path), body validation (422), staff or
customer authentication (401, 403), path lookups (404), conflicts of a
write with the current state (409). ``document_errors`` adds them, in
API.md's error shape, to each operation that can meet them, leaving what an
operation declares itself untouched.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import StrictStr, WithJsonSchema

ERROR_SCHEMA: dict[str, Any] = {
    "title": "Error",
    "description": "API.md's error shape; some errors add fields (sku, available).",
    "type": "object",
    "properties": {
        "error": {"type": "string"},
        "detail": {"type": "string"},
        "fields": {"type": "object", "additionalProperties": {"type": "string"}},
    },
    "required": ["error", "detail"],
}
DESCRIPTIONS = {
    400: "Malformed request, a bad parameter, or text that is not accepted",
    401: "No valid token",
    403: "The token may not do this",
    404: "Not found",
    409: "Conflicts with the current state",
    422: "Well-formed but invalid body",
}
WRITES = frozenset({"post", "put", "patch", "delete"})
# An email address in a body: documented as one; the services check it
# (Django's validator) and answer 422 naming the field.
Email = Annotated[
    StrictStr,
    WithJsonSchema({"type": "string", "format": "email", "maxLength": 254}),
]


def error_response(description: str) -> dict[str, Any]:
    """An OpenAPI response in the error shape, for ``openapi_extra``."""
    reference = {"$ref": "#/components/schemas/Error"}
    return {
        "description": description,
        "content": {"application/json": {"schema": reference}},
    }


def _statuses(method: str, operation: dict[str, Any]) -> list[int]:
    statuses = [400]
    if operation.get("requestBody"):
        statuses.append(422)
    if operation.get("security"):
        statuses += [401, 403]
    if any(p.get("in") == "path" for p in operation.get("parameters", [])):
        statuses.append(404)
    if method in WRITES:
        statuses.append(409)
    return statuses


def document_errors(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the error answers each operation can give; return ``schema``."""
    schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = (
        ERROR_SCHEMA
    )
    for methods in schema.get("paths", {}).values():
        for method, operation in methods.items():
            responses = operation.setdefault("responses", {})
            for status in _statuses(method, operation):
                responses.setdefault(status, error_response(DESCRIPTIONS[status]))
    return schema
