from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "pantry.catalog"
    label = "catalog"
