"""Registering webhook endpoints: the only writers of endpoints."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from pantry.core.errors import Invalid
from pantry.events.errors import EndpointNotFound, UnknownEventType
from pantry.events.models import Delivery, Endpoint
from pantry.events.outbox import EVENT_TYPES
from pantry.events.urls_check import resolve_allowed

DESCRIPTION_MAX = 500
_UNSET: Any = object()


def new_secret() -> str:
    """A Standard Webhooks secret: ``whsec_`` and 32 random bytes, base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def _event_types(events: Sequence[str]) -> list[str]:
    if not isinstance(events, list | tuple) or not events:
        raise Invalid(
            "Name at least one event type.", fields={"events": "at least one"}
        )
    wanted = sorted({str(e) for e in events})
    if unknown := [e for e in wanted if e != "*" and e not in EVENT_TYPES]:
        raise UnknownEventType(
            "Unknown event types: " + ", ".join(unknown) + ".",
            fields={"events": "one or more of *, " + ", ".join(EVENT_TYPES)},
        )
    return wanted


def _description(text: str) -> str:
    if len(text) > DESCRIPTION_MAX:
        raise Invalid(
            f"A description has at most {DESCRIPTION_MAX} characters.",
            fields={"description": "too long"},
        )
    return text


def _live(endpoint_id: int) -> Endpoint:
    endpoint = (
        Endpoint.objects.select_for_update()
        .filter(pk=endpoint_id, deleted_at__isnull=True)
        .first()
    )
    if endpoint is None:
        raise EndpointNotFound()
    return endpoint


def register_endpoint(
    *, url: str, events: Sequence[str], description: str = ""
) -> Endpoint:
    """Register a URL for ``events``, with a new secret (shown once).

    Raises UrlNotAllowed, UnknownEventType or Invalid.
    """
    resolve_allowed(url)
    endpoint = Endpoint(
        url=url,
        events=_event_types(events),
        description=_description(description),
        secret=new_secret(),
    )
    endpoint.save()
    return endpoint


def change_endpoint(
    *,
    endpoint_id: int,
    url: str = _UNSET,
    events: Sequence[str] = _UNSET,
    description: str = _UNSET,
    is_active: bool = _UNSET,
) -> Endpoint:
    """Change an endpoint; disabling it cancels what it still had pending.

    Raises EndpointNotFound, UrlNotAllowed, UnknownEventType or Invalid.
    """
    with transaction.atomic():
        endpoint = _live(endpoint_id)
        if url is not _UNSET:
            resolve_allowed(url)
            endpoint.url = url
        if events is not _UNSET:
            endpoint.events = _event_types(events)
        if description is not _UNSET:
            endpoint.description = _description(description)
        if is_active is not _UNSET:
            endpoint.is_active = is_active
        endpoint.save()
        if not endpoint.is_active:
            _cancel_pending(endpoint)
    return endpoint


def delete_endpoint(*, endpoint_id: int) -> None:
    """Delete an endpoint: it receives nothing more; its attempts are kept."""
    with transaction.atomic():
        endpoint = _live(endpoint_id)
        endpoint.deleted_at = timezone.now()
        endpoint.is_active = False
        endpoint.save(update_fields=["deleted_at", "is_active"])
        _cancel_pending(endpoint)


def _cancel_pending(endpoint: Endpoint) -> None:
    Delivery.objects.filter(endpoint=endpoint, status=Delivery.Status.PENDING).update(
        status=Delivery.Status.CANCELLED, next_attempt_at=None
    )
