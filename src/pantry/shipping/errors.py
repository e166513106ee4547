"""Refusals of shipping, carrying the error codes of API.md."""

from __future__ import annotations

from pantry.core.errors import Conflict, Invalid


class ShippingRequired(Invalid):
    code = "shipping_required"
    default_detail = "This order needs a shipping address and a shipping method."


class ShippingUnavailable(Invalid):
    code = "shipping_unavailable"
    default_detail = "No shipping method serves this address."


class UnknownCountry(Invalid):
    code = "unknown_country"
    default_detail = "The country is not an ISO 3166-1 alpha-2 code."


class RateOverlap(Conflict):
    code = "rate_overlap"
    default_detail = "This rate overlaps another rate of the same method."
