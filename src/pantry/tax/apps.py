from django.apps import AppConfig


class TaxConfig(AppConfig):
    name = "pantry.tax"
    label = "tax"
