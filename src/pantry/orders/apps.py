from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "pantry.orders"
    label = "orders"
