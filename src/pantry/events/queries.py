"""Reads for staff: endpoints, their delivery attempts, the audit log."""

from __future__ import annotations

from typing import Any

from pantry.core.pagination import Page, keyset_page
from pantry.events.errors import EndpointNotFound
from pantry.events.models import Attempt, AuditRecord, Endpoint


def endpoint_json(endpoint: Endpoint) -> dict[str, Any]:
    return {
        "id": endpoint.pk,
        "url": endpoint.url,
        "events": endpoint.events,
        "description": endpoint.description,
        "is_active": endpoint.is_active,
        "created_at": endpoint.created_at,
    }


def endpoint_list(*, limit: int, cursor: str | None) -> Page:
    return keyset_page(
        Endpoint.objects.filter(deleted_at__isnull=True),
        order=["id"],
        limit=limit,
        cursor=cursor,
        scope="events.endpoints",
    )


def live_endpoint(endpoint_id: int) -> Endpoint:
    endpoint = Endpoint.objects.filter(pk=endpoint_id, deleted_at__isnull=True).first()
    if endpoint is None:
        raise EndpointNotFound()
    return endpoint


def attempt_list(*, endpoint_id: int, limit: int, cursor: str | None) -> Page:
    """The endpoint's delivery attempts, newest first."""
    live_endpoint(endpoint_id)
    rows = Attempt.objects.filter(delivery__endpoint_id=endpoint_id).select_related(
        "delivery"
    )
    return keyset_page(
        rows,
        order=["-id"],
        limit=limit,
        cursor=cursor,
        scope=f"events.attempts.{endpoint_id}",
    )


def attempt_json(attempt: Attempt) -> dict[str, Any]:
    return {
        "id": attempt.pk,
        "event_id": f"evt_{attempt.delivery.event_id}",
        "attempt": attempt.number,
        "at": attempt.at,
        "status_code": attempt.status_code,
        "error": attempt.error,
        "latency_ms": attempt.latency_ms,
        "next_attempt_at": attempt.next_attempt_at,
        "delivery_status": attempt.delivery.status,
    }


def audit_list(
    *,
    table: str | None,
    pk: str | None,
    actor: str | None,
    limit: int,
    cursor: str | None,
) -> Page:
    """Audit records, newest first, filtered by table, row and actor."""
    rows = AuditRecord.objects.all()
    if table:
        rows = rows.filter(table_name=table)
    if pk:
        rows = rows.filter(row_pk=pk)
    if actor:
        rows = rows.filter(actor=actor)
    return keyset_page(rows, order=["-id"], limit=limit, cursor=cursor, scope="audit")


def audit_json(record: AuditRecord) -> dict[str, Any]:
    return {
        "id": record.pk,
        "table": record.table_name,
        "pk": record.row_pk,
        "op": record.op,
        "before": record.before,
        "after": record.after,
        "actor": record.actor,
        "request_id": record.request_id,
        "at": record.at,
    }
