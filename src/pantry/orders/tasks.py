"""Background work of orders, run by Django's tasks framework (settings.TASKS)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.tasks import task
from django.template.loader import render_to_string

from pantry.orders.tokens import token_for


@task()
def send_order_confirmation(receipt: dict[str, Any]) -> None:
    """Email the customer the confirmation of the order in ``receipt``.

    Queued by place_order after its commit, with the receipt as placed (the
    JSON of API.md), so sending needs no query and shows what was bought.
    """
    number = receipt["number"]
    link = (
        f"{settings.PANTRY_SITE_URL.rstrip('/')}/orders/{number}/"
        f"?token={token_for(number)}"
    )
    body = render_to_string(
        "orders/email/confirmation.txt", {"order": receipt, "link": link}
    )
    send_mail(
        subject=f"Your order {number}",
        message=body,
        from_email=None,
        recipient_list=[receipt["customer"]["email"]],
    )
