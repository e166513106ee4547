"""Walk the storefront checkout's steps with Django's test client."""

from __future__ import annotations

from typing import Any

DETAILS = {"name": "Ada Lovelace", "email": "ada@example.com"}


def walk_checkout(
    client: Any,
    *,
    shipping_method: str | None = None,
    voucher: str | None = None,
    place: bool = True,
    **details: str,
) -> Any:
    """Post each step; return the first refusal, else the last answer.

    Without ``shipping_method`` the preselected (cheapest) one stands.
    """
    response = client.post("/checkout/", DETAILS | details)
    if response.status_code != 302:
        return response
    if shipping_method is not None:
        assert response.url == "/checkout/shipping/", response.url
        response = client.post(
            "/checkout/shipping/", {"shipping_method": shipping_method}
        )
        if response.status_code != 302:
            return response
    if voucher is not None:
        response = client.post(
            "/checkout/review/", {"voucher": voucher, "action": "apply"}
        )
        if response.status_code != 302:
            return response
    if not place:
        return client.get("/checkout/review/")
    return client.post("/checkout/place/")
