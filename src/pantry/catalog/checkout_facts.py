"""What checkout needs of each SKU beyond its price: weight, shipping, tax class."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pantry.catalog.models import Variant


@dataclass(frozen=True)
class ShippingFacts:
    sku: str
    weight_g: int
    requires_shipping: bool
    tax_class: str


def shipping_facts(skus: Iterable[str]) -> dict[str, ShippingFacts]:
    """Weight, shipping need and tax class of each existing SKU, in one query."""
    rows = Variant.objects.filter(sku__in=list(skus)).values_list(
        "sku", "weight_g", "requires_shipping", "product__tax_class"
    )
    return {row[0]: ShippingFacts(*row) for row in rows}
