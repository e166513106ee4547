from django.apps import AppConfig


class ShippingConfig(AppConfig):
    name = "pantry.shipping"
    label = "shipping"
