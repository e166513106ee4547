"""Vouchers: discount codes with a usage limit that PostgreSQL enforces.

``used`` only ever changes by one conditional UPDATE (``used < usage_limit``)
and a CHECK (``used <= usage_limit``) backs it, so no interleaving of
concurrent checkouts can redeem a voucher past its limit.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower

CODE_MAX = 64


class Voucher(models.Model):
    """A code worth ``percent_off`` or ``amount_off`` (in ``currency``)."""

    # Matched case-insensitively: unique on lower(code), see Meta.
    code = models.CharField(max_length=CODE_MAX)
    percent_off = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True
    )
    amount_off = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True
    )
    # Required with amount_off; with percent_off it limits the voucher to
    # orders in that currency (and gives min_subtotal its currency).
    currency = models.CharField(max_length=3, blank=True, default="")
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    min_subtotal = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True
    )
    # Null: no limit.
    usage_limit = models.IntegerField(null=True, blank=True)
    used = models.IntegerField(default=0)
    once_per_customer = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("code"), name="vouchers_voucher_code_ci_key"),
            models.CheckConstraint(
                condition=Q(code__regex=r"^[A-Za-z0-9_-]{3,64}$"),
                name="vouchers_voucher_code_format",
            ),
            models.CheckConstraint(
                condition=(
                    Q(percent_off__isnull=False, amount_off__isnull=True)
                    | Q(percent_off__isnull=True, amount_off__isnull=False)
                ),
                name="vouchers_voucher_one_kind",
            ),
            models.CheckConstraint(
                condition=Q(percent_off__isnull=True)
                | (Q(percent_off__gt=0) & Q(percent_off__lte=100)),
                name="vouchers_voucher_percent_range",
            ),
            models.CheckConstraint(
                condition=Q(amount_off__isnull=True)
                | (Q(amount_off__gt=0) & ~Q(currency="")),
                name="vouchers_voucher_amount_has_currency",
            ),
            models.CheckConstraint(
                condition=Q(currency="") | Q(currency__regex=r"^[A-Z]{3}$"),
                name="vouchers_voucher_currency_iso",
            ),
            models.CheckConstraint(
                condition=Q(min_subtotal__isnull=True) | Q(min_subtotal__gte=0),
                name="vouchers_voucher_min_subtotal_nonnegative",
            ),
            models.CheckConstraint(
                condition=Q(starts_at__isnull=True)
                | Q(ends_at__isnull=True)
                | Q(ends_at__gt=F("starts_at")),
                name="vouchers_voucher_window_ordered",
            ),
            models.CheckConstraint(
                condition=Q(used__gte=0)
                & (Q(usage_limit__isnull=True) | Q(used__lte=F("usage_limit"))),
                name="vouchers_voucher_used_within_limit",
            ),
            models.CheckConstraint(
                condition=Q(usage_limit__isnull=True) | Q(usage_limit__gte=0),
                name="vouchers_voucher_limit_nonnegative",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class Redemption(models.Model):
    """One use of a voucher by one order; ``released_at`` gives it back."""

    voucher = models.ForeignKey(
        Voucher, on_delete=models.PROTECT, related_name="redemptions"
    )
    # The order's number: vouchers do not depend on the orders app.
    order_ref = models.CharField(max_length=20)
    email = models.EmailField(max_length=254)
    # The account that placed the order, if any: once per customer holds by
    # account as well as by email (the second partial unique index below).
    customer = models.ForeignKey(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    # Copied from the voucher so the unique index below can be partial on it.
    once_per_customer = models.BooleanField()
    discount = models.DecimalField(max_digits=12, decimal_places=2)
    redeemed_at = models.DateTimeField()
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["order_ref"], name="vouchers_redemption_order"),
        ]
        constraints = [
            # Once per customer: at most one live use per email, enforced by
            # the index that redemption's INSERT ... ON CONFLICT names.
            models.UniqueConstraint(
                F("voucher"),
                Lower("email"),
                condition=Q(once_per_customer=True, released_at__isnull=True),
                name="vouchers_redemption_once_per_email",
            ),
            models.UniqueConstraint(
                fields=["voucher", "customer"],
                condition=Q(
                    once_per_customer=True,
                    released_at__isnull=True,
                    customer__isnull=False,
                ),
                name="vouchers_redemption_once_per_customer",
            ),
            models.UniqueConstraint(
                fields=["voucher", "order_ref"],
                name="vouchers_redemption_one_per_order",
            ),
            models.CheckConstraint(
                condition=Q(discount__gte=0), name="vouchers_redemption_discount_min"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.voucher_id} for {self.order_ref}"
