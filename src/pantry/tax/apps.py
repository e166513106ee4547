from django.apps import AppConfig


class TaxConfig(AppConfig):
    name = "pantry.tax"
    label = "tax"
    # Demo configuration for `pantry demo` / `make run` (docs/checkout.md).
    demo_module = "pantry.tax.demo"
