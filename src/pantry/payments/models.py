"""Payments: one row per attempt, and every provider event applied once.

Amounts can only grow in order (``refunded <= captured <= authorized <=
amount``, a CHECK), and ``(provider, event_id)`` is unique, so a webhook
delivered twice or concurrently is applied exactly once.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q


class Payment(models.Model):
    """An attempt to pay one order through one provider."""

    class Status(models.TextChoices):
        PENDING = "pending"
        AUTHORIZED = "authorized"
        CAPTURED = "captured"
        FAILED = "failed"

    # The order's number: payments report to orders through a listener and
    # do not depend on the orders app.
    order_ref = models.CharField(max_length=20)
    provider = models.CharField(max_length=20)
    # The provider's id of this attempt (a Stripe Checkout Session id, ...).
    provider_ref = models.CharField(max_length=255)
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.PENDING
    )
    currency = models.CharField(max_length=3)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    authorized = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    captured = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    refunded = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    # What the provider said that later calls need (a PaymentIntent id, ...).
    provider_data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["order_ref"], name="payments_payment_order")]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "provider_ref"], name="payments_payment_ref_key"
            ),
            models.CheckConstraint(
                condition=Q(refunded__gte=0)
                & Q(refunded__lte=F("captured"))
                & Q(captured__lte=F("authorized"))
                & Q(authorized__lte=F("amount")),
                name="payments_payment_amounts_ordered",
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0), name="payments_payment_amount_nonnegative"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "authorized", "captured", "failed"]),
                name="payments_payment_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.provider_ref}"


class ProviderEvent(models.Model):
    """A webhook event as received; its unique id makes it apply once."""

    provider = models.CharField(max_length=20)
    event_id = models.CharField(max_length=255)
    type = models.CharField(max_length=100)
    payment = models.ForeignKey(
        Payment, null=True, on_delete=models.SET_NULL, related_name="events"
    )
    payload = models.JSONField()
    received_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "event_id"], name="payments_event_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.event_id}"
