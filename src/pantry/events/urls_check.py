"""Which webhook URLs pantry may call: the guard against SSRF.

Only http(s). Unless ``PANTRY_WEBHOOK_ALLOW_PRIVATE`` is on (the default
outside production, so a receiver on 127.0.0.1 works in development), the
host must resolve only to public addresses: no loopback, private,
link-local (cloud metadata), multicast, reserved or unspecified ones. The
check runs at registration and again at every delivery, after resolving
the name, and the delivery then connects to the checked address, so a DNS
answer that changes in between cannot redirect it.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings

from pantry.core.addresses import NotPublic, public_address
from pantry.events.errors import UrlNotAllowed

URL_MAX = 2000


def check_url_form(url: str) -> tuple[str, str, int]:
    """Return (scheme, host, port) of an http(s) URL; raise UrlNotAllowed."""
    if not isinstance(url, str) or not url or len(url) > URL_MAX:
        raise UrlNotAllowed(f"A URL has 1 to {URL_MAX} characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise UrlNotAllowed("This is not a valid URL.") from None
    if parts.scheme not in {"http", "https"}:
        raise UrlNotAllowed("Only http and https URLs can receive webhooks.")
    if not parts.hostname:
        raise UrlNotAllowed("The URL has no host.")
    if parts.username or parts.password:
        raise UrlNotAllowed("The URL may not carry a user name or password.")
    return (
        parts.scheme,
        parts.hostname,
        port or (443 if parts.scheme == "https" else 80),
    )


def resolve_allowed(url: str) -> str | None:
    """Check ``url`` and return the address to connect to.

    None means "connect by name" (private addresses are allowed, so there
    is nothing to pin). Raises UrlNotAllowed.
    """
    _, host, port = check_url_form(url)
    if settings.PANTRY_WEBHOOK_ALLOW_PRIVATE:
        return None
    try:
        return public_address(host, port)
    except NotPublic as exc:
        if exc.unresolved:
            raise UrlNotAllowed(f"The host {host} cannot be resolved.") from None
        raise UrlNotAllowed(
            f"The host {host} is not a public address; webhooks cannot be "
            "sent to loopback, private or link-local addresses."
        ) from None
