from django.apps import AppConfig


class VouchersConfig(AppConfig):
    name = "pantry.vouchers"
    label = "vouchers"
    # Demo configuration for `pantry demo` / `make run` (docs/checkout.md).
    demo_module = "pantry.vouchers.demo"
