from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "pantry.customers"
    label = "customers"
