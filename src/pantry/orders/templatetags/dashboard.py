"""{% shop_dashboard %}: the staff dashboard, drawn on the admin index."""

from __future__ import annotations

from typing import Any

from django import template

from pantry.orders import dashboard

register = template.Library()


@register.inclusion_tag("admin/orders/dashboard.html")
def shop_dashboard() -> dict[str, Any]:
    return {
        "dashboard": dashboard.staff_dashboard(),
        "width": dashboard.WIDTH,
        "height": dashboard.HEIGHT,
        "baseline": dashboard.HEIGHT - dashboard.BOTTOM,
    }
