from django.apps import AppConfig


class ShippingConfig(AppConfig):
    name = "pantry.shipping"
    label = "shipping"
    # Demo configuration for `pantry demo` / `make run` (docs/checkout.md).
    demo_module = "pantry.shipping.demo"
