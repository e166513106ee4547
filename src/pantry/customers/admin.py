"""Admin of customers: accounts with their addresses and a link to their orders."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from pantry.customers.models import Address, Customer


class AddressInline(admin.TabularInline):
    model = Address
    extra = 0
    fields = (
        "name",
        "line1",
        "line2",
        "city",
        "postal_code",
        "region",
        "country",
        "phone",
        "is_default",
    )


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["email", "name", "email_verified", "created_at"]
    list_filter = ["email_verified"]
    search_fields = ["email", "name"]
    search_help_text = "Part of an email address or name."
    ordering = ["-created_at", "-id"]
    list_per_page = 50
    show_full_result_count = False
    inlines = [AddressInline]
    fields = ("email", "name", "email_verified", "created_at", "orders")
    readonly_fields = ("created_at", "orders")

    def has_add_permission(self, request: object) -> bool:
        # Accounts come from sign-up, with a password and a user beside them.
        return False

    @admin.display(description="Orders")
    def orders(self, customer: Customer) -> str:
        url = reverse("admin:orders_order_changelist")
        return format_html(
            '<a href="{}?customer__id__exact={}">Orders of this customer</a>',
            url,
            customer.pk,
        )
