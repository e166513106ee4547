"""`pantry seed` and `pantry demo` find their modules on the AppConfigs."""

from __future__ import annotations

from django.apps import apps


def test_seeders_are_the_modules_each_app_declares():
    declared = {
        config.label: getattr(config, "seed_module", None)
        for config in apps.get_app_configs()
        if getattr(config, "seed_module", None)
    }

    assert declared == {
        "catalog": "pantry.catalog.sample_data.seed",
        "journal": "pantry.journal.seed",
        "orders": "pantry.orders.seed",
    }


def test_demo_loaders_are_declared_in_dependency_order():
    declared = [
        (config.label, getattr(config, "demo_module", None))
        for config in apps.get_app_configs()
        if getattr(config, "demo_module", None)
    ]

    assert declared == [
        ("catalog", "pantry.catalog.sample_data.demo"),
        ("journal", "pantry.journal.demo"),
        ("shipping", "pantry.shipping.demo"),
        ("tax", "pantry.tax.demo"),
        ("vouchers", "pantry.vouchers.demo"),
        ("orders", "pantry.orders.demo"),
    ]
