"""Staff's view of payments and provider events: records, never edited."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from pantry.payments.models import Payment, ProviderEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = [
        "order_ref",
        "provider",
        "status",
        "amount",
        "captured",
        "refunded",
        "currency",
        "created_at",
    ]
    list_filter = ["provider", "status"]
    search_fields = ["order_ref", "provider_ref"]
    ordering = ["-created_at", "-id"]
    show_full_result_count = False


@admin.register(ProviderEvent)
class ProviderEventAdmin(ReadOnlyAdmin):
    list_display = ["provider", "event_id", "type", "payment", "received_at"]
    list_filter = ["provider"]
    list_select_related = ["payment"]
    search_fields = ["event_id"]
    ordering = ["-received_at", "-id"]
    show_full_result_count = False
