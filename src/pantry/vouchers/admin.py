"""Staff's view of vouchers and their redemptions.

``used`` is only ever changed by redemption and release (services), so it
is read-only here; the redemptions list shows who used a voucher.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from pantry.vouchers.models import Redemption, Voucher


@admin.register(Voucher)
class VoucherAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "percent_off",
        "amount_off",
        "currency",
        "usage",
        "starts_at",
        "ends_at",
        "once_per_customer",
    ]
    list_filter = ["once_per_customer"]
    search_fields = ["code"]
    ordering = ["code"]
    readonly_fields = ["used", "redemptions_link", "created_at"]

    @admin.display(description="used / limit")
    def usage(self, voucher: Voucher) -> str:
        limit = "∞" if voucher.usage_limit is None else voucher.usage_limit
        return f"{voucher.used} / {limit}"

    @admin.display(description="redemptions")
    def redemptions_link(self, voucher: Voucher) -> str:
        url = reverse("admin:vouchers_redemption_changelist")
        return format_html(
            '<a href="{}?voucher__id__exact={}">{} in use</a>',
            url,
            voucher.pk,
            voucher.used,
        )


@admin.register(Redemption)
class RedemptionAdmin(admin.ModelAdmin):
    list_display = [
        "voucher",
        "order_ref",
        "email",
        "customer",
        "discount",
        "redeemed_at",
        "released_at",
    ]
    list_select_related = ["voucher", "customer"]
    list_filter = ["voucher"]
    search_fields = ["order_ref", "email"]
    ordering = ["-redeemed_at", "-id"]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
