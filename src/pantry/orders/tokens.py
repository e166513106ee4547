"""Customer access tokens of orders: derived from the number, never stored.

A token is an HMAC of the order number under the site's SECRET_KEY, so the
database holds nothing that opens an order, an idempotent replay can hand the
token out again, and checking costs no query. Rotating SECRET_KEY expires
every token unless the old key stays in SECRET_KEY_FALLBACKS.
"""

from __future__ import annotations

import base64

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

_SALT = "pantry.orders.token"
MAX_TOKEN_LENGTH = 100


def _token(number: str, secret: str) -> str:
    digest = salted_hmac(_SALT, number, secret=secret, algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def token_for(number: str) -> str:
    """Return the customer's access token for order ``number``."""
    return _token(number, settings.SECRET_KEY)


def token_matches(number: str, token: str) -> bool:
    """Whether ``token`` opens order ``number`` (current or fallback keys)."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return False
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    # Check every key, so timing does not tell which one matched.
    matches = [constant_time_compare(_token(number, s), token) for s in secrets]
    return any(matches)
