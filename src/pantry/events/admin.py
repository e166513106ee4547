"""Staff views of events: read-only, since only services and triggers write."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from pantry.events.models import Attempt, AuditRecord, Delivery, Endpoint, Event


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditRecord)
class AuditRecordAdmin(ReadOnly):
    list_display = ("at", "table_name", "row_pk", "op", "actor", "request_id")
    list_filter = ("table_name", "op")
    search_fields = ("=row_pk", "=actor", "=request_id")
    show_full_result_count = False
    ordering = ("-id",)


@admin.register(Event)
class EventAdmin(ReadOnly):
    list_display = ("id", "type", "created_at")
    list_filter = ("type",)
    show_full_result_count = False
    ordering = ("-id",)


@admin.register(Endpoint)
class EndpointAdmin(ReadOnly):
    list_display = ("id", "url", "is_active", "created_at", "deleted_at")
    exclude = ("secret",)


class AttemptInline(admin.TabularInline):
    model = Attempt
    extra = 0
    can_delete = False
    readonly_fields = (
        "number",
        "at",
        "status_code",
        "error",
        "latency_ms",
        "next_attempt_at",
    )

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(ReadOnly):
    list_display = ("id", "event", "endpoint", "status", "attempt_count")
    list_filter = ("status",)
    list_select_related = ("event", "endpoint")
    show_full_result_count = False
    inlines = (AttemptInline,)
    ordering = ("-id",)
