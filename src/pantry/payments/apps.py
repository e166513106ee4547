from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "pantry.payments"
    label = "payments"
