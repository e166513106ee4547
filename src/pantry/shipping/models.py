"""Shipping: zones of countries, methods per zone, rate tiers per method.

A tier prices a method for orders whose weight and subtotal lie in its
ranges, in one currency; tiers of one method and currency never overlap (an
EXCLUDE constraint), so a quote finds at most one tier per method.
"""

from __future__ import annotations

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import (
    ArrayField,
    DecimalRangeField,
    IntegerRangeField,
    RangeOperators,
)
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import F, Func, Q, Value
from django.db.models.lookups import Regex


def _countries_text() -> Func:
    return Func(
        F("countries"),
        Value(","),
        function="array_to_string",
        output_field=models.TextField(),
    )


class Zone(models.Model):
    """A set of ISO 3166-1 alpha-2 countries served alike."""

    name = models.CharField(max_length=100, unique=True)
    countries = ArrayField(models.CharField(max_length=2))

    class Meta:
        # The quote's `countries @> ARRAY['DE']`.
        indexes = [GinIndex(fields=["countries"], name="shipping_zone_countries_gin")]
        constraints = [
            models.CheckConstraint(
                condition=Regex(_countries_text(), Value(r"^[A-Z]{2}(,[A-Z]{2})*$")),
                name="shipping_zone_countries_iso",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Method(models.Model):
    """A way of shipping to a zone (standard, express, ...)."""

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="methods")
    # What orders and quotes name: unique across zones.
    code = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=100)
    is_active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return self.code


class Rate(models.Model):
    """The price of a method for a weight range and a subtotal range."""

    method = models.ForeignKey(Method, on_delete=models.CASCADE, related_name="rates")
    currency = models.CharField(max_length=3)
    # Half-open ranges, [lower, upper): grams and order subtotal; an open
    # upper end means "and above".
    weight_g = IntegerRangeField()
    subtotal = DecimalRangeField()
    price = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        constraints = [
            # Also the index a quote probes, method by method.
            ExclusionConstraint(
                name="shipping_rate_no_overlap",
                expressions=[
                    ("method", RangeOperators.EQUAL),
                    ("currency", RangeOperators.EQUAL),
                    ("weight_g", RangeOperators.OVERLAPS),
                    ("subtotal", RangeOperators.OVERLAPS),
                ],
            ),
            models.CheckConstraint(
                condition=Q(price__gte=0), name="shipping_rate_price_nonnegative"
            ),
            models.CheckConstraint(
                condition=Q(currency__regex=r"^[A-Z]{3}$"),
                name="shipping_rate_currency_iso",
            ),
            models.CheckConstraint(
                condition=Q(weight_g__isempty=False) & Q(weight_g__startswith__gte=0),
                name="shipping_rate_weight_valid",
            ),
            models.CheckConstraint(
                condition=Q(subtotal__isempty=False) & Q(subtotal__startswith__gte=0),
                name="shipping_rate_subtotal_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.method_id} {self.weight_g} {self.subtotal}: {self.price}"
