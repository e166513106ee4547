"""Refusals of payments, carrying the error codes of API.md."""

from __future__ import annotations

from pantry.core.errors import Conflict, Invalid, NotFound, PantryError


class UnknownPaymentProvider(Invalid):
    code = "unknown_payment_provider"
    default_detail = "This payment provider is not available."


class UnknownWebhookProvider(NotFound):
    code = "not_found"
    default_detail = "There is no such payment provider."


class InvalidSignature(PantryError):
    status = 401
    code = "invalid_signature"
    default_detail = "The webhook's signature does not verify."


class RefundExceedsOrder(Conflict):
    code = "refund_exceeds_order"
    default_detail = "The refund is more than was paid."


class ProviderFailed(PantryError):
    status = 502
    code = "payment_provider_error"
    default_detail = "The payment provider did not answer as expected."
