"""The payment providers pantry ships, chosen per order by code."""

from __future__ import annotations

from django.conf import settings

from pantry.payments.errors import UnknownPaymentProvider
from pantry.payments.providers.base import Provider
from pantry.payments.providers.fake import FakeProvider
from pantry.payments.providers.manual import ManualProvider
from pantry.payments.providers.stripe_checkout import StripeProvider

PROVIDERS: dict[str, type[Provider]] = {
    "manual": ManualProvider,
    "fake": FakeProvider,
    "stripe": StripeProvider,
}


def get_provider(code: str | None) -> Provider:
    """The enabled provider ``code`` (the default one for None).

    Raises UnknownPaymentProvider for a code that is unknown or disabled.
    """
    code = settings.PANTRY_PAYMENT_DEFAULT if code is None else code
    if code not in PROVIDERS or code not in settings.PANTRY_PAYMENT_PROVIDERS:
        enabled = ", ".join(settings.PANTRY_PAYMENT_PROVIDERS)
        raise UnknownPaymentProvider(
            f"{code!r} is not a payment provider here (available: {enabled}).",
            fields={"payment_provider": f"one of {enabled}"},
        )
    return PROVIDERS[code]()
