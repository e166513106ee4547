from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "pantry.orders"
    label = "orders"
    # Modules the `seed` and `demo` commands hand over to (see their docstrings).
    seed_module = "pantry.orders.seed"
    demo_module = "pantry.orders.demo"
    # Beside `pantry run` in development: expiry sweeps and rollup folds.
    background_commands = [["orders_upkeep", "--every", "30"]]

    def ready(self) -> None:
        # Payments report captured money to orders through this listener.
        from pantry.orders.payment_events import order_paid
        from pantry.payments.services import on_payment

        on_payment(order_paid)
