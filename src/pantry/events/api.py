"""Events API (staff): webhook endpoints, their deliveries, the change feed
and the audit log (API.md, "Events and webhooks")."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import StrictBool, StrictStr

from pantry.core.auth import staff
from pantry.core.errors import Invalid
from pantry.core.pagination import Limit, check_limit
from pantry.events import endpoints, queries
from pantry.events.feed import event_feed, parse_types

router = Router(tags=["events"])


class EndpointIn(Schema):
    url: StrictStr
    events: list[StrictStr]
    description: StrictStr = ""


class EndpointPatch(Schema):
    url: StrictStr | None = None
    events: list[StrictStr] | None = None
    description: StrictStr | None = None
    is_active: StrictBool | None = None


class EndpointOut(Schema):
    id: int
    url: str
    events: list[str]
    description: str
    is_active: bool
    created_at: datetime


class CreatedEndpointOut(EndpointOut):
    secret: str


class EndpointListOut(Schema):
    items: list[EndpointOut]
    next: str | None


class AttemptOut(Schema):
    id: int
    event_id: str
    attempt: int
    at: datetime
    status_code: int | None
    error: str
    latency_ms: int
    next_attempt_at: datetime | None
    delivery_status: str


class AttemptListOut(Schema):
    items: list[AttemptOut]
    next: str | None


class EventOut(Schema):
    id: str
    type: str
    created_at: str
    data: Any


class FeedOut(Schema):
    items: list[EventOut]
    next: str


class AuditOut(Schema):
    id: int
    table: str
    pk: str
    op: str
    before: Any
    after: Any
    actor: str
    request_id: str
    at: datetime


class AuditListOut(Schema):
    items: list[AuditOut]
    next: str | None


@router.post(
    "/webhooks",
    response={201: CreatedEndpointOut},
    auth=staff,
    summary="Register a webhook endpoint (staff); the secret is shown once",
)
def create_webhook(request: HttpRequest, payload: EndpointIn) -> Any:
    endpoint = endpoints.register_endpoint(
        url=payload.url, events=payload.events, description=payload.description
    )
    return Status(201, {**queries.endpoint_json(endpoint), "secret": endpoint.secret})


@router.get("/webhooks", response=EndpointListOut, auth=staff, summary="Webhooks")
def list_webhooks(
    request: HttpRequest, limit: Limit = None, cursor: str | None = None
) -> dict[str, Any]:
    page = queries.endpoint_list(limit=check_limit(limit), cursor=cursor)
    return {"items": [queries.endpoint_json(e) for e in page.rows], "next": page.next}


@router.patch("/webhooks/{endpoint_id}", response=EndpointOut, auth=staff)
def patch_webhook(
    request: HttpRequest, endpoint_id: int, payload: EndpointPatch
) -> dict[str, Any]:
    changes = {name: getattr(payload, name) for name in payload.model_fields_set}
    if nulls := sorted(name for name, value in changes.items() if value is None):
        raise Invalid(
            "These fields cannot be null: " + ", ".join(nulls) + ".",
            fields={name: "may not be null" for name in nulls},
        )
    endpoint = endpoints.change_endpoint(endpoint_id=endpoint_id, **changes)
    return queries.endpoint_json(endpoint)


@router.delete("/webhooks/{endpoint_id}", response={204: None}, auth=staff)
def delete_webhook(request: HttpRequest, endpoint_id: int) -> Any:
    endpoints.delete_endpoint(endpoint_id=endpoint_id)
    return Status(204, None)


@router.get(
    "/webhooks/{endpoint_id}/deliveries",
    response=AttemptListOut,
    auth=staff,
    summary="Delivery attempts of an endpoint, newest first (staff)",
)
def list_deliveries(
    request: HttpRequest,
    endpoint_id: int,
    limit: Limit = None,
    cursor: str | None = None,
) -> dict[str, Any]:
    page = queries.attempt_list(
        endpoint_id=endpoint_id, limit=check_limit(limit), cursor=cursor
    )
    return {"items": [queries.attempt_json(a) for a in page.rows], "next": page.next}


@router.get(
    "/events",
    response=FeedOut,
    auth=staff,
    summary="Every committed event in a stable order; follow next (staff)",
)
def list_events(
    request: HttpRequest,
    after: str | None = None,
    types: str | None = None,
    limit: Limit = None,
) -> Any:
    page = event_feed(after=after, types=parse_types(types), limit=check_limit(limit))
    return {"items": page.items, "next": page.next}


@router.get(
    "/audit",
    response=AuditListOut,
    auth=staff,
    summary="Who changed what, newest first (staff)",
)
def list_audit(
    request: HttpRequest,
    table: Annotated[str | None, Query(max_length=63)] = None,
    pk: Annotated[str | None, Query(max_length=100)] = None,
    actor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Limit = None,
    cursor: str | None = None,
) -> dict[str, Any]:
    page = queries.audit_list(
        table=table, pk=pk, actor=actor, limit=check_limit(limit), cursor=cursor
    )
    return {"items": [queries.audit_json(r) for r in page.rows], "next": page.next}
