"""Tax: classes of goods and rates per country (and region) and class.

A rate holds for a period; periods of one country, region and class never
overlap (an EXCLUDE constraint), so a moment has at most one rate.
"""

from __future__ import annotations

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, RangeOperators
from django.db import models
from django.db.models import Q


class TaxClass(models.Model):
    """A kind of goods taxed alike (standard, reduced, zero)."""

    # What products name in their tax_class column.
    code = models.SlugField(max_length=32, unique=True)
    name = models.CharField(max_length=100)

    class Meta:
        verbose_name_plural = "tax classes"

    def __str__(self) -> str:
        return self.code


class TaxRate(models.Model):
    """A percentage of tax for a class in a country (or one of its regions)."""

    tax_class = models.ForeignKey(
        TaxClass, on_delete=models.PROTECT, related_name="rates"
    )
    country = models.CharField(max_length=2)
    # Empty: the whole country; a region's own rate wins over it.
    region = models.CharField(max_length=50, blank=True, default="")
    # Percent, e.g. 19.0000.
    rate = models.DecimalField(max_digits=7, decimal_places=4)
    # Half-open [from, until); an open end lasts until replaced.
    valid = DateTimeRangeField()

    class Meta:
        constraints = [
            # Also the index rate lookups probe.
            ExclusionConstraint(
                name="tax_taxrate_no_overlap",
                expressions=[
                    ("country", RangeOperators.EQUAL),
                    ("region", RangeOperators.EQUAL),
                    ("tax_class", RangeOperators.EQUAL),
                    ("valid", RangeOperators.OVERLAPS),
                ],
            ),
            models.CheckConstraint(
                condition=Q(rate__gte=0) & Q(rate__lte=100),
                name="tax_taxrate_rate_range",
            ),
            models.CheckConstraint(
                condition=Q(country__regex=r"^[A-Z]{2}$"),
                name="tax_taxrate_country_iso",
            ),
            models.CheckConstraint(
                condition=Q(valid__isempty=False), name="tax_taxrate_valid_nonempty"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.country} {self.tax_class_id} {self.rate}%"
