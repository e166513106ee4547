from django.apps import AppConfig


class StorefrontConfig(AppConfig):
    name = "pantry.storefront"
    label = "storefront"
