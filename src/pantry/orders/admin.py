"""Staff's view of orders: read-only records, status changes via actions."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from django.http import HttpRequest
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from pantry.core.errors import PantryError
from pantry.orders.models import Order, OrderEvent, OrderLine, Refund
from pantry.orders.services import transition_order
from pantry.payments.models import Payment


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = readonly_fields = (
        "display_name",
        "sku",
        "unit_price",
        "quantity",
        "line_total",
        "discount",
        "tax_class",
        "tax_rate",
        "net",
        "tax",
        "gross",
        "refunded_quantity",
    )
    ordering = ["sku"]

    @admin.display(description="Item")
    def display_name(self, line: OrderLine) -> str:
        return line.display_name


class RefundInline(ReadOnlyInline):
    model = Refund
    fields = readonly_fields = (
        "created_at",
        "amount",
        "shipping",
        "restocked",
        "reason",
        "actor",
    )
    ordering = ["created_at", "id"]


class OrderEventInline(ReadOnlyInline):
    model = OrderEvent
    fields = readonly_fields = ("at", "from_status", "to_status", "actor")
    ordering = ["at", "id"]


def _transition_action(target: str, label: str) -> Any:
    def action(
        modeladmin: OrderAdmin, request: HttpRequest, queryset: QuerySet[Order]
    ) -> None:
        moved, refused = 0, []
        for number in queryset.values_list("number", flat=True):
            try:
                transition_order(
                    number=number, to=target, actor=request.user.get_username()
                )
                moved += 1
            except PantryError as exc:
                refused.append(f"{number}: {exc.detail}")
        if moved:
            modeladmin.message_user(request, f"{moved} order(s) now {target}.")
        for reason in refused:
            modeladmin.message_user(request, reason, level=messages.WARNING)

    action.__name__ = f"mark_{target}"
    return admin.action(description=label)(action)


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = [
        "number",
        "status",
        "customer_name",
        "email",
        "total",
        "currency",
        "placed_at",
    ]
    list_filter = ["status"]
    date_hierarchy = "placed_at"
    search_fields = ["number", "email"]
    search_help_text = "An exact order number or customer email."
    ordering = ["-placed_at", "-id"]
    list_per_page = 50
    # COUNT(*) of millions of orders on every page view is not worth it.
    show_full_result_count = False
    inlines = [OrderLineInline, OrderEventInline, RefundInline]
    fields = readonly_fields = (
        "number",
        "status",
        "customer_name",
        "email",
        "currency",
        "subtotal",
        "discount",
        "voucher_code",
        "shipping_method_name",
        "shipping",
        "tax",
        "prices_include_tax",
        "total",
        "refunded_total",
        "placed_at",
        "customer",
        "shipping_address",
        "billing_address",
        "payment_provider",
        "payments",
    )
    actions = [
        _transition_action("paid", "Mark as paid"),
        _transition_action("shipped", "Mark as shipped"),
        _transition_action("delivered", "Mark as delivered"),
        _transition_action("cancelled", "Cancel (returns stock)"),
        _transition_action("refunded", "Refund"),
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="payments")
    def payments(self, order: Order) -> str:
        # One query: payments name their order by number, not by key.
        rows = Payment.objects.filter(order_ref=order.number).order_by("created_at")
        return (
            format_html_join(
                mark_safe("<br>"),
                "{} {}: {} {} (captured {}, refunded {})",
                (
                    (
                        p.provider,
                        p.provider_ref,
                        p.status,
                        p.amount,
                        p.captured,
                        p.refunded,
                    )
                    for p in rows
                ),
            )
            or "none"
        )

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Order], search_term: str
    ) -> tuple[QuerySet[Order], bool]:
        # Exact matches only, each served by an index: the unique number, or
        # lower(email).
        term = search_term.strip()
        if not term:
            return queryset, False
        matches = queryset.annotate(email_lower=Lower("email")).filter(
            Q(number=term.upper()) | Q(email_lower=term.lower())
        )
        return matches, False
