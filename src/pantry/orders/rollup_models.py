"""Sales rollups: what the reports and the dashboard read instead of
scanning orders and their lines (docs/reports.md).

Statement-level triggers on orders and order lines (migration 0017) append
signed deltas, inserts only, so concurrent placements and payments never
wait on a shared counter row; ``orders.rollups.fold`` merges them.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q


class SalesDay(models.Model):
    """Revenue orders and revenue of one UTC day and currency, as deltas.

    Several rows of one day add up (a delta may be negative: a paid order
    cancelled); folding leaves one per day.
    """

    day = models.DateField()
    currency = models.CharField(max_length=3)
    orders = models.IntegerField()
    revenue = models.DecimalField(max_digits=16, decimal_places=2)

    class Meta:
        indexes = [
            models.Index(fields=["currency", "day"], name="orders_salesday_cur_day")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.currency} {self.orders}"


class SkuSale(models.Model):
    """A SKU's revenue lines of one UTC day, as deltas not yet folded into
    ``SkuWindow`` (or dropped, for days outside it)."""

    day = models.DateField()
    currency = models.CharField(max_length=3)
    sku = models.CharField(max_length=64)
    name = models.CharField(max_length=300)
    units = models.IntegerField()
    revenue = models.DecimalField(max_digits=16, decimal_places=2)
    lines = models.IntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["currency", "day"], name="orders_skusale_cur_day")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.sku} {self.units}"


class SkuWindow(models.Model):
    """A SKU's revenue lines over the days of ``RollupWindow``, summed."""

    currency = models.CharField(max_length=3)
    sku = models.CharField(max_length=64)
    name = models.CharField(max_length=300)
    units = models.IntegerField()
    revenue = models.DecimalField(max_digits=16, decimal_places=2)
    lines = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["currency", "sku"], name="orders_skuwindow_currency_sku"
            )
        ]
        # The leaders first: the top products are the head of this index.
        indexes = [
            models.Index(
                F("currency"),
                F("revenue").desc(),
                F("sku"),
                name="orders_skuwindow_leaders",
            )
        ]

    def __str__(self) -> str:
        return f"{self.sku} {self.revenue}"


class RollupWindow(models.Model):
    """The UTC days ``SkuWindow`` sums, both ends included: one row."""

    id = models.SmallIntegerField(primary_key=True, default=1)
    first_day = models.DateField()
    last_day = models.DateField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="orders_rollupwindow_one"),
            models.CheckConstraint(
                condition=Q(first_day__lte=F("last_day")),
                name="orders_rollupwindow_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_day}..{self.last_day}"


class StatusCount(models.Model):
    """How many orders are in one status, as deltas: the dashboard's unpaid
    orders without counting them. Folding leaves one row per status."""

    status = models.CharField(max_length=20)
    orders = models.IntegerField()

    class Meta:
        indexes = [models.Index(fields=["status"], name="orders_statuscount_status")]

    def __str__(self) -> str:
        return f"{self.status}: {self.orders}"
