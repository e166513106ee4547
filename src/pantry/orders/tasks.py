"""Background work of orders, run by Django's tasks framework (settings.TASKS)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.tasks import task
from django.template.loader import render_to_string

from pantry.orders.queries import order_detail
from pantry.orders.tokens import token_for


@task()
def send_order_confirmation(number: str) -> bool:
    """Email the customer the confirmation of order ``number``.

    Queued by place_order after its commit; returns False when the order is
    gone (nothing to confirm).
    """
    order = order_detail(number)
    if order is None:
        return False
    link = (
        f"{settings.PANTRY_SITE_URL.rstrip('/')}/orders/{order.number}/"
        f"?token={token_for(order.number)}"
    )
    body = render_to_string(
        "orders/email/confirmation.txt",
        {"order": order, "lines": order.lines.all(), "link": link},
    )
    send_mail(
        subject=f"Your order {order.number}",
        message=body,
        from_email=None,
        recipient_list=[order.email],
    )
    return True
