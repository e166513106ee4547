from django.apps import AppConfig


class VouchersConfig(AppConfig):
    name = "pantry.vouchers"
    label = "vouchers"
