"""Refusals of tax configuration, carrying API error codes."""

from __future__ import annotations

from pantry.core.errors import Conflict


class TaxRateOverlap(Conflict):
    code = "tax_rate_overlap"
    default_detail = "This rate's period overlaps another rate of that class there."
