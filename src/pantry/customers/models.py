"""Customers: a profile beside a Django user, addresses and the saved cart.

Staff and customers share Django's user table but never a row: a customer's
user is not staff, and only users with a Customer row can sign in as one.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from pantry.customers.countries import COUNTRY_CODES

NAME_MAX = 200
EMAIL_MAX = 254


class Customer(models.Model):
    """A shopper's account, identified by email (unique in any case)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="customer"
    )
    email = models.EmailField(max_length=EMAIL_MAX)
    name = models.CharField(max_length=NAME_MAX)
    email_verified = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            # Two sign-ups differing only in case race to this index: one
            # wins, the other gets email_taken.
            models.UniqueConstraint(
                Lower("email"), name="customers_customer_email_ci_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.email


class Address(models.Model):
    """A postal address of a customer; at most one is the default."""

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="addresses"
    )
    name = models.CharField(max_length=200)
    line1 = models.CharField(max_length=200)
    line2 = models.CharField(max_length=200, blank=True, default="")
    city = models.CharField(max_length=100)
    postal_code = models.CharField(max_length=20, blank=True, default="")
    region = models.CharField(max_length=100, blank=True, default="")
    country = models.CharField(max_length=2)
    phone = models.CharField(max_length=32, blank=True, default="")
    is_default = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(country__in=sorted(COUNTRY_CODES)),
                name="customers_address_country_iso",
            ),
            models.UniqueConstraint(
                fields=["customer"],
                condition=Q(is_default=True),
                name="customers_address_one_default",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}, {self.city} ({self.country})"


class Cart(models.Model):
    """A signed-in customer's cart; ``touched_at`` moves on every change."""

    customer = models.OneToOneField(
        Customer, on_delete=models.CASCADE, primary_key=True, related_name="cart"
    )
    touched_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            # Purging walks this index from the oldest cart, in batches.
            models.Index(fields=["touched_at"], name="customers_cart_touched"),
        ]

    def __str__(self) -> str:
        return f"cart of {self.customer_id}"


class CartLine(models.Model):
    """One SKU in a customer's cart."""

    # The unique (cart, sku) index serves lookups by cart.
    cart = models.ForeignKey(
        Cart, on_delete=models.CASCADE, related_name="lines", db_index=False
    )
    sku = models.CharField(max_length=64)
    quantity = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["cart", "sku"], name="customers_cartline_one_per_sku"
            ),
            models.CheckConstraint(
                condition=Q(quantity__gt=0),
                name="customers_cartline_quantity_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.sku}"
