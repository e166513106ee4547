"""The outbox, webhook endpoints with their deliveries, and the audit log."""

from __future__ import annotations

from typing import Any

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models.functions import Now


class Xid8Field(models.BigIntegerField):
    """A PostgreSQL ``xid8`` (a 64-bit transaction id), read as an int."""

    def db_type(self, connection: Any) -> str:
        return "xid8"

    def get_db_prep_value(
        self, value: Any, connection: Any, prepared: bool = False
    ) -> Any:
        return None if value is None else str(value)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return None if value is None else int(value)


class CurrentXactId(models.Func):
    function = "pg_current_xact_id"
    template = "%(function)s()"
    output_field = Xid8Field()


class Event(models.Model):
    """A change that happened, written in the transaction that made it."""

    type = models.CharField(max_length=64)
    payload = models.JSONField()
    # The writing transaction: the change feed serves an event only once
    # every transaction with a lower id has ended (see feed.py).
    xid = Xid8Field(db_default=CurrentXactId())
    created_at = models.DateTimeField(db_default=Now())

    class Meta:
        indexes = [models.Index(fields=["xid", "id"], name="events_event_xid_id")]

    def __str__(self) -> str:
        return f"{self.type} #{self.pk}"

    @property
    def public_id(self) -> str:
        return f"evt_{self.pk}"


class Endpoint(models.Model):
    """A URL that receives the event types it asked for, signed with its secret."""

    url = models.URLField(max_length=2000)
    events = ArrayField(models.CharField(max_length=64))
    description = models.CharField(max_length=500, blank=True, default="")
    secret = models.CharField(max_length=100)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(url__regex=r"^https?://"),
                name="events_endpoint_url_http",
            )
        ]

    def __str__(self) -> str:
        return self.url


class Delivery(models.Model):
    """One event to one endpoint: pending until delivered or dead."""

    class Status(models.TextChoices):
        PENDING = "pending"
        DELIVERED = "delivered"
        DEAD = "dead"
        CANCELLED = "cancelled"

    # Indexed by the unique (event, endpoint) and (endpoint, -id) below.
    event = models.ForeignKey(Event, on_delete=models.CASCADE, db_index=False)
    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, db_index=False)
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.PENDING
    )
    attempt_count = models.IntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, db_default=Now())
    created_at = models.DateTimeField(db_default=Now())
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["event", "endpoint"], name="events_delivery_event_endpoint"
            )
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="events_delivery_due",
                condition=models.Q(status="pending"),
            ),
            models.Index(fields=["endpoint", "-id"], name="events_delivery_endpoint"),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} -> {self.endpoint_id}"


class Attempt(models.Model):
    """One try to deliver: what the receiver answered, and when to try again."""

    # Indexed by (delivery, number) below.
    delivery = models.ForeignKey(
        Delivery, on_delete=models.CASCADE, related_name="attempts", db_index=False
    )
    number = models.IntegerField()
    at = models.DateTimeField()
    status_code = models.IntegerField(null=True)
    error = models.CharField(max_length=500, blank=True, default="")
    latency_ms = models.IntegerField()
    next_attempt_at = models.DateTimeField(null=True)

    class Meta:
        indexes = [
            models.Index(fields=["delivery", "number"], name="events_attempt_delivery")
        ]

    def __str__(self) -> str:
        return f"{self.delivery_id} #{self.number}"


class AuditRecord(models.Model):
    """A row changed in an audited table: before, after, who and when.

    Written by the ``events_audit`` triggers, never by Python code.
    """

    table_name = models.CharField(max_length=63)
    row_pk = models.CharField(max_length=100)
    op = models.CharField(max_length=6)
    before = models.JSONField(null=True)
    after = models.JSONField(null=True)
    actor = models.CharField(max_length=200)
    request_id = models.CharField(max_length=100, blank=True, default="")
    at = models.DateTimeField(db_default=Now())

    class Meta:
        db_table = "events_audit"
        indexes = [
            models.Index(
                fields=["table_name", "row_pk", "-id"], name="events_audit_row"
            ),
            models.Index(fields=["actor", "-id"], name="events_audit_actor"),
            models.Index(fields=["at"], name="events_audit_at"),
        ]

    def __str__(self) -> str:
        return f"{self.op} {self.table_name} {self.row_pk}"
