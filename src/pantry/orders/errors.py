"""Refusals of the orders domain, carrying the error codes of API.md."""

from __future__ import annotations

from pantry.catalog.errors import InsufficientStock, UnknownSku
from pantry.core.errors import Conflict, Invalid

__all__ = [
    "IdempotencyKeyReused",
    "InsufficientStock",
    "InvalidTransition",
    "MixedCurrency",
    "UnknownSku",
]


class IdempotencyKeyReused(Conflict):
    code = "idempotency_key_reused"
    default_detail = (
        "This Idempotency-Key was already used for a different request; "
        "use a new key for a new order."
    )


class InvalidTransition(Conflict):
    code = "invalid_transition"
    default_detail = "The order cannot move to that status from its current one."


class MixedCurrency(Invalid):
    code = "mixed_currency"
    default_detail = "All lines of one order must be priced in one currency."
