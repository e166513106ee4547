"""Payment provider webhooks (API.md): verified, applied once."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from pantry.payments import services

router = Router(tags=["payments"])


class WebhookOut(Schema):
    applied: bool


@router.post(
    "/payments/{provider}/webhook",
    response=WebhookOut,
    summary="A payment provider's notification (signed by the provider)",
)
def webhook(request: HttpRequest, provider: str) -> dict[str, bool]:
    outcome = services.ingest_webhook(
        provider=provider, body=request.body, headers=request.headers
    )
    return {"applied": outcome.applied}
