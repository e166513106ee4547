from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "pantry.orders"
    label = "orders"
    # Modules the `seed` and `demo` commands hand over to (see their docstrings).
    seed_module = "pantry.orders.seed"
    demo_module = "pantry.orders.demo"
