"""Orders: what a customer bought, at what price, and every status change.

An order's lines are snapshots (SKU, product name, unit price at placement),
so later catalog edits never rewrite history. Rules that protect data are
PostgreSQL constraints; ``services`` turns violations into friendly errors.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower

NUMBER_PREFIX = "PA-"
# Orders whose money the shop keeps: paid and not given back. Placed orders
# are not paid yet; cancelled, expired and refunded ones returned their
# money. Sales and tax reports count these; refunds start from them. One
# definition, used by the reports' SQL and by the partial index below.
REVENUE_STATUSES = ("paid", "shipped", "delivered")


class Order(models.Model):
    """A placed order; ``number`` is what customers and staff quote."""

    class Status(models.TextChoices):
        PLACED = "placed"
        PAID = "paid"
        SHIPPED = "shipped"
        DELIVERED = "delivered"
        CANCELLED = "cancelled"
        REFUNDED = "refunded"
        EXPIRED = "expired"

    # Random, not sequential: a customer cannot guess another order's number
    # from their own (see services.new_order_number).
    # Unique in Meta.constraints: unique=True would add a LIKE index too.
    number = models.CharField(max_length=20)
    customer_name = models.CharField(max_length=200)
    email = models.EmailField(max_length=254)
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.PLACED
    )
    currency = models.CharField(max_length=3)
    total = models.DecimalField(max_digits=14, decimal_places=2)
    placed_at = models.DateTimeField()
    # The account the order belongs to: set when placed signed in, or when
    # the customer verifies the email a guest order was placed with.
    customer = models.ForeignKey(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="orders",
        db_index=False,
    )
    # When an unpaid order expires (placement + the provider's window);
    # null: never (staff mark it paid, as with manual payment).
    expires_at = models.DateTimeField(null=True, blank=True)
    # A voucher's discount, already taken off ``total``, and its code.
    discount = models.DecimalField(
        max_digits=14, decimal_places=2, default=0, db_default=0
    )
    voucher_code = models.CharField(
        max_length=64, blank=True, default="", db_default=""
    )
    # The provider paying this order (pantry.payments); empty before issue 15.
    payment_provider = models.CharField(
        max_length=20, blank=True, default="", db_default=""
    )
    # Money given back so far; a full refund makes the order ``refunded``.
    refunded_total = models.DecimalField(
        max_digits=14, decimal_places=2, default=0, db_default=0
    )
    # Address snapshots as the customer gave them (checkout.ADDRESS_FIELDS);
    # null when nothing ships / no billing address was given.
    shipping_address = models.JSONField(null=True, blank=True)
    billing_address = models.JSONField(null=True, blank=True)
    # The shipping method as it was chosen: its code and name, its price
    # and the tax included in (or added to) that price.
    shipping_method = models.CharField(
        max_length=50, blank=True, default="", db_default=""
    )
    shipping_method_name = models.CharField(
        max_length=200, blank=True, default="", db_default=""
    )
    shipping = models.DecimalField(
        max_digits=14, decimal_places=2, default=0, db_default=0
    )
    shipping_tax = models.DecimalField(
        max_digits=14, decimal_places=2, default=0, db_default=0
    )
    shipping_tax_rate = models.DecimalField(
        max_digits=7, decimal_places=4, default=0, db_default=0
    )
    # The lines before the discount; the tax of the lines and shipping; and
    # whether prices included tax when placed, so the total's CHECK is exact.
    subtotal = models.DecimalField(
        max_digits=14, decimal_places=2, default=0, db_default=0
    )
    tax = models.DecimalField(max_digits=14, decimal_places=2, default=0, db_default=0)
    prices_include_tax = models.BooleanField(default=True, db_default=True)

    class Meta:
        indexes = [
            # A customer's orders, newest first (keyset), guests left out.
            models.Index(
                F("customer"),
                F("placed_at").desc(),
                F("id").desc(),
                condition=Q(customer__isnull=False),
                name="orders_order_customer_placed",
            ),
            # The staff list, newest first, with or without a status filter;
            # both end in id so keyset pagination is one index range scan.
            models.Index(
                F("placed_at").desc(), F("id").desc(), name="orders_order_placed"
            ),
            models.Index(
                F("status"),
                F("placed_at").desc(),
                F("id").desc(),
                name="orders_order_status_placed",
            ),
            models.Index(
                Lower("email"),
                F("placed_at").desc(),
                F("id").desc(),
                name="orders_order_email_placed",
            ),
            # Sales reports sum revenue over a time range: a partial covering
            # index answers them with an index-only scan of revenue orders.
            # A BRIN index would be smaller but needs heap visits per row.
            models.Index(
                fields=["placed_at"],
                include=["total", "currency"],
                condition=Q(status__in=list(REVENUE_STATUSES)),
                name="orders_order_revenue_placed",
            ),
            # The expiry sweeper's due orders, oldest first; only unpaid
            # orders with a window are in it.
            models.Index(
                fields=["expires_at"],
                condition=Q(status="placed", expires_at__isnull=False),
                name="orders_order_expiry_due",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["number"], name="orders_order_number_key"),
            models.CheckConstraint(
                condition=Q(total__gte=0), name="orders_order_total_nonnegative"
            ),
            models.CheckConstraint(
                condition=Q(discount__gte=0), name="orders_order_discount_nonnegative"
            ),
            models.CheckConstraint(
                condition=Q(refunded_total__gte=0) & Q(refunded_total__lte=F("total")),
                name="orders_order_refunded_within_total",
            ),
            # A snapshot's country is two capitals; the service checks that
            # it is an assigned ISO 3166-1 code (core/countries.py).
            models.CheckConstraint(
                condition=Q(shipping_address__isnull=True)
                | Q(
                    shipping_address__has_key="country",
                    shipping_address__country__regex=r"^[A-Z]{2}$",
                ),
                name="orders_order_shipping_country_iso",
            ),
            models.CheckConstraint(
                condition=Q(billing_address__isnull=True)
                | Q(
                    billing_address__has_key="country",
                    billing_address__country__regex=r"^[A-Z]{2}$",
                ),
                name="orders_order_billing_country_iso",
            ),
            models.CheckConstraint(
                condition=Q(shipping__gte=0)
                & Q(shipping_tax__gte=0)
                & Q(shipping_tax__lte=F("shipping")),
                name="orders_order_shipping_nonnegative",
            ),
            models.CheckConstraint(
                condition=Q(subtotal__gte=F("discount"))
                & Q(tax__gte=F("shipping_tax")),
                name="orders_order_amounts_ordered",
            ),
            # total = subtotal - discount + shipping (+ tax when prices
            # exclude it): exact, since the flag is stored with the order.
            models.CheckConstraint(
                condition=Q(
                    prices_include_tax=True,
                    total=F("subtotal") - F("discount") + F("shipping"),
                )
                | Q(
                    prices_include_tax=False,
                    total=F("subtotal") - F("discount") + F("shipping") + F("tax"),
                ),
                name="orders_order_total_adds_up",
            ),
            models.CheckConstraint(
                condition=Q(
                    status__in=[
                        "placed",
                        "paid",
                        "shipped",
                        "delivered",
                        "cancelled",
                        "refunded",
                        "expired",
                    ]
                ),
                name="orders_order_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class OrderLine(models.Model):
    """One SKU of an order, as it was sold."""

    # The unique (order, sku) index serves lookups by order.
    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="lines", db_index=False
    )
    sku = models.CharField(max_length=64)
    product_name = models.CharField(max_length=200)
    # The variant as the shopper saw it ("Saffron, 5 g"), snapshot like the
    # product name; empty on lines older than the column that no backfill
    # could name (their SKU is gone), which show the product name instead.
    variant_name = models.CharField(
        max_length=300, blank=True, default="", db_default=""
    )
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)
    quantity = models.IntegerField()
    line_total = models.DecimalField(max_digits=14, decimal_places=2)
    refunded_quantity = models.IntegerField(default=0, db_default=0)
    # The line's share of the order's discount, and its tax (docs/checkout.md:
    # per line, half up to cents). net + tax = gross, and gross (prices
    # including tax) or net (excluding) is line_total less the share.
    discount = models.DecimalField(max_digits=14, decimal_places=2)
    # The product's tax class when sold, for the tax report.
    tax_class = models.CharField(max_length=32)
    net = models.DecimalField(max_digits=14, decimal_places=2)
    tax_rate = models.DecimalField(max_digits=7, decimal_places=4)
    tax = models.DecimalField(max_digits=14, decimal_places=2)
    gross = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(net__gte=0)
                & Q(tax__gte=0)
                & Q(tax_rate__gte=0)
                & Q(tax_rate__lte=100)
                & Q(gross=F("net") + F("tax")),
                name="orders_orderline_tax_adds_up",
            ),
            models.CheckConstraint(
                condition=Q(discount__gte=0)
                & Q(discount__lte=F("line_total"))
                & (
                    Q(gross=F("line_total") - F("discount"))
                    | Q(net=F("line_total") - F("discount"))
                ),
                name="orders_orderline_discount_fits",
            ),
            models.CheckConstraint(
                condition=Q(refunded_quantity__gte=0)
                & Q(refunded_quantity__lte=F("quantity")),
                name="orders_orderline_refund_within_quantity",
            ),
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="orders_orderline_quantity_positive"
            ),
            models.CheckConstraint(
                condition=Q(line_total=F("unit_price") * F("quantity")),
                name="orders_orderline_total_matches",
            ),
            # One line per SKU: services merge repeated SKUs of a request.
            models.UniqueConstraint(
                fields=["order", "sku"], name="orders_orderline_one_per_sku"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.display_name}"

    @property
    def display_name(self) -> str:
        """The line as a shopper reads it: product name plus options."""
        return self.variant_name or self.product_name


class OrderEvent(models.Model):
    """A status change of an order: from what, to what, when, by whom."""

    # Indexed by (order, at) below.
    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="events", db_index=False
    )
    # Empty for the placement itself.
    from_status = models.CharField(max_length=12, blank=True, default="")
    to_status = models.CharField(max_length=12, choices=Order.Status.choices)
    at = models.DateTimeField()
    # A staff username, or "customer" / "system".
    actor = models.CharField(max_length=150)

    class Meta:
        indexes = [models.Index(fields=["order", "at"], name="orders_event_order_at")]

    def __str__(self) -> str:
        return f"{self.from_status or '∅'} → {self.to_status}"


class IdempotencyKey(models.Model):
    """A client's ``Idempotency-Key`` with the request it answered.

    The row is inserted first in the placing transaction, so concurrent
    retries with one key wait on its unique index and then see the result.
    """

    # Unique in Meta.constraints: unique=True would add a LIKE index too.
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField(null=True)
    response_body = models.JSONField(null=True)
    order = models.ForeignKey(
        Order, null=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["key"], name="orders_idempotencykey_key_key"
            )
        ]
        indexes = [models.Index(fields=["created_at"], name="orders_idemkey_created")]

    def __str__(self) -> str:
        return self.key


class Refund(models.Model):
    """Money given back for some lines (and shipping) of an order."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="refunds")
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    shipping = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    restocked = models.BooleanField()
    reason = models.CharField(max_length=500, blank=True, default="")
    # The providers' ids of the money movements.
    provider_refs = models.JSONField(default=list)
    created_at = models.DateTimeField()
    actor = models.CharField(max_length=150)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0) & Q(shipping__gte=0),
                name="orders_refund_amount_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} of {self.order_id}"


class RefundLine(models.Model):
    refund = models.ForeignKey(Refund, on_delete=models.CASCADE, related_name="lines")
    line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="+")
    quantity = models.IntegerField()
    amount = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0) & Q(amount__gte=0),
                name="orders_refundline_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.line_id}"


# The rollup tables live in their own module; importing them here registers
# them with the app.
from pantry.orders.rollup_models import (  # noqa: E402, F401
    RollupWindow,
    SalesDay,
    SkuSale,
    SkuWindow,
    StatusCount,
)
