from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "pantry.catalog"
    label = "catalog"
    # Modules the `seed` and `demo` commands hand over to (see their docstrings).
    seed_module = "pantry.catalog.sample_data.seed"
    demo_module = "pantry.catalog.sample_data.demo"
